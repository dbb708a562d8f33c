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
    output word, the end token's row last.
    """
    from attention_tf.training.decoder import load_translator as load_trained

    translate = load_trained(folder)
    max_source_length = translate.codec.max_source_length

    def translate_texts(texts, beam=0):
        sources = [
            parallel_text.standardize(t).split()[:max_source_length]
            for t in texts
        ]
        # A text with no tokens gets an empty result, not an error that
        # would fail the other texts of its batch.
        readable = [t for t, source in zip(texts, sources) if source]
        with warnings.catch_warnings():
            # Unknown and over-long words are shown as the model read them.
            warnings.simplefilter("ignore")
            outputs = iter(translate(readable, beam_width=beam) if readable else [])
        results = []
        for source in sources:
            if not source:
                results.append({"source_words": [], "words": [], "attention": []})
                continue
            tokens, weights = next(outputs)
            results.append(
                {
                    "source_words": source,
                    "words": list(tokens) + [parallel_text.END_TOKEN],
                    "attention": weights[: len(tokens) + 1, : len(source)].tolist(),
                }
            )
        return results

    return translate_texts
