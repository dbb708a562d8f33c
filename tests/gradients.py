"""Gradients through a layer on whichever Keras backend is active."""

import keras
import numpy as np


def input_and_weight_gradients(layer, loss_fn, inputs):
    """Gradients of `loss_fn(layer, inputs)` w.r.t. inputs and trainable weights.

    `inputs` is a NumPy array; `loss_fn` returns a scalar tensor. Returns
    NumPy arrays: the input gradient, then one per trainable weight.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        inputs = tf.constant(inputs)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            loss = loss_fn(layer, inputs)
        grads = tape.gradient(loss, [inputs] + layer.trainable_weights)
    elif backend == "jax":
        import jax

        def stateless_loss(trainable, inputs):
            with keras.StatelessScope(
                state_mapping=list(
                    zip(layer.trainable_weights, trainable, strict=True)
                )
            ):
                return loss_fn(layer, inputs)

        trainable = [v.value for v in layer.trainable_weights]
        weight_grads, input_grad = jax.grad(stateless_loss, argnums=(0, 1))(
            trainable, inputs
        )
        grads = [input_grad] + list(weight_grads)
    elif backend == "torch":
        import torch

        inputs = torch.tensor(inputs, requires_grad=True)
        loss = loss_fn(layer, inputs)
        tensors = [inputs] + [v.value for v in layer.trainable_weights]
        grads = torch.autograd.grad(loss, tensors)
    else:
        raise NotImplementedError(f"No gradient helper for {backend}")
    return [np.asarray(keras.ops.convert_to_numpy(g)) for g in grads]
