import numpy as np
import pytest

from attention_tf.data.length_buckets import (
    EpochOrder,
    bucket_lengths,
    bucketed_dataset,
    padded_dataset,
    padding_share,
)


def _texts(count=200, seed=0):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 60, size=count)
    return [rng.integers(1, 50, size=n).astype("int32") for n in lengths]


def test_bucket_lengths_are_bounded_and_end_at_the_cap():
    lengths = np.arange(1, 1000)
    buckets = bucket_lengths(lengths, num_buckets=8, max_length=400)
    assert buckets == sorted(set(buckets))
    assert buckets[-1] == 400
    assert len(buckets) <= 8
    assert all(b % 8 == 0 for b in buckets)


def test_bucket_lengths_rejects_bad_arguments():
    with pytest.raises(ValueError, match="num_buckets"):
        bucket_lengths([1, 2], num_buckets=0, max_length=10)
    with pytest.raises(ValueError, match="max_length"):
        bucket_lengths([1, 2], num_buckets=2, max_length=0)


def test_bucketed_batches_keep_every_token_in_bounded_shapes():
    texts = _texts()
    labels = np.arange(len(texts)) % 2
    buckets = bucket_lengths([len(t) for t in texts], 4, 64)
    dataset = bucketed_dataset(texts, labels, 16, buckets, EpochOrder(200, 1))
    assert tuple(dataset.element_spec[0].shape) == (None, None)
    seen = []
    for ids, batch_labels in dataset:
        assert ids.shape[1] in buckets
        for row, label in zip(ids.numpy(), batch_labels.numpy()):
            seen.append((tuple(row[row != 0]), int(label)))
            # Right padding: no real token after a padding step.
            length = int((row != 0).sum())
            assert (row[length:] == 0).all()
    expected = [(tuple(t), int(y)) for t, y in zip(texts, labels)]
    assert sorted(seen) == sorted(expected)


def test_bucketing_pads_less_than_padding_to_the_cap():
    texts = _texts()
    labels = np.zeros(len(texts))
    bucketed = bucketed_dataset(
        texts, labels, 16, bucket_lengths([len(t) for t in texts], 8, 64)
    )
    padded = padded_dataset(texts, labels, 16, 64)
    assert padding_share(bucketed) < 0.5 * padding_share(padded)


def test_epoch_order_depends_on_seed_and_epoch_only():
    first, again = EpochOrder(50, seed=3), EpochOrder(50, seed=3)
    order = list(first())
    assert sorted(order) == list(range(50))
    assert list(again()) == order
    again.epoch = 1
    assert list(again()) != order


def test_too_long_text_and_mismatched_labels():
    with pytest.raises(ValueError, match="more than the largest bucket"):
        bucketed_dataset([np.ones(20, "int32")], [0], 4, [8, 16])
    with pytest.raises(ValueError, match="same length"):
        bucketed_dataset([np.ones(2, "int32")], [0, 1], 4, [8])
