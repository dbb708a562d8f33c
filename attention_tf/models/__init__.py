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
    TENSORFLOW_MODULES,
    BiLSTMAttentionClassifier,
    DocumentClassifier,
    HierarchicalAttentionClassifier,
)
from attention_tf.utils.optional import lazy_names

__getattr__, _tensorflow_names = lazy_names(
    __name__,
    {
        **TENSORFLOW_MODULES,
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
