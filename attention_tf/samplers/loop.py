"""What greedy and beam search share: when to stop, and what a step records.

Both samplers run one `ops.while_loop` whose variables start
`(i, tokens, states, finished, ...)` and end with the two output buffers,
`[rows, max_length]` tokens and `[rows, max_length, source_length]`
attention weights.
"""

from keras import ops


def decoding_continues(max_length, i, tokens, states, finished, *rest):
    """The loop condition: steps are left and some row has not ended.

    Args:
        max_length: Python int, the most steps.
        i: The step about to run.
        tokens, states: Unused, part of the loop variables.
        finished: Boolean flags, one per row (any shape).
        *rest: The other loop variables, unused.

    Returns:
        A boolean scalar.
    """
    return ops.logical_and(i < max_length, ops.logical_not(ops.all(finished)))


def output_buffers(rows, max_length, source_length):
    """Zero tokens `[rows, max_length]` and weights, for `record_step`."""
    return (
        ops.zeros((rows, max_length), "int32"),
        ops.zeros((rows, max_length, source_length), "float32"),
    )


def zero_finished_rows(weights, finished):
    """`weights` `[rows, source_time]` with the rows of ended sentences 0.

    A row that had already ended emits padding, which attends nowhere.
    """
    return weights * ops.cast(ops.logical_not(finished), weights.dtype)[:, None]


def record_step(positions, i, tokens, weights, out_tokens, out_weights):
    """Writes step `i` into the output buffers.

    Args:
        positions: `ops.arange(max_length)`.
        i: The step, a scalar.
        tokens: `[rows]` int32 tokens emitted at step `i`.
        weights: `[rows, source_length]` attention weights of step `i`.
        out_tokens, out_weights: The buffers from `output_buffers`.

    Returns:
        The buffers `(out_tokens, out_weights)` with column `i` written.
    """
    here = ops.equal(positions, i)[None, :]
    out_tokens = ops.where(here, tokens[:, None], out_tokens)
    out_weights = ops.where(here[..., None], weights[:, None, :], out_weights)
    return out_tokens, out_weights
