"""Reusable Keras layers."""

from attention_tf.layers.attention_pooling import AttentionPooling

__all__ = ["AttentionPooling"]
