"""Tests for the translator's preprocessor and the `Translator` object."""

import keras
import numpy as np
import pytest

from attention_tf.models.bahdanau.bahdanau_translator import BahdanauTranslator
from attention_tf.models.bahdanau.bahdanau_translator_preprocessor import (
    BahdanauTranslatorPreprocessor,
)
from attention_tf.models.bahdanau.translator import Translator
from attention_tf.preprocessing.sentence_piece_tokenizer import END_ID, START_ID

PAIRS = [
    ("¿Dónde está la biblioteca?", "Where is the library?"),
    ("Tengo un perro.", "I have a dog."),
    ("Él no sabía qué hacer.", "He didn't know what to do."),
    ("Tom vive en Boston.", "Tom lives in Boston."),
] * 5


@pytest.fixture(scope="module")
def preprocessor():
    return BahdanauTranslatorPreprocessor.adapt(
        PAIRS, "unigram", 400, "unigram", 400, 30, 40
    )


def test_training_pairs_frame_targets_and_drop_long_ones(preprocessor):
    long_pair = ("perro " * 40, "dog")
    sources, targets, dropped = preprocessor.training_pairs(
        PAIRS[:4] + [long_pair]
    )
    assert dropped == 1 and len(sources) == len(targets) == 4
    for source, target in zip(sources, targets):
        assert 0 < len(source) <= 30
        assert target[0] == START_ID and target[-1] == END_ID
    texts = preprocessor.decode_targets([t[1:] for t in targets])
    assert texts == [t for _, t in PAIRS[:4]]


def test_encode_sources_pads_and_names_too_long_inputs(preprocessor):
    ids = preprocessor.encode_sources(["Tengo un perro.", "Tom vive."])
    assert ids.dtype == np.int32 and ids.shape[0] == 2
    assert (ids[1, (ids[1] != 0).sum() :] == 0).all()
    with pytest.raises(ValueError, match="Input 2 has .* at most 30"):
        preprocessor.encode_sources(["Tom.", "perro " * 40])
    assert preprocessor.encode_sources(
        ["perro " * 40], truncate=True
    ).shape == (1, 30)
    with pytest.raises(ValueError, match="Empty input"):
        preprocessor.encode_sources([" "])


def test_tokens_for_display(preprocessor):
    (ids,) = preprocessor.target_tokenizer.tokenize(["I have a dog."])
    tokens = preprocessor.target_tokens(np.concatenate([ids, [END_ID, 0]]))
    assert tokens[-1] == "[end]" and len(tokens) == len(ids) + 1
    assert "".join(tokens[:-1]).replace("▁", " ").strip() == "I have a dog."
    assert len(preprocessor.source_tokens("Tengo un perro.")) == len(
        preprocessor.encode_sources(["Tengo un perro."])[0]
    )


def test_config_round_trip_and_bad_arguments(preprocessor):
    copy = BahdanauTranslatorPreprocessor.from_config(preprocessor.get_config())
    texts = [s for s, _ in PAIRS[:4]]
    np.testing.assert_array_equal(
        copy.encode_sources(texts), preprocessor.encode_sources(texts)
    )
    with pytest.raises(ValueError, match="lossless"):
        BahdanauTranslatorPreprocessor(
            preprocessor.source_tokenizer,
            BahdanauTranslatorPreprocessor.adapt(
                PAIRS, "words", 50, "char", 50, 5, 5
            ).source_tokenizer,
            5,
            5,
        )
    with pytest.raises(ValueError, match="max_source_length"):
        BahdanauTranslatorPreprocessor(
            preprocessor.source_tokenizer, preprocessor.target_tokenizer, 0, 5
        )


def test_translator_saves_loads_and_matches_the_model(preprocessor, tmp_path):
    keras.utils.set_random_seed(0)
    model = BahdanauTranslator(
        preprocessor.source_vocabulary_size,
        preprocessor.target_vocabulary_size,
        START_ID,
        END_ID,
        embedding_dim=8,
        encoder_units=8,
        decoder_units=8,
        attention_units=8,
        output_units=8,
    )
    model.build()
    translator = Translator(model, preprocessor, beam_width=3, alpha=0.8)
    texts = ["Tom vive en Boston.", "Tengo un perro."]
    translator.save(str(tmp_path))
    loaded = Translator.load(str(tmp_path))
    assert (loaded.beam_width, loaded.alpha) == (3, 0.8)
    for beam in (1, 3):
        results = translator.translate(texts, beam=beam, batch_size=1)
        again = loaded.translate(texts, beam=beam)
        assert [r.text for r in results] == [r.text for r in again]
        # The text is the detokenised output of the model's own decoding.
        ids = preprocessor.encode_sources(texts)
        tokens, _, weights = map(
            keras.ops.convert_to_numpy, model.generate(ids, 40, beam, 0.8)
        )
        assert [r.text for r in results] == preprocessor.decode_targets(tokens)
        for result, w in zip(results, weights):
            rows, columns = result.weights.shape
            assert rows == len(result.target_tokens)
            assert columns == len(result.source_tokens)
            np.testing.assert_allclose(
                result.weights, w[:rows, :columns], rtol=1e-4, atol=1e-6
            )
    with pytest.raises(ValueError, match="beam_width"):
        Translator(model, preprocessor, beam_width=0)
    with pytest.raises(ValueError, match="non-empty list"):
        translator.translate("Tom vive.")
