"""`TextStandardizer`: its clean-up rules, and classifiers saved before it
moved from `attention_tf.data` to `attention_tf.models`."""

import json
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf

from attention_tf.models import (
    BiLSTMAttentionClassifier,
    DocumentClassifierPreprocessor,
    EndToEndClassifier,
    TextStandardizer,
)

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="TextStandardizer runs TensorFlow string ops; it needs "
    "KERAS_BACKEND=tensorflow",
)

OLD_MODULE = "attention_tf.data.text_standardizer"
TEXTS = ["Great film. Loved it!", "awful plot, dull", "", "zzz <br /> ok"]


def test_standardizer_strips_html_breaks_and_keeps_sentence_ends():
    out = TextStandardizer()(np.array(["Great<br /><br/>FILM, Café!! ok."]))
    assert out.numpy()[0].decode() == "great film café !! ok ."


def test_old_import_location_names_the_same_class():
    from attention_tf.data import TextStandardizer as old_name

    assert old_name is TextStandardizer


def _rewrite_config(path, old, new):
    """Copies the `.keras` zip at `path` with `old` replaced in its config."""
    rewritten = path.with_name("rewritten.keras")
    with zipfile.ZipFile(path) as source:
        with zipfile.ZipFile(rewritten, "w") as target:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "config.json":
                    text = data.decode("utf-8")
                    assert old in text
                    data = text.replace(old, new).encode("utf-8")
                target.writestr(item, data)
    return rewritten


def test_classifier_saved_with_the_old_module_path_loads(tmp_path):
    keras.utils.set_random_seed(0)
    classifier = BiLSTMAttentionClassifier(
        30, 2, embedding_dim=8, lstm_units=4, attention_units=4
    )
    preprocessor = DocumentClassifierPreprocessor.from_texts(
        TEXTS, 30, max_length=8
    )
    model = EndToEndClassifier(preprocessor, classifier, ["neg", "pos"])
    expected = model(tf.constant(TEXTS)).numpy()
    path = tmp_path / "model.keras"
    model.save(path)
    with zipfile.ZipFile(path) as saved:
        config = json.loads(saved.read("config.json"))
    standardizer = config["config"]["preprocessor"]["config"]["standardizer"]
    assert standardizer["registered_name"] == "attention_tf>TextStandardizer"
    # A file written before the move names the old module.
    old_file = _rewrite_config(path, TextStandardizer.__module__, OLD_MODULE)

    loaded = keras.saving.load_model(old_file, safe_mode=True)

    assert isinstance(loaded.preprocessor.standardizer, TextStandardizer)
    np.testing.assert_allclose(
        loaded(tf.constant(TEXTS)).numpy(), expected, rtol=1e-6, atol=1e-7
    )
