import numpy as np
import pytest

from attention_tf.explain.token_edits import keep_words, word_positions


def _reference(ids, keep):
    """Each row's kept words, in order, then padding: plain Python."""
    rows = np.asarray(ids).reshape(-1, ids.shape[-1])
    flags = iter(keep)
    out = []
    for row in rows:
        kept = [i for i in row if i != 0 and next(flags)]
        out.append(kept + [0] * (len(row) - len(kept)))
    return np.array(out).reshape(ids.shape)


@pytest.mark.parametrize("shape", [(12,), (4, 6)])
def test_keep_words_matches_a_python_reference(shape):
    rng = np.random.default_rng(len(shape))
    ids = rng.integers(1, 50, size=shape)
    # Random padding: right padding per row, as the classifiers read it.
    rows = ids.reshape(-1, shape[-1])
    for row in rows:
        row[rng.integers(0, shape[-1] + 1) :] = 0
    ids = rows.reshape(shape)
    count = len(word_positions(ids))
    keep = rng.random((7, count)) < 0.5
    edited = keep_words(ids, keep)
    assert edited.shape == (7, *shape)
    for variant, flags in zip(edited, keep):
        np.testing.assert_array_equal(variant, _reference(ids, flags))


def test_keep_words_checks_the_word_count():
    with pytest.raises(ValueError, match="3 columns; the text has 2 words"):
        keep_words(np.array([5, 6, 0]), np.ones((1, 3), bool))
