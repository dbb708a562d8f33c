"""Models built on `AttentionPooling`: document classifiers and a translator."""

from attention_tf.models.bahdanau_decoder_cell import BahdanauDecoderCell
from attention_tf.models.bahdanau_translator import BahdanauTranslator
from attention_tf.models.bilstm_attention_classifier import (
    BiLSTMAttentionClassifier,
)
from attention_tf.models.document_classifier_preprocessor import (
    DocumentClassifierPreprocessor,
)
from attention_tf.models.end_to_end_classifier import EndToEndClassifier
from attention_tf.models.hierarchical_attention_classifier import (
    HierarchicalAttentionClassifier,
)

__all__ = [
    "BahdanauDecoderCell",
    "BahdanauTranslator",
    "BiLSTMAttentionClassifier",
    "DocumentClassifierPreprocessor",
    "EndToEndClassifier",
    "HierarchicalAttentionClassifier",
]
