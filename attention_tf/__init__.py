"""attention_tf: attention over variable-length sequences for Keras 3."""

from attention_tf.layers import AttentionPooling

__version__ = "0.1.0"

__all__ = ["AttentionPooling", "__version__"]
