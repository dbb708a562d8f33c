"""Models built on `AttentionPooling`, one folder per family.

- `document_classifier/`: BiLSTM and HAN classifiers, their preprocessor
  and the end-to-end (raw strings in) model.
- `bahdanau/`: the encoder-decoder translator and its decoder cell.

The names below are re-exported for code that imported them from here.
"""

from attention_tf.models.bahdanau import (
    BahdanauDecoderCell,
    BahdanauTranslator,
    Translator,
)
from attention_tf.models.document_classifier import (
    BiLSTMAttentionClassifier,
    DocumentClassifier,
    HierarchicalAttentionClassifier,
)
from attention_tf.utils.optional import lazy_names

__getattr__, _tensorflow_names = lazy_names(
    __name__,
    {
        "DocumentClassifierPreprocessor": (
            "attention_tf.models.document_classifier."
            "document_classifier_preprocessor"
        ),
        "EndToEndClassifier": (
            "attention_tf.models.document_classifier.end_to_end_classifier"
        ),
        "TextStandardizer": "attention_tf.preprocessing.text_standardizer",
    },
)

__all__ = [
    "BahdanauDecoderCell",
    "BahdanauTranslator",
    "BiLSTMAttentionClassifier",
    "DocumentClassifier",
    "HierarchicalAttentionClassifier",
    "Translator",
    *_tensorflow_names,
]
