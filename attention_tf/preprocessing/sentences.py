"""Token ids split into sentences, for the hierarchical (HAN) classifier."""

import tensorflow as tf


def split_into_sentences(
    token_ids,
    boundary_ids,
    max_sentences=None,
    max_words=None,
    sentence_multiple=1,
):
    """Reshapes right-padded token ids `[batch, time]` into sentences.

    A sentence ends after a token in `boundary_ids` (for example the ids of
    ".", "!" and "?") or at the end of the text. Sentences beyond
    `max_sentences` and words beyond `max_words` are dropped; padding is 0.

    Args:
        token_ids: Int tensor `[batch, time]`, right-padded with 0.
        boundary_ids: List of token ids that end a sentence.
        max_sentences: Cap on sentences per text, or `None`.
        max_words: Cap on words per sentence, or `None`.
        sentence_multiple: Pad the sentence axis up to a multiple of this,
            so batches come in a bounded set of shapes.

    Returns:
        Int tensor `[batch, sentences, words]`.
    """
    token_ids = tf.convert_to_tensor(token_ids)
    lengths = tf.reduce_sum(tf.cast(token_ids != 0, tf.int64), axis=1)
    texts = tf.RaggedTensor.from_tensor(token_ids, lengths=lengths)
    values, row_ids = texts.values, texts.value_rowids()
    size = tf.size(values)
    boundary_ids = tf.constant(list(boundary_ids) or [-1], values.dtype)
    is_end = tf.reduce_any(values[:, None] == boundary_ids[None, :], axis=1)
    # A sentence starts at a text's first token or right after an end.
    starts = tf.concat([[True], row_ids[1:] != row_ids[:-1]], 0)[:size]
    starts |= tf.concat([[False], is_end[:-1]], 0)[:size]
    sentence_ids = tf.cumsum(tf.cast(starts, tf.int64)) - 1
    sentences = tf.RaggedTensor.from_value_rowids(values, sentence_ids)
    documents = tf.RaggedTensor.from_value_rowids(
        sentences,
        tf.boolean_mask(row_ids, starts),
        nrows=tf.shape(token_ids, out_type=tf.int64)[0],
    )
    dense = documents.to_tensor(shape=[None, max_sentences, max_words])
    # At least one (empty, fully masked) sentence of at least one word.
    num_sentences = tf.shape(dense)[1]
    padded_sentences = tf.maximum(
        -(-num_sentences // sentence_multiple) * sentence_multiple, 1
    )
    return tf.pad(
        dense,
        [
            [0, 0],
            [0, padded_sentences - num_sentences],
            [0, tf.maximum(1 - tf.shape(dense)[2], 0)],
        ],
    )
