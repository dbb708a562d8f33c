"""attention_tf: attention over variable-length sequences for Keras 3.

Importing the package registers every layer and model with Keras, so saved
`.keras` files load with `keras.saving.load_model(path, safe_mode=True)` and
no `custom_objects`.
"""

from attention_tf.layers import AttentionPooling
from attention_tf.models import (
    BahdanauDecoderCell,
    BahdanauTranslator,
    BiLSTMAttentionClassifier,
    EndToEndClassifier,
    HierarchicalAttentionClassifier,
)

__version__ = "0.1.0"

__all__ = [
    "AttentionPooling",
    "BahdanauDecoderCell",
    "BahdanauTranslator",
    "BiLSTMAttentionClassifier",
    "EndToEndClassifier",
    "HierarchicalAttentionClassifier",
    "__version__",
]
