"""The preprocessor shared by training and the saved end-to-end model."""

import json
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf

from attention_tf.data.length_buckets import bucketed_dataset
from attention_tf.models import (
    BiLSTMAttentionClassifier,
    DocumentClassifierPreprocessor,
    EndToEndClassifier,
)

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="string preprocessing runs in TensorFlow ops; it needs "
    "KERAS_BACKEND=tensorflow",
)

WORDS = ["good", "bad", "film", "plot", "really", ".", "!", "?", "the"]


def _texts(rng, count):
    return [
        " ".join(rng.choice(WORDS, size=rng.integers(0, 30)))
        for _ in range(count)
    ]


def _preprocessor(hierarchical, texts, max_length=12):
    if hierarchical:
        return DocumentClassifierPreprocessor.from_texts(
            texts, 20, max_length, max_sentences=5, max_words=4
        )
    return DocumentClassifierPreprocessor.from_texts(texts, 20, max_length)


@pytest.mark.parametrize("hierarchical", [False, True])
def test_training_batches_equal_what_the_saved_model_feeds(hierarchical):
    """Ids made once, bucketed, then mapped (training) == `call` (serving)."""
    rng = np.random.default_rng(0)
    texts = _texts(rng, 40)
    preprocessor = _preprocessor(hierarchical, texts)
    ids, lengths = preprocessor.token_id_lists(texts)
    assert max(len(row) for row in ids) <= 12
    assert (lengths >= [len(row) for row in ids]).all()
    # One bucket as long as the longest kept text, in the data's order.
    longest = max(1, max(len(row) for row in ids))
    dataset = bucketed_dataset(ids, np.zeros(40, "int32"), 40, [longest])
    (batch, _) = next(iter(dataset))
    trained_on = preprocessor.model_input(batch).numpy()
    served = preprocessor(tf.constant(texts)).numpy()
    # Serving pads to the batch's longest text; the extra padding is zeros.
    width = served.shape[-1]
    if hierarchical:
        rows = served.shape[1]
        np.testing.assert_array_equal(trained_on[:, :rows, :width], served)
        assert (
            not trained_on[:, rows:].any() and not trained_on[..., width:].any()
        )
    else:
        np.testing.assert_array_equal(trained_on[:, :width], served)
        assert not trained_on[:, width:].any()


def test_sentences_split_at_boundaries_and_respect_caps():
    preprocessor = _preprocessor(True, ["good film . bad plot ! the"], 50)
    vocabulary = preprocessor.vectorizer.get_vocabulary()
    ids = preprocessor(tf.constant(["good film . bad plot ! the"])).numpy()
    words = [[vocabulary[i] for i in row if i] for row in ids[0]]
    assert words[:3] == [["good", "film", "."], ["bad", "plot", "!"], ["the"]]
    assert ids.shape[1] <= 5 and ids.shape[2] <= 4


def test_empty_texts_get_one_padding_step():
    preprocessor = _preprocessor(False, ["good film"])
    assert tuple(preprocessor(tf.constant(["", ""])).shape) == (2, 1)


def test_config_round_trip():
    preprocessor = _preprocessor(True, ["good film . bad"])
    config = keras.saving.serialize_keras_object(preprocessor)
    restored = keras.saving.deserialize_keras_object(config)
    # The vectorizer's vocabulary travels as an asset, not in the config.
    expected, actual = preprocessor.get_config(), restored.get_config()
    assert expected.pop("vectorizer")["config"]["max_tokens"] == 20
    assert actual.pop("vectorizer")["config"]["max_tokens"] == 20
    assert actual == expected
    assert restored.sentence_boundary_ids == preprocessor.sentence_boundary_ids


@keras.saving.register_keras_serializable(package="attention_tf_test")
class _EarlierEndToEnd(keras.Model):
    """The end-to-end model as it was saved before the preprocessor.

    Same tracked attributes, in the same order, and the same config keys;
    `test_files_saved_before_the_preprocessor_load` renames it in the saved
    config to the real class, as those files name it.
    """

    def __init__(self, preprocessor, classifier, class_names, **kwargs):
        super().__init__(**kwargs)
        self.standardizer = preprocessor.standardizer
        self.vectorizer = preprocessor.vectorizer
        self.classifier = classifier
        self.class_names = class_names
        self.settings = preprocessor.get_config()

    def call(self, texts):
        ids = self.vectorizer(self.standardizer(texts))[:, :12]
        return self.classifier(ids)

    def get_config(self):
        config = super().get_config()
        config.update({key: self.settings[key] for key in _LEGACY_KEYS})
        config.update(
            classifier=keras.saving.serialize_keras_object(self.classifier),
            class_names=self.class_names,
            max_sentences=None,
            max_words=None,
            sentence_boundary_ids=[],
        )
        return config


_LEGACY_KEYS = ("standardizer", "vectorizer", "max_length")


def test_files_saved_before_the_preprocessor_load(tmp_path):
    rng = np.random.default_rng(1)
    texts = _texts(rng, 30)
    keras.utils.set_random_seed(0)
    classifier = BiLSTMAttentionClassifier(
        20, 2, embedding_dim=4, lstm_units=3, attention_units=3
    )
    old = _EarlierEndToEnd(
        _preprocessor(False, texts), classifier, ["neg", "pos"]
    )
    expected = old(tf.constant(texts)).numpy()
    path = tmp_path / "old.keras"
    old.save(path)
    renamed = tmp_path / "renamed.keras"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(renamed, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "config.json":
                config = json.loads(data)
                config["registered_name"] = "attention_tf>EndToEndClassifier"
                config["class_name"] = "EndToEndClassifier"
                config["module"] = (
                    "attention_tf.models.document_classifier.end_to_end_classifier"
                )
                data = json.dumps(config).encode()
            out.writestr(item, data)
    loaded = keras.saving.load_model(renamed, safe_mode=True)
    assert isinstance(loaded, EndToEndClassifier)
    assert loaded.preprocessor.max_length == 12
    assert loaded.vectorizer.get_vocabulary() == old.vectorizer.get_vocabulary()
    np.testing.assert_allclose(
        loaded(tf.constant(texts)).numpy(), expected, atol=1e-6
    )
