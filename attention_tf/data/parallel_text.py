"""Sentence pairs to token ids: standardisation, vocabularies, length buckets.

Shared by the translation data sets (`spa_eng`, `dates`). Text is
standardised in Python, before `TextVectorization`, so that training, the
BLEU references and `attention-tf translate` see exactly the same tokens.
"""

import re
import unicodedata

import keras
import numpy as np

from attention_tf.data.splits import group_split

START_TOKEN = "[start]"
END_TOKEN = "[end]"

# Everything that is neither a word character, whitespace nor an apostrophe
# inside a word becomes a token of its own ("¿dónde?" -> "¿ dónde ?").
_PUNCTUATION = re.compile(r"([^\w\s'])")
_LONE_APOSTROPHE = re.compile(r"(^|\s)'|'(\s|$)")


def standardize(text):
    """NFKC-normalises, lowercases and splits punctuation off words.

    NFKC gives one code point sequence for "á" however it was typed
    (precomposed or "a" + combining accent) and maps compatibility forms
    such as "…" to "...". Accents are kept: "está" and "esta" differ.

    >>> standardize("¿Dónde  está la BIBLIOTECA?")
    '¿ dónde está la biblioteca ?'
    >>> standardize("I'm 'here'.")
    "i'm ' here ' ."
    """
    if not isinstance(text, str):
        raise ValueError(f"Expected a string. Received: {type(text).__name__}")
    text = unicodedata.normalize("NFKC", text).lower()
    text = _PUNCTUATION.sub(r" \1 ", text)
    text = _LONE_APOSTROPHE.sub(r"\1 ' \2", text)
    return " ".join(text.split())


def with_start_end(standardized):
    return f"{START_TOKEN} {standardized} {END_TOKEN}"


def make_vectorizer(texts, max_tokens=None, vocabulary=None):
    """`TextVectorization` over standardised, whitespace-separated tokens.

    Args:
        texts: Standardised strings to adapt on (ignored with `vocabulary`).
        max_tokens: Vocabulary size including padding and `[UNK]`.
        vocabulary: A saved vocabulary (without padding and `[UNK]`).
    """
    vectorizer = keras.layers.TextVectorization(
        max_tokens=max_tokens,
        standardize=None,
        split="whitespace",
        vocabulary=vocabulary,
    )
    if vocabulary is None:
        vectorizer.adapt(np.asarray(texts, dtype=object), batch_size=4096)
    return vectorizer


def vectorize(vectorizer, texts, chunk_size=4096):
    """Token ids of each standardised text, as a list of int32 arrays."""
    sequences = []
    for start in range(0, len(texts), chunk_size):
        chunk = np.asarray(texts[start : start + chunk_size], dtype=object)
        ids = keras.ops.convert_to_numpy(vectorizer(chunk)).astype("int32")
        sequences.extend(row[row != 0] for row in ids)
    return sequences


def pad(sequences, length=None):
    """Right-pads int sequences with 0 into `[len(sequences), length]`."""
    length = length or max(1, max(len(s) for s in sequences))
    batch = np.zeros((len(sequences), length), "int32")
    for row, sequence in enumerate(sequences):
        batch[row, : len(sequence)] = sequence[:length]
    return batch


def bucketed_batches(sources, targets, batch_size, rng):
    """Teacher-forcing batches of sentences of similar length.

    Sentences are sorted by source then target length (ties broken at
    random), cut into batches and the batch order shuffled, so each batch
    is padded only to its own longest sentence.

    Returns:
        A list of `((source, target_input), target_output)` NumPy batches,
        the target input starting with the start token and the output
        ending with the end token.
    """
    if len(sources) != len(targets):
        raise ValueError(
            f"`sources` and `targets` differ in length: "
            f"{len(sources)} != {len(targets)}"
        )
    if batch_size < 1:
        raise ValueError(
            f"`batch_size` must be positive. Received: {batch_size}"
        )
    order = np.lexsort(
        (
            rng.random(len(sources)),
            [len(t) for t in targets],
            [len(s) for s in sources],
        )
    )
    batches = []
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        target = pad([targets[i] for i in rows])
        batches.append(
            ((pad([sources[i] for i in rows]), target[:, :-1]), target[:, 1:])
        )
    rng.shuffle(batches)
    return batches


def split_pairs(pairs, test_size=2000, seed=1234, key=None):
    """Deterministic train/test split that keeps each source on one side.

    Pairs sharing a source sentence (one Spanish sentence with several
    English translations) go to the same side, so no test source is seen in
    training. Groups are shuffled with `seed` and taken until the test side
    holds at least `test_size` pairs.

    Args:
        key: Function of a pair giving its group; defaults to the source.

    Returns:
        `(train_pairs, test_pairs)`.
    """
    if test_size < 1 or test_size >= len(pairs):
        raise ValueError(
            f"`test_size` must be in [1, {len(pairs)}). Received: {test_size}"
        )
    key = key or (lambda pair: pair[0])
    # Groups numbered in order of first appearance: the order they are
    # shuffled in.
    first_seen = {}
    groups = [first_seen.setdefault(key(p), len(first_seen)) for p in pairs]
    test, train = group_split(
        len(pairs), test_size, groups, np.random.default_rng(seed)
    )
    return [pairs[i] for i in train], [pairs[i] for i in sorted(test)]
