"""Greedy decoding: the most likely token at every step, one `keras.ops` loop.

`step_fn(tokens, states) -> (log_probs, states, weights)` advances a decoder
one token for a flat batch, so the sampler knows nothing about the model
behind it. The loop stops when every row has emitted the end token or after
`max_length` tokens.
"""

from keras import ops


def greedy_search(
    step_fn, states, start_tokens, end_token_id, max_length, source_length
):
    """Picks the most likely token at every step.

    Args:
        step_fn: See the module docstring.
        states: List of initial decoder states, each `[batch, ...]`.
        start_tokens: `[batch]` int32, the first input token of every row.
        end_token_id: Int, the token that ends a row.
        max_length: Python int, the largest number of tokens to emit.
        source_length: The source time dimension, for the attention buffer.

    Returns:
        `(tokens, scores, weights)`: `[batch, max_length]` int32 tokens
        (0 after the end token), `[batch]` summed log-probabilities and
        `[batch, max_length, source_length]` attention weights.
    """
    batch = ops.shape(start_tokens)[0]
    positions = ops.arange(max_length)

    def cond(i, tokens, states, finished, scores, out_tokens, out_weights):
        return ops.logical_and(
            i < max_length, ops.logical_not(ops.all(finished))
        )

    def body(i, tokens, states, finished, scores, out_tokens, out_weights):
        log_probs, states, weights = step_fn(tokens, states)
        next_tokens = ops.cast(ops.argmax(log_probs, axis=-1), "int32")
        step_scores = ops.take_along_axis(
            log_probs, next_tokens[:, None], axis=-1
        )[:, 0]
        alive = ops.logical_not(finished)
        next_tokens = ops.where(alive, next_tokens, 0)
        scores = scores + ops.where(alive, step_scores, 0.0)
        weights = weights * ops.cast(alive, weights.dtype)[:, None]
        here = ops.equal(positions, i)[None, :]
        out_tokens = ops.where(here, next_tokens[:, None], out_tokens)
        out_weights = ops.where(
            here[..., None], weights[:, None, :], out_weights
        )
        finished = ops.logical_or(
            finished, ops.equal(next_tokens, end_token_id)
        )
        return (
            i + 1,
            next_tokens,
            states,
            finished,
            scores,
            out_tokens,
            out_weights,
        )

    loop_vars = (
        0,
        start_tokens,
        list(states),
        ops.zeros((batch,), "bool"),
        ops.zeros((batch,), "float32"),
        ops.zeros((batch, max_length), "int32"),
        ops.zeros((batch, max_length, source_length), "float32"),
    )
    outputs = ops.while_loop(cond, body, loop_vars)
    return outputs[5], outputs[4], outputs[6]
