"""The document classifier's data: IMDB or the user's files, split three ways.

Every draw comes from one generator seeded with the run's seed, in a fixed
order (test hold-out, subsets, validation, unlabelled subset), so a seed
gives the same splits on every machine.
"""

import collections
import dataclasses
import os

import numpy as np

from attention_tf.data.imdb import IMDB_CLASS_NAMES, load_imdb
from attention_tf.data.labelled_files import load_labelled_texts
from attention_tf.data.splits import group_split

Split = collections.namedtuple("Split", ["texts", "labels"])


@dataclasses.dataclass(frozen=True)
class DocumentData:
    """Texts and integer labels, split for training.

    Attributes:
        train, validation, test: `Split`s of texts and labels.
        unlabelled: Extra texts for the vocabulary and word vectors.
        class_names: The name of each label.
        skipped_rows: Malformed rows of the user's data that were skipped.
        validation_grouped_by: `"movie"` when validation holds whole
            movies (IMDB), else `None`.
    """

    train: Split
    validation: Split
    test: Split
    unlabelled: list
    class_names: list
    skipped_rows: int
    validation_grouped_by: str

    def describe(self):
        """One line for the training log."""
        grouped = (
            f"validation holds whole {self.validation_grouped_by}s; "
            if self.validation_grouped_by
            else ""
        )
        skipped = (
            f"; skipped {self.skipped_rows} bad rows"
            if self.skipped_rows
            else ""
        )
        return (
            f"Data: {len(self.train.texts)} train, "
            f"{len(self.validation.texts)} validation, "
            f"{len(self.test.texts)} test texts, {len(self.unlabelled)} "
            f"unlabelled; {grouped}classes {self.class_names}{skipped}"
        )


def load_document_data(config):
    """Loads and splits the data a `DocumentClassifierConfig` names."""
    rng = np.random.default_rng(config.seed)
    if is_imdb(config.data):
        # For the word vectors, and for virtual adversarial training.
        use_unlabelled = (
            config.word_vector_epochs > 0 or config.vat_weight > 0
        ) and config.unlabelled_size != 0
        imdb = load_imdb(config.data, include_unlabelled=use_unlabelled)
        train = (imdb.train_texts, imdb.train_labels, imdb.train_movies)
        test = (imdb.test_texts, imdb.test_labels)
        unlabelled = imdb.unlabelled_texts
        class_names, skipped = list(IMDB_CLASS_NAMES), 0
    else:
        loaded = load_labelled_texts(
            config.data,
            config.text_column,
            config.label_column,
            config.skip_bad_rows,
            config.encoding,
        )
        test, train = _hold_out_test(
            loaded, config.test_share, config.data, rng
        )
        train = (*train, None)
        unlabelled, class_names = [], loaded.class_names
        skipped = loaded.skipped_rows
    grouped = train[2] is not None
    train = _subset(train if grouped else train[:2], config.train_size, rng)
    test = _subset(test, config.test_size, rng)
    num_validation = min(config.validation_size, max(1, len(train[0]) // 10))
    validation, rest = group_split(
        len(train[0]), num_validation, train[2] if grouped else None, rng
    )
    # Drawn last, so that the other splits do not depend on it.
    (unlabelled,) = _subset((unlabelled,), config.unlabelled_size, rng)
    return DocumentData(
        train=Split(*_take(train[:2], rest)),
        validation=Split(*_take(train[:2], validation)),
        test=Split(*test),
        unlabelled=list(unlabelled),
        class_names=class_names,
        skipped_rows=skipped,
        validation_grouped_by="movie" if grouped else None,
    )


def is_imdb(path):
    """Whether `path` is IMDB (`None`: found or downloaded)."""
    if path is None:
        return True
    if os.path.isdir(path):
        return any(
            os.path.isdir(os.path.join(path, *parts))
            for parts in (("aclImdb",), ("train", "pos"))
        )
    return path.endswith((".tar.gz", ".tgz"))


def _hold_out_test(loaded, test_share, path, rng):
    texts, labels = loaded.texts, loaded.labels
    order = rng.permutation(len(texts))
    num_test = max(1, int(round(test_share * len(texts))))
    if len(texts) - num_test < 2:
        raise ValueError(
            f"{path!r} has {len(texts)} texts: too few to hold out a test set "
            "and still train."
        )
    return (
        _take((texts, labels), order[:num_test]),
        _take((texts, labels), order[num_test:]),
    )


def _take(columns, indices):
    return tuple([column[i] for i in indices] for column in columns)


def _subset(columns, size, rng):
    if size is None or size >= len(columns[0]):
        return columns
    return _take(columns, np.sort(rng.permutation(len(columns[0]))[:size]))
