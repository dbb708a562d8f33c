"""Words kept or removed from the token ids a classifier reads.

A text's ids are `[time]` (flat classifiers) or `[sentences, words]`
(HAN). Its words are the non-zero ids in reading order; these helpers
index them by that order ("positions") and remove words by deleting them,
not by zeroing a slot, so the text the model reads is shorter, as in
ERASER. Sentences keep their places; one left empty is masked.
"""

import numpy as np


def word_positions(ids):
    """Flat indices of the words (non-zero ids) of one text, in order."""
    return np.flatnonzero(np.asarray(ids).ravel() != 0)


def keep_words(ids, keep):
    """Copies of one text's ids with only some words kept.

    Args:
        ids: Ids `[time]` or `[sentences, words]`, 0 for padding.
        keep: Booleans `[variants, num_words]`: which words each variant
            keeps, indexed by position (`word_positions`).

    Returns:
        Ids `[variants, *ids.shape]`: each sentence's kept words moved to
        its front, the rest padding.
    """
    ids = np.asarray(ids)
    keep = np.asarray(keep, bool)
    rows = ids.reshape(-1, ids.shape[-1])
    positions = word_positions(ids)
    if keep.shape[-1] != len(positions):
        raise ValueError(
            f"`keep` has {keep.shape[-1]} columns; the text has "
            f"{len(positions)} words."
        )
    flat_keep = np.zeros((len(keep), rows.size), bool)
    flat_keep[:, positions] = keep
    flat_keep = flat_keep.reshape(len(keep), *rows.shape)
    # A stable sort on "dropped" moves each row's kept words to its front.
    order = np.argsort(~flat_keep, axis=-1, kind="stable")
    moved = np.take_along_axis(
        np.broadcast_to(rows, flat_keep.shape), order, axis=-1
    )
    kept = np.take_along_axis(flat_keep, order, axis=-1)
    return np.where(kept, moved, 0).reshape(len(keep), *ids.shape)
