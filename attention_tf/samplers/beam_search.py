"""Beam search with the GNMT length penalty, one `keras.ops` loop.

Takes the same `step_fn` as `greedy_search` and stops the same way.
"""

from keras import ops

# Log-probability given to continuations that must never be chosen. Finite,
# so sums and the length normalisation never produce NaN.
_IMPOSSIBLE = -1.0e9


def length_penalty(lengths, alpha):
    """GNMT length penalty `((5 + length) / 6) ** alpha` (Wu et al. 2016)."""
    return ops.power((5.0 + ops.cast(lengths, "float32")) / 6.0, alpha)


def beam_search(
    step_fn,
    states,
    start_tokens,
    end_token_id,
    max_length,
    source_length,
    beam_width,
    alpha=0.6,
):
    """Keeps the `beam_width` best hypotheses per row.

    Hypotheses are ranked by their summed log-probability divided by
    `length_penalty(length, alpha)`, the length counting the end token. A
    finished hypothesis stays in the beam with its score frozen, competing
    with the longer ones still growing. With `beam_width=1` this is exactly
    `greedy_search`.

    Args:
        step_fn: See the module docstring; called on `batch * beam_width`
            rows, row `b * beam_width + k` being beam `k` of sentence `b`.
        states: List of initial decoder states, each `[batch * beam_width,
            ...]` (every sentence repeated `beam_width` times).
        start_tokens: `[batch * beam_width]` int32.
        end_token_id, max_length, source_length: As in `greedy_search`.
        beam_width: Python int >= 1.
        alpha: Length-penalty exponent, a float or a float32 scalar tensor;
            0 ranks by summed log-probability.

    Returns:
        `(tokens, scores, weights)` of the best hypothesis per sentence, as
        in `greedy_search`; `scores` are the summed log-probabilities.
    """
    k = beam_width
    batch = ops.shape(start_tokens)[0] // k
    positions = ops.arange(max_length)
    # Row offsets that turn a per-sentence beam index into a flat row index.
    offsets = ops.arange(batch)[:, None] * k

    def reorder(x, parents):
        return ops.take(x, ops.reshape(offsets + parents, (-1,)), axis=0)

    def cond(
        i, tokens, states, scores, lengths, finished, out_tokens, out_weights
    ):
        return ops.logical_and(
            i < max_length, ops.logical_not(ops.all(finished))
        )

    def body(
        i, tokens, states, scores, lengths, finished, out_tokens, out_weights
    ):
        log_probs, states, weights = step_fn(tokens, states)
        vocabulary = ops.shape(log_probs)[-1]
        log_probs = ops.reshape(log_probs, (batch, k, vocabulary))
        # A finished hypothesis has one continuation: padding, at no cost.
        padding_only = ops.where(
            ops.equal(ops.arange(vocabulary), 0), 0.0, _IMPOSSIBLE
        )
        log_probs = ops.where(finished[..., None], padding_only, log_probs)
        candidates = scores[..., None] + log_probs
        candidate_lengths = ops.where(finished, lengths, lengths + 1)
        ranked = (
            candidates / length_penalty(candidate_lengths, alpha)[..., None]
        )
        _, best = ops.top_k(ops.reshape(ranked, (batch, k * vocabulary)), k)
        parents = best // vocabulary
        next_tokens = ops.cast(best % vocabulary, "int32")
        scores = ops.take_along_axis(
            ops.reshape(candidates, (batch, k * vocabulary)), best, axis=-1
        )
        lengths = ops.take_along_axis(candidate_lengths, parents, axis=-1)
        parent_finished = ops.take_along_axis(finished, parents, axis=-1)
        finished = ops.logical_or(
            parent_finished, ops.equal(next_tokens, end_token_id)
        )
        states = [reorder(state, parents) for state in states]
        weights = reorder(weights, parents)
        weights = (
            weights
            * ops.cast(
                ops.logical_not(ops.reshape(parent_finished, (-1,))),
                weights.dtype,
            )[:, None]
        )
        out_tokens = reorder(out_tokens, parents)
        out_weights = reorder(out_weights, parents)
        here = ops.equal(positions, i)[None, :]
        next_tokens = ops.reshape(next_tokens, (-1,))
        out_tokens = ops.where(here, next_tokens[:, None], out_tokens)
        out_weights = ops.where(
            here[..., None], weights[:, None, :], out_weights
        )
        return (
            i + 1,
            next_tokens,
            states,
            scores,
            lengths,
            finished,
            out_tokens,
            out_weights,
        )

    # Every beam starts from the same prefix: only beam 0 may be extended at
    # the first step, or the beam would fill with k copies of one hypothesis.
    first_beam = ops.equal(ops.arange(k), 0)[None, :]
    initial_scores = ops.where(
        first_beam, ops.zeros((batch, k)), ops.full((batch, k), _IMPOSSIBLE)
    )
    loop_vars = (
        0,
        start_tokens,
        list(states),
        initial_scores,
        ops.zeros((batch, k), "int32"),
        ops.zeros((batch, k), "bool"),
        ops.zeros((batch * k, max_length), "int32"),
        ops.zeros((batch * k, max_length, source_length), "float32"),
    )
    outputs = ops.while_loop(cond, body, loop_vars)
    _, _, _, scores, _, _, out_tokens, out_weights = outputs
    # top_k leaves beam 0 the best-ranked hypothesis of every sentence.
    best_rows = ops.arange(batch) * k
    return (
        ops.take(out_tokens, best_rows, axis=0),
        scores[:, 0],
        ops.take(out_weights, best_rows, axis=0),
    )
