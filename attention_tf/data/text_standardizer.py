"""Text clean-up inside the model, so raw strings go in at inference."""

import keras
import tensorflow as tf

# `<br />` and its variants: the IMDB reviews' paragraph breaks.
_HTML_BREAK = r"<\s*br\s*/?\s*>"
# Runs of sentence-ending punctuation become tokens of their own ("!" and
# "?" carry sentiment; HAN splits sentences on them).
_SENTENCE_END = r"([.!?]+)"
# Everything else that is not a letter, digit, apostrophe or sentence end.
_OTHER_PUNCTUATION = r"[^\pL\pN'.!? ]+"


@keras.saving.register_keras_serializable(package="attention_tf")
class TextStandardizer(keras.layers.Layer):
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
        text = tf.strings.regex_replace(text, _HTML_BREAK, " ")
        text = tf.strings.regex_replace(text, _SENTENCE_END, r" \1 ")
        text = tf.strings.regex_replace(text, _OTHER_PUNCTUATION, " ")
        return tf.strings.strip(tf.strings.regex_replace(text, r"\s+", " "))

    def compute_output_shape(self, input_shape):
        return input_shape
