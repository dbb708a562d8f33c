"""Small trained models for the explainer and explorer tests, in seconds.

The classifier learns a made-up sentiment task: a text is positive when it
holds more words from `POSITIVE` than from `NEGATIVE`, the rest is filler.
"""

import os

import keras
import numpy as np

from attention_tf.models import (
    BahdanauTranslator,
    BiLSTMAttentionClassifier,
    DocumentClassifierPreprocessor,
    EndToEndClassifier,
    HierarchicalAttentionClassifier,
)

POSITIVE = ("great", "wonderful", "superb", "loved", "brilliant")
NEGATIVE = ("awful", "boring", "terrible", "hated", "dull")
FILLER = ("the", "movie", "plot", "actor", "was", "and", "a", "scene", "it")


def sentiment_texts(count, seed):
    """`count` texts of 3 to 3 sentences with their 0/1 labels."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    while len(texts) < count:
        positive, negative = rng.integers(0, 4, size=2)
        if positive == negative:
            continue
        words = list(rng.choice(FILLER, rng.integers(4, 14)))
        words += list(rng.choice(POSITIVE, positive))
        words += list(rng.choice(NEGATIVE, negative))
        rng.shuffle(words)
        cut = len(words) // 2
        texts.append(" ".join(words[:cut]) + ". " + " ".join(words[cut:]) + "!")
        labels.append(int(positive > negative))
    return texts, np.array(labels)


def tiny_classifier(architecture="bilstm", epochs=0, seed=0, heads=1):
    """An `EndToEndClassifier` on the sentiment task, trained `epochs`.

    `heads` is the number of heads of every attention layer.
    """
    keras.utils.set_random_seed(seed)
    texts, labels = sentiment_texts(300, seed)
    if architecture == "han":
        preprocessor = DocumentClassifierPreprocessor.from_texts(
            texts, 40, max_length=None, max_sentences=4, max_words=16
        )
        classifier = HierarchicalAttentionClassifier(
            preprocessor.vectorizer.vocabulary_size(),
            2,
            embedding_dim=8,
            word_units=8,
            sentence_units=8,
            attention_units=8,
            dropout=0.0,
            attention_heads=heads,
        )
    else:
        preprocessor = DocumentClassifierPreprocessor.from_texts(
            texts, 40, max_length=40
        )
        classifier = BiLSTMAttentionClassifier(
            preprocessor.vectorizer.vocabulary_size(),
            2,
            embedding_dim=8,
            lstm_units=8,
            attention_units=8,
            dropout=0.0,
            attention_heads=heads,
        )
    model = EndToEndClassifier(preprocessor, classifier, ["neg", "pos"])
    if epochs:
        import tensorflow as tf

        ids = model(tf.constant(texts), return_attention_scores=True)[1]
        classifier.compile(
            keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy"
        )
        classifier.fit(ids, labels, batch_size=32, epochs=epochs, verbose=0)
    return model


def save_classifier(model, folder):
    """Saves as a training run does: `folder/model.keras`."""
    import tensorflow as tf

    os.makedirs(folder, exist_ok=True)
    model(tf.constant(["build"]))
    model.save(os.path.join(folder, "model.keras"))
    return folder


def save_tiny_translator(folder, seed=0):
    """An untrained translator folder as `train-translator` writes one.

    Untrained, it still decodes and attends: enough for the explorer.
    """
    from attention_tf.models.bahdanau.bahdanau_translator_preprocessor import (
        BahdanauTranslatorPreprocessor,
    )
    from attention_tf.models.bahdanau.translator import Translator

    keras.utils.set_random_seed(seed)
    pairs = [
        ("el gato come pescado", "the cat eats fish"),
        ("la casa", "the house"),
    ]
    preprocessor = BahdanauTranslatorPreprocessor.adapt(
        pairs * 3, "words", 50, "char", 50, 10, 6
    )
    model = BahdanauTranslator(
        preprocessor.source_vocabulary_size,
        preprocessor.target_vocabulary_size,
        start_token_id=preprocessor.start_token_id,
        end_token_id=preprocessor.end_token_id,
        embedding_dim=8,
        encoder_units=8,
        decoder_units=8,
        attention_units=8,
        output_units=8,
    )
    model.build()
    Translator(model, preprocessor).save(folder)
    return folder
