"""The saved end-to-end classifier from Python: batches of texts in any form,
empty batches, and class names that travel with the model."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from attention_tf.cli import main
from attention_tf.data.labelled_files import natural_class_order
from attention_tf.export.saved_model import export_classifier
from attention_tf.models import (
    BiLSTMAttentionClassifier,
    DocumentClassifierPreprocessor,
    EndToEndClassifier,
    HierarchicalAttentionClassifier,
)

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="EndToEndClassifier runs string preprocessing in a TensorFlow "
    "graph; it needs KERAS_BACKEND=tensorflow",
)

TEXTS = ["Great film. Loved it!", "", "awful plot, dull", "unknown zzz"]
CLASS_NAMES = natural_class_order([str(i) for i in range(1, 11)])


def _saved(tmp_path, architecture):
    keras.utils.set_random_seed(0)
    if architecture == "han":
        classifier = HierarchicalAttentionClassifier(
            30,
            10,
            embedding_dim=8,
            word_units=4,
            sentence_units=4,
            attention_units=4,
        )
        preprocessor = DocumentClassifierPreprocessor.from_texts(
            TEXTS, 30, max_length=None, max_sentences=3, max_words=5
        )
    else:
        classifier = BiLSTMAttentionClassifier(
            30, 10, embedding_dim=8, lstm_units=4, attention_units=4
        )
        preprocessor = DocumentClassifierPreprocessor.from_texts(
            TEXTS, 30, max_length=8
        )
    model = EndToEndClassifier(preprocessor, classifier, CLASS_NAMES)
    model(tf.constant(TEXTS))
    path = tmp_path / "model.keras"
    model.save(path)
    return keras.saving.load_model(path, safe_mode=True), path


@pytest.fixture(scope="module", params=["bilstm", "han"])
def saved(request, tmp_path_factory):
    return _saved(tmp_path_factory.mktemp("model"), request.param)


@pytest.mark.parametrize(
    "convert",
    [
        list,
        tuple,
        np.array,
        lambda texts: np.array(texts, dtype=object),
        lambda texts: [text.encode("utf-8") for text in texts],
    ],
    ids=["list", "tuple", "numpy_str", "numpy_object", "bytes"],
)
def test_batches_in_any_form_match_a_string_tensor(saved, convert):
    model, _ = saved
    expected = keras.ops.convert_to_numpy(model(tf.constant(TEXTS)))
    np.testing.assert_allclose(model(convert(TEXTS)), expected, atol=1e-6)
    np.testing.assert_allclose(
        model.predict(convert(TEXTS), verbose=0), expected, atol=1e-6
    )


def test_one_text_at_a_time_gives_the_rows_of_the_batch(saved):
    model, _ = saved
    expected = keras.ops.convert_to_numpy(model(TEXTS))
    for text, row in zip(TEXTS, expected):
        np.testing.assert_allclose(model([text])[0], row, atol=1e-6)


@pytest.mark.parametrize(
    "empty", [[], (), np.array([], dtype=str), tf.constant([], tf.string)]
)
def test_empty_batch(saved, empty):
    model, _ = saved
    assert model.predict(empty, verbose=0).shape == (0, 10)
    assert tuple(model(empty).shape) == (0, 10)
    outputs = model(empty, return_attention_scores=True)
    assert [output.shape[0] for output in outputs] == [0] * len(outputs)


def test_empty_batch_in_a_graph(saved):
    model, _ = saved
    graph_call = tf.function(
        model, input_signature=[tf.TensorSpec([None], tf.string)]
    )
    assert tuple(graph_call(tf.constant([], tf.string)).shape) == (0, 10)
    np.testing.assert_allclose(
        graph_call(tf.constant(TEXTS)), model(TEXTS), atol=1e-6
    )


@pytest.mark.parametrize(
    "texts, message",
    [
        ("a single text", "Received a single string"),
        ([["nested"], ["texts"]], "1-D batch of texts. Received shape"),
        (["fine", None], "Text 1 is NoneType"),
        (tf.constant([1.0]), "string tensor of texts"),
    ],
)
def test_bad_batches_name_the_problem(saved, texts, message):
    model, _ = saved
    with pytest.raises((ValueError, TypeError), match=message):
        model(texts)
    if not tf.is_tensor(texts):
        with pytest.raises(ValueError, match=message):
            model.predict(texts, verbose=0)


def test_class_names_travel_with_the_saved_model(saved, capsys):
    model, path = saved
    assert model.class_names == [str(i) for i in range(1, 11)]
    assert main(["classify", "--model", str(path), *TEXTS[:3]]) == 0
    printed = [
        line.split("\t")[0] for line in capsys.readouterr().out.split("\n")
    ]
    best = np.argmax(model.predict(TEXTS[:3], verbose=0), axis=1)
    assert printed[:3] == [CLASS_NAMES[i] for i in best]


def test_saved_model_signature_serves_class_names(saved, tmp_path):
    model, _ = saved
    out = export_classifier(model, tmp_path / "export")
    serve = tf.saved_model.load(out).signatures["serving_default"]
    outputs = serve(texts=tf.constant(TEXTS))
    names = outputs["class_names"].numpy().astype(str)
    assert names.shape == (len(TEXTS), 10)
    assert (names == np.array(CLASS_NAMES)).all()
    np.testing.assert_allclose(
        outputs["probabilities"], model(TEXTS), atol=1e-5
    )
    empty = serve(texts=tf.constant([], tf.string))
    assert empty["probabilities"].shape == (0, 10)
    assert empty["class_names"].shape == (0, 10)
