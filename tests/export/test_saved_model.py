"""`attention-tf export`: a SavedModel that serves raw strings."""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest

from attention_tf.cli import main
from attention_tf.export.saved_model import export_classifier
from attention_tf.models import (
    BiLSTMAttentionClassifier,
    DocumentClassifierPreprocessor,
    EndToEndClassifier,
)

TEXTS = [
    "a wonderful, moving film",
    "",
    "dreadful. a waste of time!",
    "zzz unknown qqq",
]

# Runs in a fresh process: only TensorFlow, no attention_tf, no Keras model.
_SERVE = """
import json, sys
import tensorflow as tf
serve = tf.saved_model.load(sys.argv[1]).signatures["serving_default"]
outputs = serve(texts=tf.constant(json.loads(sys.argv[2])))
print(json.dumps({
    k: (v.numpy().astype(str) if v.dtype == tf.string else v.numpy()).tolist()
    for k, v in outputs.items()
}))
"""


@pytest.fixture(scope="module")
def saved_classifier(tmp_path_factory):
    keras.utils.set_random_seed(0)
    preprocessor = DocumentClassifierPreprocessor.from_texts(
        ["a wonderful film", "a dreadful waste of time", "moving"], 50, 20
    )
    classifier = BiLSTMAttentionClassifier(
        50, 2, embedding_dim=8, lstm_units=4, attention_units=4
    )
    model = EndToEndClassifier(preprocessor, classifier, ["neg", "pos"])
    model(np.array(TEXTS))  # builds the weights, so they are saved
    path = tmp_path_factory.mktemp("model") / "model.keras"
    model.save(path)
    return path


def test_saved_model_serves_the_same_predictions(saved_classifier, tmp_path):
    out = tmp_path / "export"
    assert (
        main(["export", "--model", str(saved_classifier), "--out", str(out)])
        == 0
    )
    served = subprocess.run(
        [sys.executable, "-c", _SERVE, str(out), json.dumps(TEXTS)],
        check=True,
        capture_output=True,
        text=True,
    )
    served = json.loads(served.stdout.splitlines()[-1])

    model = keras.saving.load_model(saved_classifier, safe_mode=True)
    probabilities, token_ids, weights = model(
        np.array(TEXTS), return_attention_scores=True
    )
    np.testing.assert_allclose(
        served["probabilities"], probabilities, rtol=1e-5
    )
    np.testing.assert_array_equal(served["token_ids"], token_ids)
    np.testing.assert_allclose(
        served["attention"], weights, rtol=1e-5, atol=1e-7
    )
    assert np.isfinite(served["probabilities"]).all()
    assert np.all(np.array(served["attention"])[1] == 0.0)  # the empty text
    assert served["class_names"] == [["neg", "pos"]] * len(TEXTS)


def test_export_refuses_to_overwrite_and_leaves_no_partial_folder(
    saved_classifier, tmp_path
):
    model = keras.saving.load_model(saved_classifier, safe_mode=True)
    out = tmp_path / "export"
    out.mkdir()
    with pytest.raises(ValueError, match="already exists"):
        export_classifier(model, out)
    assert list(tmp_path.iterdir()) == [out]


def test_export_takes_only_classifiers(tmp_path):
    with pytest.raises(ValueError, match="end-to-end document classifier"):
        export_classifier(
            keras.Sequential([keras.layers.Dense(1)]), tmp_path / "x"
        )
