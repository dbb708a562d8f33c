"""Batches of similar length: a bounded set of padded shapes, fast on LSTMs.

Padding every review to one cap wastes half the steps on padding; letting
every batch have its own length makes TensorFlow retrace the training step.
A few fixed bucket lengths keep both small.
"""

import numpy as np
import tensorflow as tf

from attention_tf.utils.arguments import check_positive_integers


def bucket_lengths(lengths, num_buckets, max_length, multiple=8):
    """Chooses up to `num_buckets` padded lengths that waste the least padding.

    Each length (clipped to `max_length`) rounded up to a multiple of
    `multiple` is a candidate edge; dynamic programming picks the edges
    that minimise the total padding of `lengths` when every text goes to
    the shortest edge that holds it. The last edge is always `max_length`.

    Returns:
        A sorted list of distinct positive ints ending with `max_length`.
    """
    if num_buckets < 1:
        raise ValueError(
            f"`num_buckets` must be >= 1. Received: num_buckets={num_buckets}"
        )
    if max_length < 1:
        raise ValueError(
            f"`max_length` must be >= 1. Received: max_length={max_length}"
        )
    clipped = np.sort(np.minimum(np.asarray(lengths, "int64"), max_length))
    rounded = np.ceil(np.maximum(clipped, 1) / multiple) * multiple
    edges = np.union1d(np.minimum(rounded, max_length), [max_length])
    edges = edges.astype("int64")
    # below[j]: texts that fit edge j; padding[i, j]: the padding of the
    # texts longer than edge i that go to edge j (i < j).
    below = np.searchsorted(clipped, edges, side="right")
    tokens = np.concatenate([[0], np.cumsum(clipped)])[below]
    padding = (below[None, :] - below[:, None]) * edges[None, :] - (
        tokens[None, :] - tokens[:, None]
    )
    padding[np.tril_indices(len(edges))] = np.iinfo("int64").max // 4
    # cost[j]: the least padding of the texts up to edge j, with edge j as
    # the last bucket, using at most k buckets (k = 1, 2, ...).
    cost = below * edges - tokens
    choices = []
    for _ in range(min(num_buckets, len(edges)) - 1):
        totals = cost[:, None] + padding
        split = np.argmin(totals, axis=0)
        better = totals[split, np.arange(len(edges))] < cost
        # -1: one bucket fewer does as well.
        choices.append(np.where(better, split, -1))
        cost = np.where(better, totals[split, np.arange(len(edges))], cost)
    chosen, j = [len(edges) - 1], len(edges) - 1
    for choice in reversed(choices):
        if choice[j] >= 0:
            j = int(choice[j])
            chosen.append(j)
    return sorted(int(edges[k]) for k in chosen)


class EpochOrder:
    """A seeded shuffle per epoch, so a resumed run sees the same batches.

    `tf.data`'s own reshuffling restarts from the first epoch's order when
    a killed run resumes; here the order depends on `(seed, epoch)` only.
    Set `epoch` before each epoch (see `training.doc_classifier`).
    """

    def __init__(self, size, seed):
        self.size = size
        self.seed = seed
        self.epoch = 0

    def __call__(self):
        rng = np.random.default_rng([self.seed, self.epoch])
        return iter(rng.permutation(self.size))


def bucketed_dataset(
    token_ids, labels, batch_size, lengths, order=None, batch_tokens=None
):
    """A `tf.data` pipeline of right-padded batches of similar length.

    Args:
        token_ids: List of 1-D int arrays, none longer than `lengths[-1]`.
        labels: Integer labels, one per text.
        batch_size: Texts per batch (the least, with `batch_tokens`).
        lengths: Padded lengths from `bucket_lengths`; a text goes to the
            shortest that holds it.
        order: An `EpochOrder` to shuffle by, or `None` to keep the order.
        batch_tokens: If set, a bucket of length `L` batches
            `max(batch_size, batch_tokens // L)` texts, so that short texts
            travel in larger batches and every step does about the same
            work (see `bucket_batch_sizes`). `None`: `batch_size` for all.

    Returns:
        A dataset of `(ids [batch, time], labels [batch])` whose
        `element_spec` has the shape `(None, None)`: the time dimension is
        one of `lengths`, and Keras does not fix it to the first batch's.
    """
    table, labels = _as_tensors(token_ids, labels, lengths[-1])
    dataset = _ordered_indices(len(token_ids), order).map(
        lambda i: (table[i], labels[i])
    )
    # `bucket_by_sequence_length` pads a bucket to its upper boundary - 1.
    boundaries = [length + 1 for length in lengths]
    dataset = dataset.bucket_by_sequence_length(
        element_length_func=lambda ids, label: tf.shape(ids)[0],
        bucket_boundaries=boundaries,
        # The extra last bucket (longer than every boundary) stays empty.
        bucket_batch_sizes=bucket_batch_sizes(lengths, batch_size, batch_tokens)
        + [batch_size],
        pad_to_bucket_boundary=True,
    )
    return dataset.prefetch(tf.data.AUTOTUNE)


def bucket_batch_sizes(lengths, batch_size, batch_tokens=None):
    """Texts per batch for each bucket length.

    An LSTM step costs about the same for 32 rows as for 200 on a CPU, so
    batches of short texts are cheap; `batch_tokens` fills them up to about
    the same number of padded steps as a batch of the longest texts.

    Returns:
        A list of ints, one per entry of `lengths`.
    """
    check_positive_integers(
        allow_none=True, batch_size=batch_size, batch_tokens=batch_tokens
    )
    if batch_tokens is None:
        return [batch_size] * len(lengths)
    return [max(batch_size, batch_tokens // length) for length in lengths]


def padded_dataset(token_ids, labels, batch_size, max_length, order=None):
    """Like `bucketed_dataset`, with every batch padded to `max_length`."""
    table, labels = _as_tensors(token_ids, labels, max_length)
    dataset = _ordered_indices(len(token_ids), order).map(
        lambda i: (table[i], labels[i])
    )
    dataset = dataset.padded_batch(batch_size, padded_shapes=([max_length], []))
    return dataset.prefetch(tf.data.AUTOTUNE)


def padding_share(dataset):
    """The share of padding (id 0) among all time steps of `dataset`."""
    real = total = 0
    for ids, _ in dataset:
        ids = ids.numpy()
        real += int((ids != 0).sum())
        total += ids.size
    return 1.0 - real / max(total, 1)


def _as_tensors(token_ids, labels, max_length):
    if len(token_ids) != len(labels):
        raise ValueError(
            "`token_ids` and `labels` must have the same length. Received: "
            f"{len(token_ids)} and {len(labels)}"
        )
    if not len(token_ids):
        raise ValueError("`token_ids` is empty: no texts to batch.")
    longest = max(len(ids) for ids in token_ids)
    if longest > max_length:
        raise ValueError(
            f"A text has {longest} tokens, more than the largest bucket "
            f"length {max_length}. Truncate the texts first."
        )
    lengths = [len(ids) for ids in token_ids]
    flat = np.concatenate([np.asarray(ids, "int32") for ids in token_ids])
    table = tf.RaggedTensor.from_row_lengths(flat, lengths)
    return table, tf.constant(np.asarray(labels, "int32"))


def _ordered_indices(size, order):
    if order is None:
        return tf.data.Dataset.range(size)
    return tf.data.Dataset.from_generator(
        order, output_signature=tf.TensorSpec(shape=(), dtype=tf.int64)
    )
