"""Trained models as the explainers and the explorer use them.

The only place that knows how the trainers save their models: re-point
these two functions if that changes.
"""

import warnings


def load_classifier(path):
    """The `EndToEndClassifier` of a training run folder (or its model.keras)."""
    from attention_tf.models.document_classifier import EndToEndClassifier

    return EndToEndClassifier.load(path)


def load_translator(folder):
    """A function `texts, beam -> [dict]` for a `train-translator` run folder.

    Each dict holds `source_words` (the source tokens as the model read
    them), `words` (the output tokens), `text` (the translation as text)
    and `attention`: one row of source-token weights per output token, the
    end token's (when one was emitted) last. Beam 0 or 1 decodes greedily.
    """
    from attention_tf.models.bahdanau.translator import Translator

    translator = Translator.load(folder)

    def translate_texts(texts, beam=0):
        with warnings.catch_warnings():
            # Unknown words are shown as the model read them.
            warnings.simplefilter("ignore")
            outputs = translator.translate(
                list(texts), beam=max(1, beam), truncate=True
            )
        return [
            {
                "source_words": result.source_tokens,
                "words": result.target_tokens,
                "text": result.text,
                "attention": result.weights.tolist(),
            }
            for result in outputs
        ]

    return translate_texts
