"""`beam_search` against every sequence the toy decoder can emit."""

import numpy as np
import pytest
from keras import ops

from attention_tf.samplers import beam_search, greedy_search, length_penalty
from tests.samplers.toy_decoder import (
    END,
    SOURCE_LENGTH,
    bigram_table,
    padded,
    sequences,
    step_fn,
)


def run_beam(table, starts, max_length, beam_width, alpha):
    rows = np.repeat(starts, beam_width).astype("int32")
    outputs = beam_search(
        step_fn(table),
        [ops.zeros((len(rows),), "int32")],
        ops.convert_to_tensor(rows),
        END,
        max_length,
        SOURCE_LENGTH,
        beam_width,
        alpha=alpha,
    )
    return [ops.convert_to_numpy(x) for x in outputs]


@pytest.mark.parametrize("alpha", [0.0, 0.6, 2.0])
@pytest.mark.parametrize("seed", range(3))
def test_a_wide_beam_finds_the_best_ranked_sequence(seed, alpha):
    """With room for every prefix, the beam is an exhaustive search."""
    table, max_length = bigram_table(seed), 3
    starts = np.array([1, 2])
    tokens, scores, _ = run_beam(table, starts, max_length, 16, alpha)
    for row, start in enumerate(starts):
        found = sequences(table, start, max_length)
        best, score = max(
            found, key=lambda pair: pair[1] / ((5 + len(pair[0])) / 6) ** alpha
        )
        np.testing.assert_array_equal(tokens[row], padded(best, max_length))
        np.testing.assert_allclose(scores[row], score, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("seed", range(3))
def test_a_beam_of_one_is_greedy_search(seed):
    table, max_length = bigram_table(seed), 5
    starts = np.array([1, 2, 2])
    beam = run_beam(table, starts, max_length, 1, 0.6)
    greedy = greedy_search(
        step_fn(table),
        [ops.zeros((3,), "int32")],
        ops.convert_to_tensor(starts.astype("int32")),
        END,
        max_length,
        SOURCE_LENGTH,
    )
    for got, want in zip(beam, greedy):
        np.testing.assert_allclose(got, ops.convert_to_numpy(want), atol=1e-6)


def test_the_weights_follow_the_kept_hypothesis():
    table, max_length = bigram_table(7), 4
    tokens, _, weights = run_beam(table, np.array([1]), max_length, 4, 0.6)
    length = int(np.count_nonzero(tokens[0]))
    for step in range(max_length):
        want = np.zeros(SOURCE_LENGTH)
        if step < length:
            want[step % SOURCE_LENGTH] = 1.0
        np.testing.assert_array_equal(weights[0, step], want)


def test_length_penalty_is_gnmt():
    lengths = np.array([1, 4, 10])
    np.testing.assert_allclose(
        ops.convert_to_numpy(length_penalty(lengths, 0.6)),
        ((5 + lengths) / 6) ** 0.6,
        rtol=1e-6,
    )
