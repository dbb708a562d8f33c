import numpy as np

from attention_tf.preprocessing.sentences import split_into_sentences
from attention_tf.preprocessing.vectorization import (
    adapt_vectorizer,
    texts_to_token_ids,
)


def test_vocabulary_comes_from_the_given_texts_only():
    _, vectorizer = adapt_vectorizer(["good good film", "bad film"], 10)
    vocabulary = vectorizer.get_vocabulary()
    assert vocabulary[:2] == ["", "[UNK]"]
    assert set(vocabulary[2:]) == {"good", "film", "bad"}
    assert vocabulary[2] in ("good", "film")


def test_token_ids_are_unpadded_and_truncated():
    standardizer, vectorizer = adapt_vectorizer(["a b c d", "a"], 10)
    ids, lengths = texts_to_token_ids(
        ["a b c d", "", "zzz"], standardizer, vectorizer, max_length=3
    )
    assert [len(row) for row in ids] == [3, 0, 1]
    assert lengths.tolist() == [4, 0, 1]
    assert ids[2].tolist() == [1]  # Out of vocabulary.


def test_sentences_split_on_boundary_ids_and_pad():
    ids = np.array([[5, 6, 2, 7, 8, 9, 3, 4], [5, 2, 0, 0, 0, 0, 0, 0]])
    out = split_into_sentences(ids, [2, 3]).numpy()
    np.testing.assert_array_equal(
        out[0], [[5, 6, 2, 0], [7, 8, 9, 3], [4, 0, 0, 0]]
    )
    np.testing.assert_array_equal(out[1], [[5, 2, 0, 0], [0] * 4, [0] * 4])
    capped = split_into_sentences(ids, [2, 3], 2, 2, sentence_multiple=4)
    assert tuple(capped.shape) == (2, 4, 2)
    np.testing.assert_array_equal(capped.numpy()[0, 1], [7, 8])
