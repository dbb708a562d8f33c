import keras
import numpy as np
import pytest
import tensorflow as tf

from attention_tf.models import (
    BiLSTMAttentionClassifier,
    DocumentClassifierPreprocessor,
    EndToEndClassifier,
    HierarchicalAttentionClassifier,
)


def to_numpy(outputs):
    """NumPy arrays from any backend's tensor or tuple of tensors."""
    return keras.tree.map_structure(keras.ops.convert_to_numpy, outputs)


def _bilstm(num_classes=3):
    return BiLSTMAttentionClassifier(
        30, num_classes, embedding_dim=8, lstm_units=4, attention_units=4
    )


def _han(num_classes=2):
    return HierarchicalAttentionClassifier(
        30,
        num_classes,
        embedding_dim=8,
        word_units=4,
        sentence_units=4,
        attention_units=4,
    )


def test_bilstm_padding_does_not_change_the_output():
    model = _bilstm()
    ids = np.array([[3, 4, 5, 0, 0], [6, 7, 8, 9, 10]])
    probabilities, weights = to_numpy(model(ids, return_attention_scores=True))
    longer, _ = to_numpy(
        model(np.pad(ids, [[0, 0], [0, 4]]), return_attention_scores=True)
    )
    np.testing.assert_allclose(probabilities, longer, atol=1e-6)
    np.testing.assert_allclose(np.sum(probabilities, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.sum(weights, axis=1), 1.0, atol=1e-6)
    assert np.all(weights[0, 3:] == 0.0)


def test_han_masks_padding_words_and_sentences():
    model = _han()
    ids = np.array([[[3, 4, 0], [5, 0, 0], [0, 0, 0]]])
    probabilities, words, sentences = to_numpy(
        model(ids, return_attention_scores=True)
    )
    padded = np.pad(ids, [[0, 0], [0, 2], [0, 2]])
    np.testing.assert_allclose(
        probabilities, to_numpy(model(padded)), atol=1e-6
    )
    np.testing.assert_allclose(sentences[0, :2].sum(), 1.0, atol=1e-6)
    assert sentences[0, 2] == 0.0
    assert words[0, 1, 1:].tolist() == [0.0, 0.0]
    assert not np.isnan(words).any()


@pytest.mark.parametrize("build", [_bilstm, _han])
def test_config_round_trip(build):
    model = build()
    clone = type(model).from_config(model.get_config())
    assert clone.get_config() == model.get_config()


@pytest.mark.parametrize("num_classes", [1, 2.0, True])
def test_num_classes_must_be_at_least_two(num_classes):
    with pytest.raises(
        ValueError, match="`num_classes` must be an integer >= 2"
    ):
        BiLSTMAttentionClassifier(30, num_classes)


# The end-to-end model preprocesses strings with TextVectorization inside the
# graph: TensorFlow only by nature.
tensorflow_only = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="EndToEndClassifier runs string preprocessing in a TensorFlow "
    "graph; it needs KERAS_BACKEND=tensorflow",
)


def _end_to_end(architecture):
    texts = ["good film. really good!", "bad film. awful plot", "fine"]
    if architecture == "han":
        preprocessor = DocumentClassifierPreprocessor.from_texts(
            texts, 30, max_length=None, max_sentences=4, max_words=6
        )
        return EndToEndClassifier(preprocessor, _han(), ["neg", "pos"])
    preprocessor = DocumentClassifierPreprocessor.from_texts(
        texts, 30, max_length=5
    )
    return EndToEndClassifier(preprocessor, _bilstm(2), ["neg", "pos"])


@tensorflow_only
@pytest.mark.parametrize("architecture", ["bilstm", "han"])
def test_end_to_end_save_and_load_with_safe_mode(tmp_path, architecture):
    model = _end_to_end(architecture)
    texts = tf.constant(["Good film<br />!", "", "unknown words only"])
    expected = model(texts)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert type(loaded) is EndToEndClassifier
    assert loaded.class_names == ["neg", "pos"]
    np.testing.assert_allclose(loaded(texts), expected, atol=1e-6)
    outputs = loaded(texts, return_attention_scores=True)
    assert len(outputs) == (4 if architecture == "han" else 3)
    assert not np.isnan(outputs[0].numpy()).any()
    # The empty text has one padding step with zero weight.
    assert outputs[2].numpy()[1].sum() == 0.0


