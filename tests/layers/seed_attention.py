"""The TF1 `attention()` function quoted in the seed question, kept as written.

`tf` is `tf.compat.v1` and tf_slim stands in for `tf.contrib.layers`, which
TensorFlow 2 no longer ships; everything below `attention` is the original.
"""

import tensorflow.compat.v1 as tf
import tf_slim as layers

L2_REG = 1e-3


# fmt: off
def attention(inputs, size, scope):
    with tf.variable_scope(scope or 'attention') as scope:
        attention_context_vector = tf.get_variable(name='attention_context_vector',
                                                   shape=[size],
                                                   regularizer=layers.l2_regularizer(scale=L2_REG),
                                                   dtype=tf.float32)
        input_projection = layers.fully_connected(inputs, size,
                                                  activation_fn=tf.tanh,
                                                  weights_regularizer=layers.l2_regularizer(scale=L2_REG))
        vector_attn = tf.reduce_sum(tf.multiply(input_projection, attention_context_vector), axis=2, keep_dims=True)
        attention_weights = tf.nn.softmax(vector_attn, dim=1)
        weighted_projection = tf.multiply(inputs, attention_weights)
        outputs = tf.reduce_sum(weighted_projection, axis=1)
        return outputs
# fmt: on
