"""`greedy_search` against the toy decoder's argmax path, in NumPy."""

import numpy as np
import pytest
from keras import ops

from attention_tf.samplers import greedy_search
from tests.samplers.toy_decoder import (
    END,
    SOURCE_LENGTH,
    bigram_table,
    padded,
    step_fn,
)


def argmax_path(table, start, max_length):
    """The greedy tokens and summed log-probability, step by step."""
    tokens, score, previous = [], 0.0, start
    while len(tokens) < max_length and (not tokens or tokens[-1] != END):
        token = int(np.argmax(table[previous]))
        score += float(table[previous, token])
        tokens.append(token)
        previous = token
    return tokens, score


@pytest.mark.parametrize("seed", range(4))
def test_greedy_follows_the_argmax_and_stops_at_the_end_token(seed):
    table = bigram_table(seed)
    starts = np.array([1, 2, 1], "int32")
    max_length = 6
    tokens, scores, weights = greedy_search(
        step_fn(table),
        [ops.zeros((3,), "int32")],
        ops.convert_to_tensor(starts),
        END,
        max_length,
        SOURCE_LENGTH,
    )
    tokens, scores, weights = (
        ops.convert_to_numpy(x) for x in (tokens, scores, weights)
    )
    for row, start in enumerate(starts):
        expected, score = argmax_path(table, start, max_length)
        np.testing.assert_array_equal(tokens[row], padded(expected, max_length))
        np.testing.assert_allclose(scores[row], score, rtol=1e-5, atol=1e-5)
        # Step i attends to position i; after the end token, nowhere.
        for step in range(max_length):
            want = np.zeros(SOURCE_LENGTH)
            if step < len(expected):
                want[step % SOURCE_LENGTH] = 1.0
            np.testing.assert_array_equal(weights[row, step], want)


def test_greedy_stops_when_every_row_has_ended():
    calls = []
    table = np.full((4, 4), -30.0, "float32")
    table[:, END] = 0.0  # the end token, with certainty, from any token
    step = step_fn(table)

    def counting_step(tokens, states):
        calls.append(1)
        return step(tokens, states)

    tokens, _, _ = greedy_search(
        counting_step,
        [ops.zeros((2,), "int32")],
        ops.convert_to_tensor(np.array([1, 2], "int32")),
        END,
        8,
        SOURCE_LENGTH,
    )
    np.testing.assert_array_equal(
        ops.convert_to_numpy(tokens), [[END] + [0] * 7] * 2
    )
    assert len(calls) <= 2  # one step, plus a trace on graph backends
