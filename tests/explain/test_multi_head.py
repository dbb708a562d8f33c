"""Multi-head classifiers, saved and loaded: explain, classify, explorer, report.

References are computed in NumPy from the loaded classifier's own raw
per-head outputs.
"""

import json
import types

import numpy as np
import pytest
import tensorflow as tf

from attention_tf.cli import main
from attention_tf.explain.attended_words import attention_html
from attention_tf.explain.classifier_explainer import ClassifierExplainer
from attention_tf.explain.model_loading import load_classifier
from attention_tf.training.document_classifier.report import attention_examples
from tests.tiny_models import save_classifier, sentiment_texts, tiny_classifier

TEXTS = ["The plot was awful. It was boring!", "loved it", "zzz qqq"]
HEADS = {"bilstm": 3, "han": 2}


@pytest.fixture(scope="module", params=["bilstm", "han"])
def saved(request, tmp_path_factory):
    """A multi-head model saved as a run saves it, and loaded back."""
    architecture = request.param
    model = tiny_classifier(architecture, epochs=1, heads=HEADS[architecture])
    folder = save_classifier(
        model, str(tmp_path_factory.mktemp(architecture) / "run")
    )
    return architecture, folder, load_classifier(folder)


def _raw(model, texts):
    outputs = model(tf.constant(texts), return_attention_scores=True)
    return [o.numpy() for o in outputs]


def test_loaded_model_keeps_its_heads(saved):
    architecture, _, model = saved
    heads = HEADS[architecture]
    assert model.classifier.attention_heads == heads
    outputs = _raw(model, TEXTS)
    ids = outputs[1]
    if architecture == "han":
        words, sentences = outputs[2:]
        assert words.shape == ids.shape[:2] + (heads, ids.shape[2])
        assert sentences.shape == (len(TEXTS), heads, ids.shape[1])
    else:
        assert outputs[2].shape == (len(TEXTS), heads, ids.shape[1])
    # Every head of every text with a known word sums to 1.
    np.testing.assert_allclose(
        outputs[-1][:2].sum(-1), np.ones((2, heads)), atol=1e-5
    )


def test_explainer_attention_is_the_head_mean(saved):
    architecture, _, model = saved
    heads = HEADS[architecture]
    outputs = _raw(model, TEXTS[:2])
    ids = outputs[1]
    [first, second] = ClassifierExplainer(model).explain(
        TEXTS[:2], methods=("attention",)
    )
    for row, result in enumerate([first, second]):
        kept = ids[row] != 0
        if architecture == "han":
            words, sentences = outputs[2][row], outputs[3][row]
            # Word head k within its sentence, times the sentence weights'
            # mean over sentence heads.
            per_head = [
                (words[:, k, :] * sentences.mean(0)[:, None])[kept]
                for k in range(heads)
            ]
        else:
            per_head = [outputs[2][row, k][kept] for k in range(heads)]
        assert len(result["attention_heads"]) == heads
        for values, expected in zip(result["attention_heads"], per_head):
            np.testing.assert_allclose(values, expected, atol=1e-6)
            np.testing.assert_allclose(sum(values), 1.0, atol=1e-5)
        np.testing.assert_allclose(
            result["attention"], np.mean(per_head, axis=0), atol=1e-6
        )


def test_explain_command_shows_a_row_per_head(saved, tmp_path):
    architecture, folder, _ = saved
    out, numbers = tmp_path / "page.html", tmp_path / "numbers.json"
    command = ["explain", "--model", folder, "--out", str(out)]
    assert (
        main(command + ["--json", str(numbers), "--steps", "8"] + TEXTS[:2])
        == 0
    )
    page = out.read_text()
    for head in range(1, HEADS[architecture] + 1):
        assert page.count(f"<th>Attention, head {head}</th>") == 2
    assert f"head {HEADS[architecture] + 1}<" not in page
    results = json.loads(numbers.read_text())["results"]
    assert len(results[0]["attention_heads"]) == HEADS[architecture]


def test_classify_command_ranks_words_by_the_head_mean(saved, capsys):
    architecture, folder, model = saved
    assert main(["classify", "--model", folder, "--top", "1", TEXTS[1]]) == 0
    line = capsys.readouterr().out.strip()
    [result] = ClassifierExplainer(model).explain(
        [TEXTS[1]], methods=("attention",)
    )
    if architecture == "han":
        # `classify` ranks a word by its weight within its sentence.
        ids = _raw(model, TEXTS[1:2])[1][0]
        words = _raw(model, TEXTS[1:2])[2][0].mean(axis=1)[ids != 0]
    else:
        words = np.array(result["attention"])
    top = result["words"][int(np.argmax(words))]
    assert f"\t{top} ({words.max():.2f})\t" in line


def test_explorer_returns_the_mean_and_each_head(saved):
    from starlette.testclient import TestClient

    from attention_tf.serving.explorer_app import create_app

    architecture, _, model = saved
    explainer = ClassifierExplainer(model)
    with TestClient(create_app(explainer)) as client:
        response = client.post("/api/classify", json={"texts": TEXTS[:2]})
    assert response.status_code == 200
    results = response.json()["results"]
    expected = explainer.explain(TEXTS[:2], methods=("attention",))
    for result, reference in zip(results, expected):
        np.testing.assert_allclose(
            result["attention"], reference["attention"], atol=1e-6
        )
        assert len(result["attention_heads"]) == HEADS[architecture]


def _report(model, tmp_path):
    texts, labels = sentiment_texts(4, seed=3)
    test = types.SimpleNamespace(texts=texts, labels=labels)
    examples = attention_examples(model, test, count=4)
    page = tmp_path / "attention.html"
    page.write_text(attention_html(examples, ["neg", "pos"]))
    return examples, page.read_text()


def test_attention_report_has_a_labelled_row_per_head(saved, tmp_path):
    architecture, _, model = saved
    heads = HEADS[architecture]
    examples, page = _report(model, tmp_path)
    assert page.count("<b>Head 1</b>") == len(examples)
    assert page.count(f"<b>Head {heads}</b>") == len(examples)
    assert f"<b>Head {heads + 1}</b>" not in page
    outputs = _raw(model, [sentiment_texts(4, seed=3)[0][0]])
    for head, shown in enumerate(examples[0]["heads"]):
        if architecture == "han":
            kept = (outputs[1][0] != 0).any(-1)
            np.testing.assert_allclose(
                shown["sentence_weights"],
                outputs[3][0, head][kept],
                atol=1e-6,
            )
            weights = [w for sentence in shown["words"] for _, w in sentence]
            expected = outputs[2][0][:, head][outputs[1][0] != 0]
        else:
            weights = [w for _, w in shown["words"]]
            expected = outputs[2][0, head][outputs[1][0] != 0]
        np.testing.assert_allclose(weights, expected, atol=1e-6)


@pytest.mark.parametrize("architecture", ["bilstm", "han"])
def test_one_head_report_has_no_head_rows(architecture, tmp_path):
    model = tiny_classifier(architecture)
    examples, page = _report(model, tmp_path)
    assert "Head 1" not in page and "heads" not in examples[0]
    outputs = _raw(model, [sentiment_texts(4, seed=3)[0][0]])
    ids = outputs[1][0]
    words = examples[0]["words"]
    if architecture == "han":
        words = [pair for sentence in words for pair in sentence]
    np.testing.assert_allclose(
        [w for _, w in words], outputs[2][0][ids != 0], atol=1e-6
    )
