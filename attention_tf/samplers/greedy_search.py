"""Greedy decoding: the most likely token at every step, one `keras.ops` loop.

`step_fn(tokens, states) -> (log_probs, states, weights)` advances a decoder
one token for a flat batch, so the sampler knows nothing about the model
behind it. The loop stops when every row has emitted the end token or after
`max_length` tokens.
"""

import functools

from keras import ops

from attention_tf.samplers.loop import (
    decoding_continues,
    output_buffers,
    record_step,
    zero_finished_rows,
)


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

    def body(i, tokens, states, finished, scores, out_tokens, out_weights):
        log_probs, states, weights = step_fn(tokens, states)
        next_tokens, step_scores = _most_likely(log_probs, finished)
        weights = zero_finished_rows(weights, finished)
        out_tokens, out_weights = record_step(
            positions, i, next_tokens, weights, out_tokens, out_weights
        )
        finished = ops.logical_or(
            finished, ops.equal(next_tokens, end_token_id)
        )
        return (
            i + 1,
            next_tokens,
            states,
            finished,
            scores + step_scores,
            out_tokens,
            out_weights,
        )

    loop_vars = (
        0,
        start_tokens,
        list(states),
        ops.zeros((batch,), "bool"),
        ops.zeros((batch,), "float32"),
        *output_buffers(batch, max_length, source_length),
    )
    cond = functools.partial(decoding_continues, max_length)
    outputs = ops.while_loop(cond, body, loop_vars)
    return outputs[5], outputs[4], outputs[6]


def _most_likely(log_probs, finished):
    """The argmax token of every row and its log-probability.

    Args:
        log_probs: `[batch, vocabulary]` float32.
        finished: `[batch]` bool, the rows that have already ended.

    Returns:
        `(tokens, scores)`, `[batch]` int32 and float32; an ended row gets
        token 0 (padding) at no cost.
    """
    tokens = ops.cast(ops.argmax(log_probs, axis=-1), "int32")
    scores = ops.take_along_axis(log_probs, tokens[:, None], axis=-1)[:, 0]
    alive = ops.logical_not(finished)
    return ops.where(alive, tokens, 0), ops.where(alive, scores, 0.0)
