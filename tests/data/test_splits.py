import numpy as np
import pytest

from attention_tf.data.parallel_text import split_pairs
from attention_tf.data.splits import group_split


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_held_out_set_holds_whole_groups(seed):
    rng = np.random.default_rng(seed)
    movies = list(rng.integers(0, 40, size=300))
    held_out, rest = group_split(300, 30, movies, rng)
    assert sorted(list(held_out) + list(rest)) == list(range(300))
    assert len(held_out) >= 30
    assert not {movies[i] for i in held_out} & {movies[i] for i in rest}
    assert list(rest) == sorted(rest)
    # Seeded: the same generator state gives the same split, and the order
    # of the items does not change which groups are drawn.
    first, second = (
        group_split(300, 30, movies, np.random.default_rng(seed))[0]
        for _ in range(2)
    )
    assert list(first) == list(second)


def test_without_groups_the_split_is_a_permutation():
    held_out, rest = group_split(10, 3, None, np.random.default_rng(4))
    order = np.random.default_rng(4).permutation(10)
    assert list(held_out) == list(order[:3])
    assert list(rest) == list(order[3:])


def test_one_group_cannot_be_split():
    with pytest.raises(ValueError, match="belong to 1 group"):
        group_split(5, 1, ["tt1"] * 5, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"`num_held_out` must be in \[1, 5\)"):
        group_split(5, 5, None, np.random.default_rng(0))


def test_translation_pairs_split_by_source_sentence():
    rng = np.random.default_rng(0)
    pairs = [(f"s{int(rng.integers(0, 30))}", f"t{i}") for i in range(120)]
    train, test = split_pairs(pairs, test_size=20, seed=5)
    assert len(train) + len(test) == 120 and len(test) >= 20
    assert not {s for s, _ in train} & {s for s, _ in test}
    # Groups are shuffled in order of first appearance, as before the split
    # moved to `group_split`: the reference below is that older code.
    groups = {}
    for index, pair in enumerate(pairs):
        groups.setdefault(pair[0], []).append(index)
    group_list = list(groups.values())
    expected = []
    for group in np.random.default_rng(5).permutation(len(group_list)):
        if len(expected) >= 20:
            break
        expected.extend(group_list[group])
    assert test == [pairs[i] for i in sorted(expected)]
