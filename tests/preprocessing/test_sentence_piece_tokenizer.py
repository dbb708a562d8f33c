"""Tests for the SentencePiece tokeniser: the round trip and its limits."""

import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attention_tf.preprocessing.sentence_piece_tokenizer import (
    END_ID,
    START_ID,
    UNK_ID,
    SentencePieceTokenizer,
)

TEXTS = [
    "Where is the library?",
    "¿Dónde está la biblioteca?",
    "Tom's dog isn't mine.",
    '"Hi," he said…',
    "¡Corre! It's 1979-05-03, 05/03/79 or 3.5.1979.",
    "He paid $5.50 for 3,000 m² (about 9.8 ft).",
    "Él no sabía qué hacer—así que esperó.",
] * 5


@pytest.fixture(scope="module")
def tokenizer():
    return SentencePieceTokenizer.train(TEXTS, 120, model_type="unigram")


def normalize(text):
    """The stated normalisations: Unicode NFC, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_training_texts_round_trip_exactly(tokenizer):
    ids = tokenizer.tokenize(TEXTS)
    assert tokenizer.detokenize(ids) == TEXTS
    assert all(i.dtype == np.int32 and len(i) for i in ids)
    # Case is kept: "Where" and "where" are different tokens.
    assert tokenizer.tokenize(["Where"])[0].tolist() != (
        tokenizer.tokenize(["where"])[0].tolist()
    )


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_text_round_trips_up_to_the_stated_normalisations(tokenizer, text):
    # Characters never seen in training come back through UTF-8 bytes.
    (ids,) = tokenizer.tokenize([text])
    assert UNK_ID not in ids.tolist()
    assert tokenizer.detokenize([ids]) == [normalize(text)]


def test_normalisations_are_exactly_nfc_and_whitespace(tokenizer):
    decomposed = unicodedata.normalize("NFD", "¿Dónde  está?\t ")
    assert tokenizer.detokenize(tokenizer.tokenize([decomposed])) == [
        "¿Dónde está?"
    ]
    # NFKC forms are not folded: "…" stays "…", "²" stays "²".
    assert tokenizer.detokenize(tokenizer.tokenize(["… m²"])) == ["… m²"]


def test_detokenize_stops_at_the_end_id(tokenizer):
    (ids,) = tokenizer.tokenize(["Where is the library?"])
    row = np.concatenate([[START_ID], ids, [END_ID], ids, [0, 0]])
    assert tokenizer.detokenize([row]) == ["Where is the library?"]
    assert "".join(tokenizer.pieces(row)).replace("▁", " ").strip() == (
        "Where is the library?"
    )


def test_char_and_words_models():
    chars = SentencePieceTokenizer.train(
        ["1979-05-03", "2001-12-31"], 50, "char"
    )
    (ids,) = chars.tokenize(["1979-05-03"])
    assert chars.pieces(ids) == list("1979-05-03")
    words = SentencePieceTokenizer.train(
        ["3 May, 1979", "4 June 1980"] * 3, 50, "words"
    )
    (ids,) = words.tokenize(["3 MAY, 1980 Floréal"])
    assert words.pieces(ids)[:3] == ["▁3", "▁may", "▁,"]
    assert ids[-1] == UNK_ID  # an unknown word, not spelt out


def test_config_round_trip_and_bad_arguments(tokenizer):
    copy = SentencePieceTokenizer.from_config(tokenizer.get_config())
    assert copy.tokenize(TEXTS[:3])[1].tolist() == (
        tokenizer.tokenize(TEXTS[:3])[1].tolist()
    )
    assert copy.vocabulary_size == tokenizer.vocabulary_size
    with pytest.raises(ValueError, match="model_type"):
        SentencePieceTokenizer.train(TEXTS, 50, "wordpiece")
    with pytest.raises(ValueError, match="string"):
        tokenizer.tokenize([None])
