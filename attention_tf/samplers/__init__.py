"""Decoding strategies over any `step_fn`, kept apart from the models."""

from attention_tf.samplers.beam_search import beam_search, length_penalty
from attention_tf.samplers.greedy_search import greedy_search

__all__ = ["beam_search", "greedy_search", "length_penalty"]
