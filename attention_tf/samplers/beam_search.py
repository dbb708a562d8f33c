"""Beam search with the GNMT length penalty, one `keras.ops` loop.

Takes the same `step_fn` as `greedy_search` and stops the same way. Each
loop step extends every hypothesis by every token (`_extend`), keeps the
`beam_width` best per sentence (`_best`), reorders the decoder states and
output buffers after their parents and records the step (`_beam_step`).
"""

import functools

from keras import ops

from attention_tf.samplers.loop import (
    decoding_continues,
    output_buffers,
    record_step,
    zero_finished_rows,
)

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
    loop_vars = (
        0,
        start_tokens,
        list(states),
        ops.zeros((batch, k), "bool"),
        _initial_scores(batch, k),
        ops.zeros((batch, k), "int32"),
        *output_buffers(batch * k, max_length, source_length),
    )
    outputs = ops.while_loop(
        functools.partial(decoding_continues, max_length),
        functools.partial(
            _beam_step, step_fn, end_token_id, alpha, ops.arange(max_length)
        ),
        loop_vars,
    )
    _, _, _, _, scores, _, out_tokens, out_weights = outputs
    # top_k leaves beam 0 the best-ranked hypothesis of every sentence.
    best = functools.partial(ops.take, indices=ops.arange(batch) * k, axis=0)
    return best(out_tokens), scores[:, 0], best(out_weights)


def _initial_scores(batch, k):
    """`[batch, k]` scores: 0 for beam 0, impossible for the others.

    Every beam starts from the same prefix: only beam 0 may be extended at
    the first step, or the beam would fill with k copies of one hypothesis.
    """
    first_beam = ops.equal(ops.arange(k), 0)[None, :]
    return ops.where(
        first_beam, ops.zeros((batch, k)), ops.full((batch, k), _IMPOSSIBLE)
    )


def _beam_step(
    step_fn,
    end_token_id,
    alpha,
    positions,
    i,
    tokens,
    states,
    finished,
    scores,
    lengths,
    out_tokens,
    out_weights,
):
    """One loop step: extend, keep the best, reorder after the parents, record.

    Args:
        step_fn, end_token_id, alpha: As in `beam_search`.
        positions: `ops.arange(max_length)`, for `record_step`.
        i, ..., out_weights: The loop variables; `finished`, `scores` and
            `lengths` are `[batch, beam_width]`, the others flat rows.

    Returns:
        The loop variables of the next step.
    """
    log_probs, states, weights = step_fn(tokens, states)
    candidates, candidate_lengths = _extend(
        log_probs, scores, lengths, finished
    )
    parents, tokens, scores, lengths = _best(
        candidates, candidate_lengths, alpha
    )
    parent_finished = ops.take_along_axis(finished, parents, axis=-1)
    finished = ops.logical_or(parent_finished, ops.equal(tokens, end_token_id))
    reorder = functools.partial(ops.take, indices=_rows(parents), axis=0)
    weights = zero_finished_rows(
        reorder(weights), ops.reshape(parent_finished, (-1,))
    )
    tokens = ops.reshape(tokens, (-1,))
    out_tokens, out_weights = record_step(
        positions, i, tokens, weights, reorder(out_tokens), reorder(out_weights)
    )
    states = [reorder(state) for state in states]
    return (
        i + 1,
        tokens,
        states,
        finished,
        scores,
        lengths,
        out_tokens,
        out_weights,
    )


def _extend(log_probs, scores, lengths, finished):
    """Every hypothesis extended by every token.

    Args:
        log_probs: `[batch * beam_width, vocabulary]`, from `step_fn`.
        scores, lengths, finished: `[batch, beam_width]`.

    Returns:
        `(candidates, candidate_lengths)`: summed log-probabilities
        `[batch, beam_width, vocabulary]` and lengths `[batch, beam_width]`.
    """
    batch, k = ops.shape(scores)
    vocabulary = ops.shape(log_probs)[-1]
    log_probs = ops.reshape(log_probs, (batch, k, vocabulary))
    # A finished hypothesis has one continuation: padding, at no cost.
    padding_only = ops.where(
        ops.equal(ops.arange(vocabulary), 0), 0.0, _IMPOSSIBLE
    )
    log_probs = ops.where(finished[..., None], padding_only, log_probs)
    candidates = scores[..., None] + log_probs
    return candidates, ops.where(finished, lengths, lengths + 1)


def _best(candidates, candidate_lengths, alpha):
    """The `beam_width` best-ranked candidates of every sentence.

    Args:
        candidates, candidate_lengths: From `_extend`.
        alpha: The length-penalty exponent.

    Returns:
        `(parents, tokens, scores, lengths)`, each `[batch, beam_width]`:
        the beam each comes from, its last token (int32), its summed
        log-probability and its length, best first.
    """
    batch, k, vocabulary = ops.shape(candidates)
    ranked = candidates / length_penalty(candidate_lengths, alpha)[..., None]
    _, best = ops.top_k(ops.reshape(ranked, (batch, k * vocabulary)), k)
    parents = best // vocabulary
    scores = ops.take_along_axis(
        ops.reshape(candidates, (batch, k * vocabulary)), best, axis=-1
    )
    lengths = ops.take_along_axis(candidate_lengths, parents, axis=-1)
    return parents, ops.cast(best % vocabulary, "int32"), scores, lengths


def _rows(parents):
    """Flat row `b * beam_width + parent` of every kept hypothesis."""
    batch, k = ops.shape(parents)
    return ops.reshape(ops.arange(batch)[:, None] * k + parents, (-1,))
