"""A toy decoder for the samplers: a bigram table as the step function.

The next token's log-probabilities depend only on the previous token (a row
of `table`), so every sequence's score can be summed in NumPy and the best
one found by enumerating them all. Token 0 (padding) is never likely.
"""

import itertools

import numpy as np
from keras import ops

END = 3
SOURCE_LENGTH = 5


def bigram_table(seed, vocabulary=4):
    """Log-probabilities `[vocabulary, vocabulary]`, padding impossible."""
    logits = np.random.default_rng(seed).normal(size=(vocabulary, vocabulary))
    logits[:, 0] = -30.0
    shifted = logits - logits.max(axis=1, keepdims=True)
    return (
        shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    ).astype("float32")


def step_fn(table):
    """`step_fn(tokens, states)`: the table's row, a step counter, weights.

    The weights of step `i` put all attention on source position
    `i % SOURCE_LENGTH`, so the recorded buffers show which step wrote them.
    """
    table = ops.convert_to_tensor(table)

    def step(tokens, states):
        (count,) = states
        weights = ops.one_hot(count % SOURCE_LENGTH, SOURCE_LENGTH)
        return ops.take(table, tokens, axis=0), [count + 1], weights

    return step


def sequences(table, start, max_length):
    """Every sequence the decoder can emit: `(tokens, log_prob)` pairs.

    A sequence ends with the end token or at `max_length` tokens.
    """
    vocabulary = table.shape[0]
    found = []
    for length in range(1, max_length + 1):
        for tokens in itertools.product(range(1, vocabulary), repeat=length):
            ended = [t == END for t in tokens]
            if any(ended[:-1]) or (length < max_length and not ended[-1]):
                continue
            previous = (start,) + tokens[:-1]
            score = sum(table[p, t] for p, t in zip(previous, tokens))
            found.append((list(tokens), float(score)))
    return found


def padded(tokens, max_length):
    return tokens + [0] * (max_length - len(tokens))
