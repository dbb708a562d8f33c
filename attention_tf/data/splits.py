"""Held-out sets that keep each group (a movie, a source sentence) whole."""


def group_split(count, num_held_out, groups, rng):
    """Indices of a held-out set and of the rest, whole groups at a time.

    1. Without `groups`, a seeded permutation: its first `num_held_out`
       indices are held out.
    2. With `groups`, the distinct groups are sorted, shuffled with `rng`
       and taken whole until the held-out side has at least `num_held_out`
       items: no group has items on both sides, so a held-out score does
       not reward remembering a group's other items (a movie's other
       reviews, a sentence's other translations).

    Args:
        count: Number of items.
        num_held_out: Items wanted in the held-out set (at least 1).
        groups: A sortable group key per item, or `None`.
        rng: A `numpy.random.Generator`; the draw advances it.

    Returns:
        `(held_out, rest)`: index sequences. With groups, `held_out` is in
        the order the groups were drawn and `rest` is ascending.

    Example:

    >>> import numpy as np
    >>> held_out, rest = group_split(
    ...     5, 2, ["a", "a", "b", "c", "c"], np.random.default_rng(0)
    ... )
    >>> sorted(list(held_out) + list(rest))
    [0, 1, 2, 3, 4]
    """
    if not 1 <= num_held_out < count:
        raise ValueError(
            f"`num_held_out` must be in [1, {count}). Received: {num_held_out}"
        )
    if groups is None:
        order = rng.permutation(count)
        return order[:num_held_out], order[num_held_out:]
    if len(groups) != count:
        raise ValueError(
            f"`groups` must have one key per item ({count}). "
            f"Received: {len(groups)}"
        )
    members = {}
    for index, group in enumerate(groups):
        members.setdefault(group, []).append(index)
    names = sorted(members)
    held_out = []
    for position in rng.permutation(len(names)):
        if len(held_out) >= num_held_out:
            break
        held_out.extend(members[names[position]])
    if len(held_out) >= count:
        raise ValueError(
            f"All {count} items belong to {len(names)} group(s): too few to "
            f"hold out {num_held_out} of them as whole groups."
        )
    chosen = set(held_out)
    return held_out, [index for index in range(count) if index not in chosen]
