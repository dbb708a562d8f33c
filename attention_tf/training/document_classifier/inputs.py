"""Token ids and `tf.data` batches for the document classifier.

Texts become ids once, through the model's own preprocessor; batches hold
texts of similar length (length buckets), shuffled per epoch by a seeded
`EpochOrder`, and go through the preprocessor's last step (sentences for
HAN) in the pipeline. With virtual adversarial training, each training
batch also carries a batch of unlabelled texts (`with_unlabelled`).
"""

import collections
import dataclasses

import numpy as np
import tensorflow as tf

from attention_tf.data.length_buckets import (
    EpochOrder,
    bucket_batch_sizes,
    bucket_lengths,
    bucketed_dataset,
    padding_share,
)

SPLITS = ("train", "validation", "test")
# HAN batches pad their sentence axis to a multiple of this: few shapes.
_SENTENCE_MULTIPLE = 4

TokenIds = collections.namedtuple("TokenIds", ["ids", "labels", "lengths"])


@dataclasses.dataclass(frozen=True)
class Batches:
    """The three splits as datasets, and how the training split is cut.

    Attributes:
        datasets: `tf.data` datasets by split name, of known cardinality.
        order: The training split's `EpochOrder`.
        bucket_lengths: Padded length of each bucket.
        bucket_batch_sizes: Texts per batch in each bucket.
        padding_share: Share of padding in the training batches.
    """

    datasets: dict
    order: EpochOrder
    bucket_lengths: list
    bucket_batch_sizes: list
    padding_share: float

    def describe(self):
        """One line for the training log."""
        return (
            f"Buckets {self.bucket_lengths}, texts per batch "
            f"{self.bucket_batch_sizes}: {self.padding_share:.1%} padding."
        )


def tokenize(data, preprocessor):
    """`TokenIds` per split name, from a `DocumentData`."""
    tokens = {}
    for name in SPLITS:
        split = getattr(data, name)
        ids, lengths = preprocessor.token_id_lists(split.texts)
        tokens[name] = TokenIds(ids, np.asarray(split.labels, "int32"), lengths)
    return tokens


def describe_tokens(tokens, preprocessor):
    """One line for the training log: vocabulary, cap, truncation."""
    lengths = tokens["train"].lengths
    return (
        f"Vocabulary {preprocessor.vectorizer.vocabulary_size()} words; cap "
        f"{preprocessor.max_length} tokens truncates "
        f"{truncated_share(tokens, preprocessor.max_length):.1%} of training "
        f"texts (median length "
        f"{int(np.median(lengths))})."
    )


def truncated_share(tokens, max_length):
    """Share of training texts longer than `max_length` tokens."""
    return float(np.mean(tokens["train"].lengths > max_length))


def make_batches(config, tokens, preprocessor):
    """Buckets the training lengths and builds the three datasets."""
    train = tokens["train"]
    lengths = bucket_lengths(
        train.lengths, config.num_buckets, config.max_length
    )
    order = EpochOrder(len(train.ids), config.seed)
    datasets = {}
    for name, split in tokens.items():
        dataset = bucketed_dataset(
            split.ids,
            split.labels,
            config.batch_size,
            lengths,
            order if name == "train" else None,
            batch_tokens=config.batch_tokens,
        ).map(
            lambda ids, labels: (
                preprocessor.model_input(ids, _SENTENCE_MULTIPLE),
                labels,
            )
        )
        # A known length gives the progress bar its total from epoch 1.
        batches = sum(1 for _ in dataset)
        datasets[name] = dataset.apply(
            tf.data.experimental.assert_cardinality(batches)
        )
    padding = padding_share(
        bucketed_dataset(train.ids, train.labels, config.batch_size, lengths)
    )
    return Batches(
        datasets=datasets,
        order=order,
        bucket_lengths=lengths,
        bucket_batch_sizes=bucket_batch_sizes(
            lengths, config.batch_size, config.batch_tokens
        ),
        padding_share=padding,
    )


def with_unlabelled(config, batches, pool_ids, preprocessor):
    """`batches` whose training batches each carry an unlabelled batch.

    The pool (for IMDB: the training texts, labels unused, and the
    unlabelled reviews) is bucketed by the training buckets and shuffled
    per epoch in its own seeded order; labelled batch `i` of an epoch is
    zipped with pool batch `i`, as `({"token_ids", "unlabelled_token_ids"},
    labels)`, so the epoch keeps its number of steps.

    Args:
        config: The run's `DocumentClassifierConfig`.
        batches: `Batches` from `make_batches`.
        pool_ids: Token id arrays of the unlabelled texts.
        preprocessor: The `DocumentClassifierPreprocessor`.

    Returns:
        A `Batches` with the new training dataset.
    """
    pool = bucketed_dataset(
        pool_ids,
        np.zeros(len(pool_ids), "int32"),
        config.batch_size,
        batches.bucket_lengths,
        _FollowingOrder(len(pool_ids), config.seed, batches.order),
        batch_tokens=config.batch_tokens,
    ).map(lambda ids, _: preprocessor.model_input(ids, _SENTENCE_MULTIPLE))
    train = tf.data.Dataset.zip(batches.datasets["train"], pool.repeat()).map(
        lambda labelled, unlabelled: (
            {"token_ids": labelled[0], "unlabelled_token_ids": unlabelled},
            labelled[1],
        )
    )
    return dataclasses.replace(
        batches, datasets={**batches.datasets, "train": train}
    )


class _FollowingOrder:
    """A seeded shuffle per epoch of another `EpochOrder`, for the pool.

    Its epoch is the training order's, so that `EpochOrderUpdate` moves
    both and a resumed run sees the same pool batches.
    """

    def __init__(self, size, seed, order):
        self.size = size
        self.seed = seed
        self.order = order

    def __call__(self):
        # A stream of its own: not the training order's permutation.
        rng = np.random.default_rng([self.seed, self.order.epoch, 1])
        return iter(rng.permutation(self.size))


def word_frequencies(token_ids, vocabulary_size):
    """Occurrences of each token id in a list of id arrays."""
    counts = np.zeros(vocabulary_size, "int64")
    for ids in token_ids:
        counts += np.bincount(ids, minlength=vocabulary_size)
    return counts
