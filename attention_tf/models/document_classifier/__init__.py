"""Document classifiers: word attention (BiLSTM) and hierarchical (HAN).

- `DocumentClassifier`: the base both share (arguments, checks, config).
- `BiLSTMAttentionClassifier`, `HierarchicalAttentionClassifier`: token
  ids in, probabilities (and attention) out; Keras only, every backend.
- `DocumentClassifierPreprocessor`, `EndToEndClassifier`: raw strings in
  (TensorFlow string ops), imported on first use.
"""

from attention_tf.models.document_classifier.bilstm_attention_classifier import (
    BiLSTMAttentionClassifier,
)
from attention_tf.models.document_classifier.document_classifier import (
    DocumentClassifier,
)
from attention_tf.models.document_classifier.hierarchical_attention_classifier import (  # noqa: E501
    HierarchicalAttentionClassifier,
)
from attention_tf.utils.optional import lazy_names

# The names that need TensorFlow, and their modules (imported on first use).
TENSORFLOW_MODULES = {
    "DocumentClassifierPreprocessor": (
        "attention_tf.models.document_classifier."
        "document_classifier_preprocessor"
    ),
    "EndToEndClassifier": (
        "attention_tf.models.document_classifier.end_to_end_classifier"
    ),
}
__getattr__, _tensorflow_names = lazy_names(__name__, TENSORFLOW_MODULES)

__all__ = [
    "BiLSTMAttentionClassifier",
    "DocumentClassifier",
    "HierarchicalAttentionClassifier",
    *_tensorflow_names,
]
