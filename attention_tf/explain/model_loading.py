"""Trained models as the explainers and the explorer use them.

The only place that knows how the trainers save their models: re-point
these two functions if that changes.
"""

import warnings

from attention_tf.data import parallel_text


def load_classifier(path):
    """The `EndToEndClassifier` of a training run folder (or its model.keras)."""
    from attention_tf.training.doc_classifier import (
        load_classifier as load_trained_classifier,
    )

    return load_trained_classifier(path)


def load_translator(folder):
    """A function `texts, beam -> [dict]` for a `train-decoder` run folder.

    Each dict holds `source_words` (as the model read them), `words` (the
    translation) and `attention`: one row of source-word weights per
    output word, the end token's (when one was emitted) last.
    """
    from attention_tf.training.decoder import load_translator as load_trained

    translate = load_trained(folder)
    max_source_length = translate.codec.max_source_length

    def translate_texts(texts, beam=0):
        with warnings.catch_warnings():
            # Unknown and over-long words are shown as the model read them.
            warnings.simplefilter("ignore")
            outputs = translate(list(texts), beam_width=beam)
        results = []
        for text, (tokens, weights) in zip(texts, outputs):
            source = parallel_text.standardize(text).split()
            source = source[:max_source_length]
            words = list(tokens)
            # The end token has its own row, unless the length cap came first.
            if len(words) < len(weights):
                words.append(parallel_text.END_TOKEN)
            results.append(
                {
                    "source_words": source,
                    "words": words,
                    "attention": weights[: len(words), : len(source)].tolist(),
                }
            )
        return results

    return translate_texts
