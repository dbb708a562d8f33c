"""Models built on `AttentionPooling`: document classifiers and a translator.

`EndToEndClassifier`, `DocumentClassifierPreprocessor` and
`TextStandardizer` need TensorFlow (their preprocessing runs TensorFlow
string ops) and are imported on first use.
"""

from attention_tf.models.bahdanau_decoder_cell import BahdanauDecoderCell
from attention_tf.models.bahdanau_translator import BahdanauTranslator
from attention_tf.models.bilstm_attention_classifier import (
    BiLSTMAttentionClassifier,
)
from attention_tf.models.hierarchical_attention_classifier import (
    HierarchicalAttentionClassifier,
)
from attention_tf.optional import lazy_names

__getattr__, _tensorflow_names = lazy_names(
    __name__,
    {
        "DocumentClassifierPreprocessor": (
            "attention_tf.models.document_classifier_preprocessor"
        ),
        "EndToEndClassifier": "attention_tf.models.end_to_end_classifier",
        "TextStandardizer": "attention_tf.models.text_standardizer",
    },
)

__all__ = [
    "BahdanauDecoderCell",
    "BahdanauTranslator",
    "BiLSTMAttentionClassifier",
    "HierarchicalAttentionClassifier",
    *_tensorflow_names,
]
