"""A Keras layer whose inputs are strings, on any Keras backend."""

import keras
import tensorflow as tf


class TensorFlowStringLayer(keras.layers.Layer):
    """A layer that runs TensorFlow string ops, whatever the backend.

    On TensorFlow it is an ordinary layer. Other backends hold no strings,
    and Keras would turn the inputs into the backend's arrays first: there
    `call` runs directly, on a TensorFlow tensor, eagerly.
    """

    def __call__(self, inputs, **kwargs):
        if keras.backend.backend() != "tensorflow":
            return self.call(tf.convert_to_tensor(inputs))
        return super().__call__(inputs, **kwargs)
