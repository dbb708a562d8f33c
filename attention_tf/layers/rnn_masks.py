"""Bidirectional recurrent layers: built so that they load, fed only masks
that the cuDNN kernels accept."""

import keras
from keras import ops
from keras.src.backend.common import global_state

# Where Keras keeps the object-sharing records of a load in progress
# (`keras.src.saving.serialization_lib.ObjectSharingScope`).
_SHARING = (
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
    saved = {key: global_state.get_global_attribute(key) for key in _SHARING}
    for key in _SHARING:
        global_state.set_global_attribute(key, None)
    try:
        return keras.layers.Bidirectional(rnn, name=name)
    finally:
        for key, value in saved.items():
            global_state.set_global_attribute(key, value)


def call_rnn_right_padded(rnn, inputs, mask, training=False):
    """Calls `rnn` on masked sequences the way its fast kernels take them.

    On a GPU with the TensorFlow backend, Keras runs `LSTM` and `GRU`
    through cuDNN only if the mask is right-padded and no row is all
    masked; otherwise it stops with an assertion. On PyTorch, Keras runs a
    masked `LSTM` as a generic loop of small ops, three times the time of
    the same layer with no mask. Padded sentence slots, empty texts and
    zeros inside a row break the cuDNN rules. So:

    1. Every row's unmasked steps move, in order, to its front (nothing
       moves when every row is right-padded already).
    2. A `Bidirectional` layer that returns no states then runs with no
       mask at all: its forward layer over those rows (a row's padding
       comes after its steps, so it cannot change their outputs), its
       backward layer over every row's steps reversed in place (so it
       reads each row from its last step, before any padding).
    3. Any other `rnn` runs with the mask of step 1 (right-padded), rows
       with no unmasked step given their first step; a masked step
       carries the state.
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
    count, destination = _compaction(mask)
    # Right-padded batches (every text of a classifier) need no moves. They
    # still go in as a new tensor: Keras keeps a mask (the embedding's) per
    # tensor object and hands it to every layer the object enters, so
    # `inputs` itself would reach `rnn` masked in eager calls.
    padded = _right_padded(mask)
    compact = ops.cond(
        padded,
        lambda: ops.copy(inputs),
        lambda: _gather_steps(inputs, ops.argsort(destination, axis=1)),
    )
    if _runs_unmasked(rnn):
        sequences, states = (
            _bidirectional_unmasked(rnn, compact, count, training),
            None,
        )
    else:
        steps = ops.arange(ops.shape(mask)[1], dtype="int32")[None, :]
        returned = rnn(
            compact, mask=steps < ops.maximum(count, 1), training=training
        )
        sequences, states = (
            (returned[0], returned[1:])
            if isinstance(returned, (list, tuple))
            else (returned, None)
        )
    sequences = ops.where(
        mask[..., None],
        ops.cond(
            padded,
            lambda: sequences,
            lambda: _gather_steps(sequences, destination),
        ),
        0.0,
    )
    if states is None:
        return sequences
    has_steps = count > 0
    return [sequences] + [ops.where(has_steps, s, 0.0) for s in states]


def _compaction(mask):
    """Each row's unmasked-step count, and where each of its steps goes.

    Unmasked steps go first, then the masked ones, each group in its
    original order: a permutation of every row's steps.
    """
    kept = ops.cast(mask, "int32")
    count = ops.sum(kept, axis=1, keepdims=True)
    destination = ops.where(
        mask,
        ops.cumsum(kept, axis=1) - kept,
        count + ops.cumsum(1 - kept, axis=1) - (1 - kept),
    )
    return count, destination


def _right_padded(mask):
    """Whether no row of `mask` has an unmasked step after a masked one."""
    return ops.all(ops.logical_or(mask[:, :-1], ops.logical_not(mask[:, 1:])))


def _runs_unmasked(rnn):
    return (
        isinstance(rnn, keras.layers.Bidirectional)
        and rnn.merge_mode == "concat"
        and not rnn.return_state
    )


def _bidirectional_unmasked(rnn, compact, count, training):
    """Both directions of `rnn` at the first `count` steps of each row."""
    if not rnn.built:
        rnn.build(tuple(compact.shape))
    steps = ops.arange(ops.shape(compact)[1], dtype="int32")[None, :]
    # Each row's steps in reverse order, in place; its padding stays after.
    reverse = ops.where(steps < count, count - 1 - steps, steps)
    forward = rnn.forward_layer(compact, training=training)
    # The backward layer reads from the last step back, so flipped rows give
    # it each row's last step first; its outputs come in the order it read.
    backward = rnn.backward_layer(
        ops.flip(_gather_steps(compact, reverse), axis=1), training=training
    )
    return ops.concatenate(
        [forward, ops.cast(_gather_steps(backward, reverse), forward.dtype)],
        axis=-1,
    )


def _gather_steps(tensor, indices):
    """`tensor[b, indices[b, t]]` for `[batch, time, features]` tensors.

    Whole steps move, by one gather of rows of the `[batch * time,
    features]` view: `take_along_axis` with indices broadcast over the
    features gathers every number on its own, and on TensorFlow that (and
    its gradient) took a third of the classifier's training step.
    """
    shape = ops.shape(tensor)
    time = shape[1]
    rows = ops.arange(shape[0], dtype="int32")[:, None] * time
    flat = ops.reshape(ops.cast(indices, "int32") + rows, (-1,))
    gathered = ops.take(ops.reshape(tensor, (-1, shape[2])), flat, axis=0)
    return ops.reshape(gathered, shape)
