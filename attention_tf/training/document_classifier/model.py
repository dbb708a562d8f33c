"""The document classifier a `DocumentClassifierConfig` describes, compiled.

Benchmarks build their model here too, so that they measure the model that
`train-doc-classifier` trains.
"""

import keras
import numpy as np

from attention_tf.models import (
    BiLSTMAttentionClassifier,
    DocumentClassifierPreprocessor,
    HierarchicalAttentionClassifier,
)
from attention_tf.training.adversarial.adversarial_trainer import (
    AdversarialTrainer,
)


def build_preprocessor(config, texts):
    """A `DocumentClassifierPreprocessor` adapted on `texts`."""
    hierarchical = config.architecture == "han"
    return DocumentClassifierPreprocessor.from_texts(
        texts,
        config.max_tokens,
        config.max_length,
        max_sentences=config.han_max_sentences if hierarchical else None,
        max_words=config.han_max_words if hierarchical else None,
    )


def build_classifier(config, vocabulary_size, num_classes):
    """The classifier `config.architecture` names, with built weights.

    Built on a dummy batch: `restore_backup` and word vectors need the
    weights to exist before `fit`.
    """
    shared = {
        "embedding_dim": config.embedding_dim,
        "attention_units": config.attention_units,
        "attention_heads": config.attention_heads,
        "attention_dropout": config.attention_dropout,
        "diversity_penalty": config.diversity_penalty,
    }
    if config.architecture == "han":
        classifier = HierarchicalAttentionClassifier(
            vocabulary_size,
            num_classes,
            word_units=config.lstm_units,
            sentence_units=config.lstm_units,
            **shared,
        )
    else:
        classifier = BiLSTMAttentionClassifier(
            vocabulary_size,
            num_classes,
            lstm_units=config.lstm_units,
            dropout=config.dropout,
            embedding_dropout=config.embedding_dropout,
            **shared,
        )
    classifier = _built(classifier)
    # Frozen: no gradient and no Adam update for the largest weight (a
    # quarter of a step's time at 32 texts a batch).
    classifier.embedding.trainable = not config.freeze_embeddings
    return classifier


def adversarial_trainer(config, classifier, word_frequencies):
    """`classifier` in the `AdversarialTrainer` that `config` describes.

    The trainer draws the embedding dropout itself, before perturbing, so
    it trains a copy of `classifier` without its own (same weights, same
    frozen embeddings); `inference_copy` puts the rate back.

    Args:
        config: A `DocumentClassifierConfig` with `adversarial` set.
        classifier: From `build_classifier` (word vectors already in).
        word_frequencies: Occurrences of each token id in the training and
            unlabelled texts.
    """
    inner = _built(
        type(classifier).from_config(
            {**classifier.get_config(), "embedding_dropout": 0.0}
        )
    )
    inner.set_weights(classifier.get_weights())
    inner.embedding.trainable = classifier.embedding.trainable
    return AdversarialTrainer(
        inner,
        vat_weight=config.vat_weight,
        adversarial_weight=config.adversarial_weight,
        epsilon=config.perturbation_norm,
        embedding_dropout=classifier.embedding_dropout,
        word_frequencies=(
            word_frequencies if config.normalize_embeddings else None
        ),
        seed=config.seed,
    )


def compile_classifier(classifier, config, steps_per_epoch):
    """Adam on a cosine schedule over `config.epochs`, gradients clipped."""
    schedule = keras.optimizers.schedules.CosineDecay(
        config.learning_rate,
        decay_steps=steps_per_epoch * config.epochs,
        alpha=0.0,
    )
    classifier.compile(
        optimizer=keras.optimizers.Adam(schedule, clipnorm=1.0),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return classifier


def inference_copy(classifier):
    """An uncompiled copy of a trained `classifier`: weights, no optimizer.

    A saved model then carries no optimizer state (half its size for a
    BiLSTM trained with Adam); the resume state keeps its own. From an
    `AdversarialTrainer`: its classifier, with the embedding matrix as the
    trainer reads it (normalised) and the trainer's embedding dropout.
    """
    trainer = None
    if isinstance(classifier, AdversarialTrainer):
        trainer, classifier = classifier, classifier.classifier
    config = classifier.get_config()
    if trainer is not None:
        config["embedding_dropout"] = trainer.embedding_dropout
    copy = _built(type(classifier).from_config(config))
    copy.set_weights(classifier.get_weights())
    if trainer is not None:
        copy.embedding.embeddings.assign(trainer.embedding_matrix())
    return copy


def _built(classifier):
    """`classifier`, its weights created by a call on one padding token."""
    rank = 3 if isinstance(classifier, HierarchicalAttentionClassifier) else 2
    classifier(np.zeros((1,) * rank, "int32"))
    return classifier
