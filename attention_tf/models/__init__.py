"""Document classifiers built on `AttentionPooling`."""

from attention_tf.models.bilstm_attention_classifier import (
    BiLSTMAttentionClassifier,
)
from attention_tf.models.end_to_end_classifier import EndToEndClassifier
from attention_tf.models.hierarchical_attention_classifier import (
    HierarchicalAttentionClassifier,
)

__all__ = [
    "BiLSTMAttentionClassifier",
    "EndToEndClassifier",
    "HierarchicalAttentionClassifier",
]
