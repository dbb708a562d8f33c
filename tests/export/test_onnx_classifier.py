"""`attention-tf export --format onnx`: onnxruntime against the Keras model.

Quick classifiers are trained on review-like texts, exported through the
command line and run in onnxruntime on the ids a client would send (right
padding, ids beyond the cap, an empty text); probabilities and attention
must match the Keras model to 1e-5.
"""

import json

import keras
import numpy as np
import onnxruntime
import pytest
import regex

from attention_tf.cli import main
from attention_tf.layers.attention_heads import head_mean
from attention_tf.models import (
    BiLSTMAttentionClassifier,
    DocumentClassifierPreprocessor,
    EndToEndClassifier,
    HierarchicalAttentionClassifier,
)

TOLERANCE = 1e-5
TRAIN = [
    ("A wonderful, moving film. The cast is superb!", 1),
    ("Dreadful. A waste of two hours; the plot makes no sense.", 0),
    ("I loved every minute.<br /><br />Go and see it!", 1),
    ("Boring, slow and badly acted. Avoid!!", 0),
    ("Brilliant script, great music. A classic.", 1),
    ("The worst film I have seen this year... terrible.", 0),
    ("Funny, warm and clever: the best comedy in years.", 1),
    ("Awful dialogue. Dull characters. I left early?", 0),
]
TEXTS = [
    "A superb, moving story. Great cast!",
    "",
    "Terrible... the plot makes no sense. Boring? Yes. Avoid it!!",
    "zzz qqq unknown words only",
    "Café crème: a film I loved!<br />Brilliant, funny and warm. "
    "See it. Then see it again. And again. The best.",
]


def _quick_model(kind, heads=1):
    """A classifier with `heads` heads trained for a few steps on `TRAIN`."""
    keras.utils.set_random_seed(0)
    texts, labels = (list(column) for column in zip(*TRAIN))
    if kind == "flat":
        preprocessor = DocumentClassifierPreprocessor.from_texts(texts, 60, 9)
        classifier = BiLSTMAttentionClassifier(
            preprocessor.vectorizer.vocabulary_size(),
            2,
            embedding_dim=8,
            lstm_units=6,
            attention_units=5,
            attention_heads=heads,
        )
    else:
        # The token cap applies before the sentence split.
        preprocessor = DocumentClassifierPreprocessor.from_texts(
            texts, 60, 22, max_sentences=3, max_words=5
        )
        classifier = HierarchicalAttentionClassifier(
            preprocessor.vectorizer.vocabulary_size(),
            2,
            embedding_dim=8,
            word_units=5,
            sentence_units=4,
            attention_units=6,
            attention_heads=heads,
        )
    model = EndToEndClassifier(preprocessor, classifier, ["neg", "pos"])
    classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    classifier.fit(
        preprocessor(np.array(texts)), np.array(labels), epochs=3, verbose=0
    )
    model(np.array(texts[:1]))  # builds the wrapper, so saving is complete
    return model


@pytest.fixture(
    scope="module",
    params=[("flat", 1), ("hierarchical", 1), ("flat", 3), ("hierarchical", 2)],
    ids=lambda param: f"{param[0]}-{param[1]}-heads",
)
def exported(request, tmp_path_factory):
    kind, heads = request.param
    model = _quick_model(kind, heads)
    folder = tmp_path_factory.mktemp(f"{kind}-{heads}")
    model.save(folder / "model.keras")
    out = folder / "onnx"
    command = ["export", "--model", str(folder), "--out", str(out)]
    assert main(command + ["--format", "onnx"]) == 0
    return keras.saving.load_model(folder / "model.keras"), out


def _client_token_ids(folder, texts, extra_padding=2):
    """Tokenises as a non-Python client would, from the exported rules."""
    rules = json.loads((folder / "preprocessing.json").read_text())
    vocabulary = (folder / "vocabulary.txt").read_text().split("\n")[:-1]
    index = {word: i for i, word in enumerate(vocabulary) if word}
    rows = []
    for text in texts:
        text = text.lower()
        for pattern, replacement in rules["replacements"]:
            text = regex.sub(pattern, replacement, text)
        words = text.strip().split(" ") if text.strip() else []
        rows.append(
            [index.get(word, rules["out_of_vocabulary_id"]) for word in words]
        )
    # No cap here: the graph ignores ids beyond it. Extra right padding
    # must not change anything either.
    time = max(1, max(map(len, rows))) + extra_padding
    ids = np.full((len(rows), time), rules["padding_id"], "int64")
    for row, words in zip(ids, rows):
        row[: len(words)] = words
    return ids