@tensorflow_only
def test_end_to_end_truncates_to_max_length():
    model = _end_to_end("bilstm")
    ids = model.preprocessor(tf.constant(["good " * 20]))
    assert tuple(ids.shape) == (1, 5)


# Eager PyTorch runs this LSTM training in about 3 minutes (seconds on
# TensorFlow and JAX): with the slow tests there.
@(pytest.mark.slow if keras.backend.backend() == "torch" else lambda f: f)
def test_attention_peaks_on_the_keyword():
    # With the encoder frozen at its random weights, only the attention
    # can pick the one informative word out of 60, so it must peak there.
    # (A trainable BiLSTM can instead carry the keyword to every step.)
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)

    def corpus(size, length=60):
        ids = rng.integers(3, 50, size=(size, length))
        labels = rng.integers(0, 2, size=size)
        where = rng.integers(0, length, size=size)
        ids[np.arange(size), where] = labels + 1  # Keywords are ids 1, 2.
        return ids, labels, where

    model = BiLSTMAttentionClassifier(
        50, 2, embedding_dim=16, lstm_units=16, attention_units=16, dropout=0.0
    )
    ids, labels, _ = corpus(1000)
    model(ids[:1])
    model.encoder.trainable = False
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss="sparse_categorical_crossentropy",
    )
    model.fit(ids, labels, epochs=5, batch_size=32, verbose=0)
    ids, labels, where = corpus(200)
    probabilities, weights = model(ids, return_attention_scores=True)
    assert np.mean(np.argmax(probabilities, axis=1) == labels) >= 0.95
    weights = to_numpy(weights)
    keyword_weight = weights[np.arange(200), where]
    # Uniform attention would give each of the 60 words 1/60.
    assert np.mean(keyword_weight) > 15 / 60
    assert np.mean(np.argmax(weights, axis=1) == where) >= 0.4


@pytest.mark.parametrize("heads", [1, 3])
def test_bilstm_attention_heads(heads):
    model = BiLSTMAttentionClassifier(
        30,
        2,
        embedding_dim=8,
        lstm_units=4,
        attention_units=4,
        attention_heads=heads,
    )
    ids = np.array([[3, 4, 5, 0, 0], [0, 0, 0, 0, 0]])
    probabilities, weights = to_numpy(model(ids, return_attention_scores=True))
    rows = (2, heads, 5) if heads > 1 else (2, 5)
    assert weights.shape == rows
    assert model.attention.heads == heads
    assert model.get_config()["attention_heads"] == heads
    np.testing.assert_allclose(weights[0].sum(-1), 1.0, atol=1e-6)
    assert np.all(weights[1] == 0.0) and np.all(weights[0, ..., 3:] == 0.0)
    longer = to_numpy(model(np.pad(ids, [[0, 0], [0, 3]])))
    np.testing.assert_allclose(probabilities, longer, atol=1e-6)


@pytest.mark.parametrize("heads", [1, 2])
def test_han_attention_heads(heads):
    model = HierarchicalAttentionClassifier(
        30,
        2,
        embedding_dim=8,
        word_units=4,
        sentence_units=4,
        attention_units=4,
        attention_heads=heads,
    )
    ids = np.array([[[3, 4, 0], [5, 0, 0], [0, 0, 0]], [[0, 0, 0]] * 3])
    probabilities, words, sentences = to_numpy(
        model(ids, return_attention_scores=True)
    )
    if heads > 1:
        assert words.shape == (2, 3, heads, 3)
        assert sentences.shape == (2, heads, 3)
    else:
        assert words.shape == (2, 3, 3) and sentences.shape == (2, 3)
    assert model.get_config()["attention_heads"] == heads
    np.testing.assert_allclose(sentences[0, ..., :2].sum(-1), 1.0, atol=1e-6)
    assert np.all(sentences[1] == 0.0) and np.all(sentences[0, ..., 2] == 0.0)
    padded = np.pad(ids, [[0, 0], [0, 2], [0, 2]])
    np.testing.assert_allclose(
        probabilities, to_numpy(model(padded)), atol=1e-6
    )
