"""Models saved by the version before the re-layout load and agree.

`tests/fixtures/saved_before_relayout/` holds tiny models saved by commit
db7da0e (the last one with the flat `models/` package, and HAN without
`embedding_dropout`), with their outputs on a few texts then. Loaded today
with `safe_mode=True`, they must give the same outputs.
"""

import json
import pathlib

import keras
import numpy as np
import pytest

pytest.importorskip("tensorflow")

from attention_tf import EndToEndClassifier, Translator  # noqa: E402

FIXTURES = (
    pathlib.Path(__file__).parents[1] / "fixtures" / "saved_before_relayout"
)
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())


@pytest.mark.parametrize("name", sorted(EXPECTED["classifiers"]))
def test_a_classifier_saved_before_loads_and_agrees(name):
    model = EndToEndClassifier.load(str(FIXTURES / name / "model.keras"))
    outputs = model(EXPECTED["texts"], return_attention_scores=True)
    expected = EXPECTED["classifiers"][name]
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(got), np.array(want), atol=1e-6
        )


def test_a_translator_saved_before_loads_and_agrees():
    translator = Translator.load(str(FIXTURES / "translator"))
    results = translator.translate(
        ["el gato come", "la casa"], beam=1, truncate=True
    )
    for result, want in zip(results, EXPECTED["translator"]):
        assert result.text == want["text"]
        np.testing.assert_allclose(result.weights, want["weights"], atol=1e-6)
