"""The attention weights of a document classifier, split or averaged by head.

A classifier with one head returns word weights shaped like its token ids
(`[batch, time]`, or `[batch, sentences, words]` with sentence weights
`[batch, sentences]`); with several heads the head axis comes before the
attended axis (`[batch, heads, time]`; `[batch, sentences, heads, words]`
and `[batch, heads, sentences]`). Readers that need one weight per word
(`classify`, the explainer, faithfulness, the explorer) take the mean over
heads: it still sums to 1 over a text's words (or a sentence's words, and
over a document's sentences), and for the hierarchical model the product
of the two means is the average over every pair of word head and sentence
head.

>>> import numpy as np
>>> ids = np.array([[4, 5, 0]])
>>> weights = np.array([[[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]]])
>>> [w.tolist() for w, _ in per_head(ids, weights)]
[[[1.0, 0.0, 0.0]], [[0.5, 0.5, 0.0]]]
>>> head_mean(ids, weights)[0].tolist()
[[0.75, 0.25, 0.0]]
"""

import numpy as np


def per_head(ids, word_weights, sentence_weights=None):
    """One `(word_weights, sentence_weights)` pair per head, NumPy.

    Args:
        ids: The token ids the classifier read, `[batch, time]` or
            `[batch, sentences, words]`.
        word_weights: Its word weights, with or without a head axis.
        sentence_weights: Its sentence weights (hierarchical model), or
            `None`.

    Returns:
        A list with one pair per head, each shaped as a one-head
        classifier's weights; a one-head classifier's weights come back
        unchanged in a list of one.
    """
    word_weights = np.asarray(word_weights)
    if word_weights.ndim == np.ndim(ids):
        return [(word_weights, sentence_weights)]
    if sentence_weights is not None:
        sentence_weights = np.asarray(sentence_weights)
    return [
        (
            word_weights[..., head, :],
            None if sentence_weights is None else sentence_weights[:, head],
        )
        for head in range(word_weights.shape[-2])
    ]


def head_mean(ids, word_weights, sentence_weights=None):
    """`(word_weights, sentence_weights)` averaged over the heads.

    Arguments as in `per_head`; one head's weights come back unchanged.
    """
    heads = per_head(ids, word_weights, sentence_weights)
    if len(heads) == 1:
        return heads[0]
    dtype = heads[0][0].dtype
    words = np.mean([w for w, _ in heads], axis=0).astype(dtype)
    if sentence_weights is None:
        return words, None
    return words, np.mean([s for _, s in heads], axis=0).astype(dtype)