def _run_onnx(folder, ids):
    session = onnxruntime.InferenceSession(
        str(folder / "model.onnx"), providers=["CPUExecutionProvider"]
    )
    probabilities, attention = session.run(
        ["probabilities", "attention"], {"token_ids": ids}
    )
    return probabilities, attention


def _expected_attention(model, full_ids, keras_ids, keras_weights):
    """Keras' weights placed at the position of each id in `full_ids`."""
    keras_ids, keras_weights = np.asarray(keras_ids), np.asarray(keras_weights)
    expected = np.zeros(full_ids.shape, "float32")
    rules = model.preprocessor
    if not rules.hierarchical:
        time = keras_ids.shape[1]
        np.testing.assert_array_equal(
            full_ids[:, :time][keras_ids != 0], keras_ids[keras_ids != 0]
        )
        expected[:, :time] = keras_weights
        return expected
    # The sentence rule, written out: sentence = ends seen so far.
    boundaries = set(rules.sentence_boundary_ids)
    for b, row in enumerate(full_ids):
        sentence, word = 0, 0
        for t, token in enumerate(row[row != 0][: rules.max_length]):
            if sentence < rules.max_sentences and word < rules.max_words:
                assert keras_ids[b, sentence, word] == token
                expected[b, t] = keras_weights[b, sentence, word]
            word += 1
            if token in boundaries:
                sentence, word = sentence + 1, 0
    return expected


def test_onnx_matches_keras(exported):
    model, folder = exported
    ids = _client_token_ids(folder, TEXTS)
    probabilities, attention = _run_onnx(folder, ids)
    keras_probabilities, keras_ids, keras_weights = model(
        np.array(TEXTS), return_attention_scores=True
    )[:3]
    np.testing.assert_allclose(
        probabilities, keras_probabilities, rtol=0, atol=TOLERANCE
    )
    # Several heads: the graph's attention is their mean.
    keras_weights = head_mean(keras_ids, keras_weights)[0]
    expected = _expected_attention(model, ids, keras_ids, keras_weights)
    np.testing.assert_allclose(attention, expected, rtol=0, atol=TOLERANCE)
    assert attention.shape == ids.shape
    assert np.all(attention[ids == 0] == 0.0)
    np.testing.assert_array_equal(attention[1], 0.0)  # the empty text
    assert np.isfinite(probabilities).all()


def test_onnx_takes_int64_ids_of_any_padding(exported):
    model, folder = exported
    short = _client_token_ids(folder, TEXTS, extra_padding=0)
    long = _client_token_ids(folder, TEXTS, extra_padding=7)
    short_outputs, long_outputs = (
        _run_onnx(folder, short),
        _run_onnx(folder, long),
    )
    np.testing.assert_allclose(short_outputs[0], long_outputs[0], atol=1e-6)
    np.testing.assert_allclose(
        short_outputs[1], long_outputs[1][:, : short.shape[1]], atol=1e-6
    )


def test_export_writes_rules_and_vocabulary(exported):
    model, folder = exported
    rules = json.loads((folder / "preprocessing.json").read_text())
    assert rules["class_names"] == ["neg", "pos"]
    assert rules["max_length"] == model.preprocessor.max_length
    assert ("sentences" in rules) == model.preprocessor.hierarchical
    vocabulary = (folder / "vocabulary.txt").read_text().split("\n")[:-1]
    assert vocabulary == model.preprocessor.vectorizer.get_vocabulary()


def test_export_refuses_an_existing_folder(exported):
    _, folder = exported
    with pytest.raises(ValueError, match="already exists"):
        main(
            [
                "export",
                "--model",
                str(folder.parent),
                "--out",
                str(folder),
                "--format",
                "onnx",
            ]
        )
