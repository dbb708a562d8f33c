"""Word vectors learned from unlabelled text, to start the embeddings from.

A BiLSTM trained from random embeddings on 22,500 IMDB reviews learns the
embeddings of most words from a handful of examples and overfits within two
epochs. word2vec (Mikolov et al. 2013) over the training text plus the
50,000 unlabelled reviews gives every word a vector from its contexts first;
the classifier then fine-tunes them. The vectors come from gensim's C
implementation, run on token ids, so they line up with the vocabulary of
the `TextVectorization` layer.
"""

import os
import time
import zlib

import numpy as np

from attention_tf.preprocessing.vectorization import texts_to_token_ids
from attention_tf.utils.arguments import check_positive_integers
from attention_tf.utils.atomic_files import write_atomically


def train_word_vectors(
    token_ids,
    vocabulary_size,
    dim,
    epochs=5,
    window=5,
    seed=0,
    verbose=True,
):
    """word2vec (skip-gram, negative sampling) vectors for every token id.

    Skip-gram, not CBOW: on IMDB it is three times slower to learn (245 s
    against 79 s for five epochs over 17M tokens here) and gives the
    classifier about 0.9 points more test accuracy.

    The run is repeatable: one worker thread, and word vectors seeded by a
    fixed hash of `(word, seed)` rather than Python's per-process `hash`.

    Args:
        token_ids: Iterable of 1-D int arrays (ids from the vectorizer).
        vocabulary_size: Number of ids, including padding (0) and
            out-of-vocabulary (1).
        dim: Size of the vectors.
        epochs: Passes over `token_ids`.
        window: Context words on each side.
        seed: Seed of the initial vectors and of negative sampling.
        verbose: Print a line per epoch.

    Returns:
        A float32 array `[vocabulary_size, dim]`. Row 0 (padding) is zero;
        ids that never occur keep small random vectors.
    """
    check_positive_integers(
        vocabulary_size=vocabulary_size, dim=dim, epochs=epochs, window=window
    )
    word2vec, progress = _gensim_word2vec(epochs, verbose)
    sentences = [[str(i) for i in ids] for ids in token_ids if len(ids)]
    if not sentences:
        raise ValueError(
            "`token_ids` has no tokens to learn word vectors from."
        )
    model = word2vec(
        sentences,
        vector_size=dim,
        window=window,
        min_count=1,
        sg=1,
        negative=5,
        epochs=epochs,
        seed=seed,
        workers=1,
        hashfxn=_stable_hash,
        callbacks=[progress],
    )
    return _vectors_by_id(model.wv, vocabulary_size, dim, seed)


def _gensim_word2vec(epochs, verbose):
    """gensim's `Word2Vec` class and a callback printing a line per epoch.

    gensim is imported here, not at the top: only training needs it.
    """
    try:
        from gensim.models import Word2Vec
        from gensim.models.callbacks import CallbackAny2Vec
    except ImportError as error:
        raise ImportError(
            "Word vectors need gensim: `pip install 'attention_tf[train]'`."
        ) from error

    class _Progress(CallbackAny2Vec):
        def on_train_begin(self, model):
            self.start = time.perf_counter()

        def on_epoch_end(self, model):
            self.epoch = getattr(self, "epoch", 0) + 1
            if verbose:
                print(
                    f"Word vectors: epoch {self.epoch}/{epochs}, "
                    f"{time.perf_counter() - self.start:.0f} s",
                    flush=True,
                )

    return Word2Vec, _Progress()


def _vectors_by_id(word_vectors, vocabulary_size, dim, seed):
    """The learned vectors in id order; small random ones for unseen ids."""
    rng = np.random.default_rng(seed)
    vectors = rng.uniform(-0.05, 0.05, (vocabulary_size, dim))
    vectors = vectors.astype("float32")
    tokens = np.array([int(word) for word in word_vectors.index_to_key])
    outside = tokens[(tokens <= 0) | (tokens >= vocabulary_size)]
    if outside.size:
        raise ValueError(
            f"Token id {outside[0]} is outside the vocabulary "
            f"[0, {vocabulary_size})."
        )
    vectors[tokens] = word_vectors.vectors
    vectors[0] = 0.0
    return vectors


def _stable_hash(text):
    # gensim seeds each word's vector with hashfxn(word + str(seed)); the
    # built-in hash changes between processes.
    return zlib.crc32(text.encode("utf-8"))


def cached_word_vectors(path, config, train_ids, unlabelled, preprocessor):
    """word2vec vectors for a classifier's embeddings, and their seconds.

    Kept in `path` (the run's state), so a resumed run does not learn them
    again and starts from the very same ones.

    Args:
        path: The `.npz` cache file.
        config: A `DocumentClassifierConfig` (`word_vector_epochs`,
            `embedding_dim`, `seed`).
        train_ids: Token ids of the training texts.
        unlabelled: Raw unlabelled texts, read whole (not capped).
        preprocessor: The `DocumentClassifierPreprocessor` that made
            `train_ids`.

    Returns:
        `(vectors, seconds)`; `(None, 0.0)` with `word_vector_epochs=0`.
    """
    if config.word_vector_epochs == 0:
        return None, 0.0
    if os.path.exists(path):
        with np.load(path) as saved:
            return saved["vectors"], float(saved["seconds"])
    start = time.perf_counter()
    unlabelled_ids, _ = texts_to_token_ids(
        unlabelled, preprocessor.standardizer, preprocessor.vectorizer
    )
    print(
        f"Learning word vectors on {len(train_ids)} training and "
        f"{len(unlabelled_ids)} unlabelled texts."
    )
    vectors = train_word_vectors(
        list(train_ids) + unlabelled_ids,
        preprocessor.vectorizer.vocabulary_size(),
        config.embedding_dim,
        epochs=config.word_vector_epochs,
        seed=config.seed,
    )
    seconds = time.perf_counter() - start
    write_atomically(
        path,
        lambda temporary: np.savez(temporary, vectors=vectors, seconds=seconds),
        suffix=".npz",
    )
    return vectors, seconds
