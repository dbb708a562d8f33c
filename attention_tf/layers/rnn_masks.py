"""Bidirectional recurrent layers: built so that they load, fed only masks
that the cuDNN kernels accept."""

import contextlib

import keras
from keras import ops

# Where Keras keeps the object-sharing records of a load in progress
# (`keras.src.saving.serialization_lib.ObjectSharingScope`).
_SHARING_RECORDS = (
    "shared_objects/id_to_config_map",
    "shared_objects/id_to_obj_map",
)


def bidirectional(rnn, name):
    """`keras.layers.Bidirectional(rnn, name=name)`, safe to build in a load.

    `Bidirectional` makes its forward and backward layers by serialising
    `rnn` twice. Inside `keras.saving.load_model`, Keras records every
    serialised object by `id()` to find objects shared in the file; when
    `rnn` sits at the address of an object serialised and freed earlier in
    the same load, Keras takes it for a shared object, hands back the
    forward layer as the backward one, and loading fails ("Forward layer and
    backward layer should have different go_backwards value"), now and
    then. Those records concern the file, not this layer's copies of `rnn`,
    so they are set aside while it is built. The layers and their seeded
    weights are those of `keras.layers.Bidirectional`.

    Args:
        rnn: A recurrent layer.
        name: The `Bidirectional` layer's name.

    Returns:
        The `Bidirectional` layer.
    """
    with _object_sharing_set_aside():
        return keras.layers.Bidirectional(rnn, name=name)


@contextlib.contextmanager
def _object_sharing_set_aside():
    from keras.src.backend.common import global_state

    saved = {
        key: global_state.get_global_attribute(key) for key in _SHARING_RECORDS
    }
    for key in _SHARING_RECORDS:
        global_state.set_global_attribute(key, None)
    try:
        yield
    finally:
        for key, value in saved.items():
            global_state.set_global_attribute(key, value)


def call_rnn_right_padded(rnn, inputs, mask, training=False):
    """Calls `rnn` with a right-padded mask that has no all-masked row.

    On a GPU with the TensorFlow backend, Keras runs `LSTM` and `GRU`
    through cuDNN only if the mask is right-padded and no row is all
    masked; otherwise it stops with an assertion. Padded sentence slots,
    empty texts and zeros inside a row break one rule or the other. So:

    1. Every row's unmasked steps move, in order, to its front.
    2. Rows with no unmasked step get their first step unmasked.
    3. `rnn` runs on that; a masked step carries the state, so the outputs
       at unmasked steps are those the original mask gives.
    4. The outputs go back to their original steps and are zero at masked
       steps; the states of empty rows are zero (their initial states).

    The results are those of `rnn(inputs, mask=mask)` with
    `return_sequences=True` (as a `Bidirectional` layer zeroes masked
    outputs).

    Args:
        rnn: A recurrent layer (or `Bidirectional`) with
            `return_sequences=True`, optionally `return_state=True`.
        inputs: `[batch, time, features]`.
        mask: Boolean `[batch, time]`.
        training: Passed to `rnn`.

    Returns:
        What `rnn` returns: the sequences `[batch, time, units]`, or a list
        of the sequences and the final states.
    """
    mask = ops.cast(mask, "bool")
    kept = ops.cast(mask, "int32")
    count = ops.sum(kept, axis=1, keepdims=True)
    # Where each step goes: unmasked steps first, then the masked ones, each
    # group in its original order. A permutation of every row's steps.
    destination = ops.where(
        mask,
        ops.cumsum(kept, axis=1) - kept,
        count + ops.cumsum(1 - kept, axis=1) - (1 - kept),
    )
    source = ops.argsort(destination, axis=1)
    steps = ops.arange(ops.shape(mask)[1], dtype="int32")[None, :]
    rnn_mask = steps < ops.maximum(count, 1)

    returned = rnn(
        _gather_steps(inputs, source), mask=rnn_mask, training=training
    )
    sequences, states = (
        (returned[0], returned[1:])
        if isinstance(returned, (list, tuple))
        else (returned, None)
    )
    sequences = ops.where(
        mask[..., None], _gather_steps(sequences, destination), 0.0
    )
    if states is None:
        return sequences
    has_steps = count > 0
    return [sequences] + [ops.where(has_steps, s, 0.0) for s in states]


def _gather_steps(tensor, indices):
    """`tensor[b, indices[b, t]]` for `[batch, time, features]` tensors."""
    indices = ops.expand_dims(ops.cast(indices, "int32"), -1)
    return ops.take_along_axis(tensor, indices, axis=1)
