import numpy as np
import pytest

from attention_tf.training.word_vectors import train_word_vectors


def _topic_corpus(seed=0, texts=400):
    """Ids 2-9 come from one topic, 10-17 from another; 18-19 never occur."""
    rng = np.random.default_rng(seed)
    corpus = []
    for i in range(texts):
        low = 2 if i % 2 else 10
        corpus.append(rng.integers(low, low + 8, size=int(rng.integers(5, 30))))
    return corpus


def _cosine(a, b):
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_words_of_one_topic_get_closer_vectors():
    vectors = train_word_vectors(
        _topic_corpus(), 20, 16, epochs=20, window=3, verbose=False
    )
    assert vectors.shape == (20, 16) and vectors.dtype == np.float32
    same = np.mean(
        [
            _cosine(vectors[a], vectors[b])
            for a in range(2, 10)
            for b in range(2, 10)
            if a < b
        ]
        + [
            _cosine(vectors[a], vectors[b])
            for a in range(10, 18)
            for b in range(10, 18)
            if a < b
        ]
    )
    across = np.mean(
        [
            _cosine(vectors[a], vectors[b])
            for a in range(2, 10)
            for b in range(10, 18)
        ]
    )
    assert same > across + 0.3, (same, across)


def test_padding_row_is_zero_and_unseen_ids_stay_small():
    vectors = train_word_vectors(
        _topic_corpus(texts=50), 20, 8, epochs=1, verbose=False
    )
    np.testing.assert_array_equal(vectors[0], 0.0)
    assert np.abs(vectors[18:]).max() <= 0.05
    assert np.all(np.isfinite(vectors))


def test_same_seed_same_vectors_other_seed_other_vectors():
    corpus = _topic_corpus(texts=100)
    first = train_word_vectors(corpus, 20, 8, epochs=2, seed=3, verbose=False)
    again = train_word_vectors(corpus, 20, 8, epochs=2, seed=3, verbose=False)
    other = train_word_vectors(corpus, 20, 8, epochs=2, seed=4, verbose=False)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_prints_progress_per_epoch(capsys):
    train_word_vectors(_topic_corpus(texts=20), 20, 4, epochs=2)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "Word vectors: epoch 1/2",
        "Word vectors: epoch 2/2",
    ]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(dim=0), "`dim` must be a positive integer"),
        (dict(epochs=0), "`epochs` must be a positive integer"),
        (dict(vocabulary_size=5), "Token id 9 is outside the vocabulary"),
    ],
)
def test_bad_arguments_name_the_problem(kwargs, message):
    arguments = dict(
        token_ids=[np.array([2, 9, 3])], vocabulary_size=20, dim=4, epochs=1
    )
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        train_word_vectors(verbose=False, **arguments)


def test_no_tokens_is_an_error():
    with pytest.raises(ValueError, match="no tokens"):
        train_word_vectors([np.array([], "int32")], 20, 4, verbose=False)
