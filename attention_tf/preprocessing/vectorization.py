"""Word vocabulary and token ids: `TextVectorization` adapted on training text."""

import keras
import numpy as np
import tensorflow as tf

from attention_tf.preprocessing.text_standardizer import TextStandardizer


def adapt_vectorizer(texts, max_tokens, batch_size=512):
    """Builds a `TextVectorization` layer adapted on `texts` only.

    Pass the training texts (and unlabelled ones, if any), never the
    validation or test texts.

    Args:
        texts: List of raw strings.
        max_tokens: Vocabulary size, including the padding (0) and
            out-of-vocabulary (1) ids.
        batch_size: Texts standardised per step while adapting.

    Returns:
        `(standardizer, vectorizer)`: a `TextStandardizer` and a
        `TextVectorization(standardize=None)` that splits its output on
        whitespace. Token id 0 is padding.
    """
    if not texts:
        raise ValueError(
            "`texts` is empty: nothing to adapt the vocabulary on."
        )
    if (
        isinstance(max_tokens, bool)
        or not isinstance(max_tokens, int)
        or (max_tokens < 3)
    ):
        raise ValueError(
            f"`max_tokens` must be an integer >= 3. Received: {max_tokens!r}"
        )
    standardizer = TextStandardizer(name="standardizer")
    vectorizer = keras.layers.TextVectorization(
        max_tokens=max_tokens,
        standardize=None,
        split="whitespace",
        output_mode="int",
        name="vectorizer",
    )
    standardized = (
        tf.data.Dataset.from_tensor_slices(tf.constant(list(texts)))
        .batch(batch_size)
        .map(standardizer, num_parallel_calls=tf.data.AUTOTUNE)
    )
    vectorizer.adapt(standardized)
    return standardizer, vectorizer


def texts_to_token_ids(
    texts, standardizer, vectorizer, max_length=None, batch_size=512
):
    """Turns raw strings into unpadded token id arrays.

    Args:
        texts: List of raw strings.
        standardizer: The `TextStandardizer` from `adapt_vectorizer`.
        vectorizer: The adapted `TextVectorization` layer.
        max_length: If set, keep the first `max_length` tokens of each text.
        batch_size: Texts converted per step.

    Returns:
        A list of 1-D `int32` NumPy arrays (possibly empty), one per text,
        and a NumPy array of the untruncated lengths.
    """
    token_ids, lengths = [], []
    for start in range(0, len(texts), batch_size):
        batch = tf.constant(list(texts[start : start + batch_size]))
        ids = keras.ops.convert_to_numpy(vectorizer(standardizer(batch)))
        ids = ids.astype("int32")
        # Right padding: a row's length is its number of non-zero ids.
        for row, length in zip(ids, (ids != 0).sum(axis=1)):
            lengths.append(length)
            token_ids.append(
                row[: length if max_length is None else min(length, max_length)]
            )
    return token_ids, np.asarray(lengths, dtype="int64")
