import itertools

import numpy as np
import pytest

from attention_tf.data.length_buckets import (
    EpochOrder,
    bucket_batch_sizes,
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


@pytest.mark.parametrize("batch_tokens", [None, 512])
def test_bucketed_batches_keep_every_token_in_bounded_shapes(batch_tokens):
    texts = _texts()
    labels = np.arange(len(texts)) % 2
    buckets = bucket_lengths([len(t) for t in texts], 4, 64)
    sizes = dict(zip(buckets, bucket_batch_sizes(buckets, 16, batch_tokens)))
    dataset = bucketed_dataset(
        texts, labels, 16, buckets, EpochOrder(200, 1), batch_tokens
    )
    assert tuple(dataset.element_spec[0].shape) == (None, None)
    seen, full_batches = [], 0
    for ids, batch_labels in dataset:
        assert ids.shape[1] in buckets
        assert ids.shape[0] <= sizes[ids.shape[1]]
        full_batches += ids.shape[0] == sizes[ids.shape[1]]
        for row, label in zip(ids.numpy(), batch_labels.numpy()):
            seen.append((tuple(row[row != 0]), int(label)))
            # Right padding: no real token after a padding step.
            length = int((row != 0).sum())
            assert (row[length:] == 0).all()
    expected = [(tuple(t), int(y)) for t, y in zip(texts, labels)]
    assert sorted(seen) == sorted(expected)
    # All but the last batch of each bucket are full.
    assert full_batches >= len(seen) // max(sizes.values()) - len(buckets)


def test_batch_tokens_fill_batches_of_short_texts():
    assert bucket_batch_sizes([16, 64, 100, 600], 32) == [32] * 4
    # At least `batch_size` texts, else `batch_tokens // length`.
    assert bucket_batch_sizes([16, 64, 100, 600], 32, 6400) == [
        400,
        100,
        64,
        32,
    ]
    for name, arguments in (
        ("batch_size", ([8], 0, None)),
        ("batch_tokens", ([8], 4, 0)),
        ("batch_tokens", ([8], 4, 2.5)),
    ):
        with pytest.raises(ValueError, match=f"`{name}` must be a positive"):
            bucket_batch_sizes(*arguments)


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


def _padding(lengths, edges):
    lengths = np.minimum(lengths, edges[-1])
    return int(sum(edges[np.searchsorted(edges, n)] - n for n in lengths))


@pytest.mark.parametrize("num_buckets", [1, 2, 3, 4])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bucket_lengths_waste_the_least_padding(num_buckets, seed):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 80, size=int(rng.integers(1, 60)))
    buckets = bucket_lengths(lengths, num_buckets, max_length=64, multiple=8)
    assert buckets[-1] == 64 and len(buckets) <= num_buckets
    # Brute force over every choice of edges among the multiples of 8.
    candidates = list(range(8, 64, 8))
    best = min(
        _padding(lengths, np.array(sorted(chosen) + [64]))
        for k in range(num_buckets)
        for chosen in itertools.combinations(candidates, k)
    )
    assert _padding(lengths, np.array(buckets)) == best


def test_bucket_lengths_pad_less_than_quantile_edges():
    # A long tail, like review lengths: quantile edges crowd the short end.
    lengths = np.random.default_rng(0).lognormal(5.2, 0.6, size=5000)
    lengths = lengths.astype(int)
    quantiles = np.quantile(np.minimum(lengths, 600), np.arange(1, 8) / 8)
    quantile_edges = sorted(
        {int(np.ceil(q / 8) * 8) for q in quantiles} | {600}
    )
    buckets = bucket_lengths(lengths, 8, 600)
    assert _padding(lengths, np.array(buckets)) < 0.95 * _padding(
        lengths, np.array(quantile_edges)
    )
