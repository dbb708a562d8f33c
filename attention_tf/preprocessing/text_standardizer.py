"""Text clean-up inside the model, so raw strings go in at inference."""

import keras
import tensorflow as tf

from attention_tf.preprocessing.tensorflow_string_layer import (
    TensorFlowStringLayer,
)

# The clean-up after lower-casing, in order: (RE2 pattern, replacement).
# `attention-tf export --format onnx` writes them out for other clients.
REPLACEMENTS = (
    # `<br />` and its variants: the IMDB reviews' paragraph breaks.
    (r"<\s*br\s*/?\s*>", " "),
    # Runs of sentence-ending punctuation become tokens of their own ("!"
    # and "?" carry sentiment; HAN splits sentences on them).
    (r"([.!?]+)", r" \1 "),
    # Everything else that is not a letter, digit, apostrophe or sentence
    # end.
    (r"[^\pL\pN'.!? ]+", " "),
    (r"\s+", " "),
)


@keras.saving.register_keras_serializable(package="attention_tf")
class TextStandardizer(TensorFlowStringLayer):
    """Lower-cases text, removes `<br />` tags and separates punctuation.

    1. Lower-case (Unicode aware).
    2. Replace HTML line breaks (`<br />`) with spaces.
    3. Put spaces around runs of `.`, `!` and `?`, which stay as tokens.
    4. Replace any other punctuation with a space.

    The output splits on whitespace into words, as
    `keras.layers.TextVectorization(standardize=None)` expects. String ops
    exist only in TensorFlow, so unlike the attention layers this layer
    needs the TensorFlow backend.

    Example:

    >>> import numpy as np
    >>> layer = TextStandardizer()
    >>> layer(np.array(["Great film!<br /><br />Loved it, really."]))[0]
    <tf.Tensor: shape=(), dtype=string, numpy=b'great film ! loved it really .'>
    """

    def call(self, inputs):
        text = tf.strings.lower(inputs, encoding="utf-8")
        for pattern, replacement in REPLACEMENTS:
            text = tf.strings.regex_replace(text, pattern, replacement)
        return tf.strings.strip(text)

    def compute_output_shape(self, input_shape):
        return input_shape
