"""The layer reproduces the seed's TF1 `attention()` function exactly.

The reference is the seed's own code run in a TF1 graph, so this module needs
the TensorFlow backend.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from attention_tf import AttentionPooling
from tests.layers import seed_attention
from tests.layers.test_attention_pooling import numpy_attention, weights_of

if keras.backend.backend() != "tensorflow":
    pytest.skip(
        "the TF1 reference needs the TensorFlow backend",
        allow_module_level=True,
    )


def run_seed_attention(inputs, size, seed):
    """Runs the seed's function in a TF1 graph with a random non-zero bias.

    Returns its outputs, its variables by name and its regularisation loss.
    """
    tf1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(seed)
        placeholder = tf1.placeholder(
            tf.float32, [None, None, inputs.shape[-1]]
        )
        outputs = seed_attention.attention(placeholder, size, None)
        reg_loss = tf1.add_n(
            tf1.get_collection(tf1.GraphKeys.REGULARIZATION_LOSSES)
        )
        variables = {v.op.name: v for v in tf1.global_variables()}
        bias = variables["attention/fully_connected/biases"]
        with tf1.Session(graph=graph) as session:
            session.run(tf1.global_variables_initializer())
            # fully_connected starts the bias at zero: make it count.
            random_bias = np.random.default_rng(seed).normal(size=size)
            session.run(bias.assign(random_bias.astype("float32")))
            values = {name: session.run(v) for name, v in variables.items()}
            result, loss = session.run(
                [outputs, reg_loss], {placeholder: inputs}
            )
    return result, values, loss


@pytest.mark.parametrize("seed", [0, 1])
def test_reproduces_the_seed_function(seed):
    rng = np.random.default_rng(seed + 10)
    inputs = rng.normal(size=(4, 9, 6)).astype("float32")
    seed_outputs, seed_vars, seed_loss = run_seed_attention(inputs, 5, seed)
    assert sorted(seed_vars) == [
        "attention/attention_context_vector",
        "attention/fully_connected/biases",
        "attention/fully_connected/weights",
    ]

    layer = AttentionPooling(
        5,
        kernel_regularizer=keras.regularizers.L2(seed_attention.L2_REG / 2),
        context_regularizer=keras.regularizers.L2(seed_attention.L2_REG / 2),
    )
    layer.build(inputs.shape)
    layer.context.assign(seed_vars["attention/attention_context_vector"])
    layer.kernel.assign(seed_vars["attention/fully_connected/weights"])
    layer.bias.assign(seed_vars["attention/fully_connected/biases"])

    outputs = keras.ops.convert_to_numpy(layer(inputs))
    np.testing.assert_allclose(outputs, seed_outputs, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(float(sum(layer.losses)), seed_loss, rtol=1e-6)
    # And both against the float64 NumPy reference.
    expected, _ = numpy_attention(inputs, **weights_of(layer))
    np.testing.assert_allclose(seed_outputs, expected, rtol=1e-5, atol=1e-6)
