import json
import re

import httpx
import numpy as np
import pytest
import tensorflow as tf

from attention_tf.explain.model_loading import load_classifier, load_translator
from attention_tf.serving import request_parsing

REVIEW = "The plot was awful and boring. The actor was dull!"
SVG_NAMESPACE = 'xmlns="http://www.w3.org/2000/svg"'


@pytest.fixture(scope="module")
def client(explorer):
    url, _ = explorer
    with httpx.Client(base_url=url, timeout=60) as client:
        yield client


def test_classify_matches_the_model_and_attention_sums_to_one(
    client, model_folders
):
    texts = [REVIEW, "Loved it, a wonderful and superb movie.", "zzz qqq"]
    response = client.post("/api/classify", json={"texts": texts})
    assert response.status_code == 200
    results = response.json()["results"]
    model = load_classifier(model_folders[0])
    probabilities, ids, weights = (
        o.numpy()
        for o in model(tf.constant(texts), return_attention_scores=True)
    )
    vocabulary = model.vectorizer.get_vocabulary()
    for result, p, row_ids, row_weights in zip(
        results, probabilities, ids, weights
    ):
        kept = row_ids != 0
        assert result["words"] == [vocabulary[i] for i in row_ids[kept]]
        np.testing.assert_allclose(
            result["attention"], row_weights[kept], atol=1e-6
        )
        np.testing.assert_allclose(sum(result["attention"]), 1.0, atol=1e-5)
        np.testing.assert_allclose(
            [result["probabilities"][c] for c in ("neg", "pos")], p, atol=1e-6
        )
        assert result["label"] == ("neg", "pos")[int(np.argmax(p))]
    assert results[0]["label"] == "neg" and results[1]["label"] == "pos"
    assert results[2]["words"] == ["[UNK]", "[UNK]"]


def test_classify_returns_the_requested_attributions(client):
    response = client.post(
        "/api/classify",
        json={
            "texts": [REVIEW],
            "methods": ["leave_one_out", "integrated_gradients"],
        },
    )
    [result] = response.json()["results"]
    count = len(result["words"])
    assert len(result["integrated_gradients"]) == count
    assert len(result["leave_one_out"]) == count
    check = result["integrated_gradients_check"]
    assert abs(check["completeness_gap"]) <= check["tolerance"]


def test_translate_matches_the_translator(client, model_folders):
    texts = ["el gato come pescado", "la casa"]
    response = client.post("/api/translate", json={"texts": texts, "beam": 2})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results == json.loads(
        json.dumps(load_translator(model_folders[1])(texts, beam=2))
    )
    for result, text in zip(results, texts):
        assert result["source_words"] == text.split()
        rows = np.array(result["attention"])
        assert rows.shape == (len(result["words"]), len(result["source_words"]))
        np.testing.assert_allclose(rows.sum(axis=1), 1.0, atol=1e-5)


def test_concurrent_requests_are_batched_and_answered_correctly(explorer):
    import concurrent.futures

    url, app = explorer
    texts = [f"the movie was {w}" for w in ("great", "awful", "dull", "superb")]

    def ask(text):
        with httpx.Client(base_url=url, timeout=60) as client:
            return client.post("/api/classify", json={"texts": [text]}).json()

    calls = app.state.batcher.calls
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(ask, texts * 8))
    alone = {t: ask(t)["results"][0]["probabilities"]["pos"] for t in texts}
    for text, answer in zip(texts * 8, answers):
        np.testing.assert_allclose(
            answer["results"][0]["probabilities"]["pos"], alone[text], atol=1e-5
        )
    assert app.state.batcher.calls - calls < 32 + len(texts)


MB_TEXT = "good " * 200_000


@pytest.mark.parametrize(
    "body, headers, status, message",
    [
        (b'{"texts": [""]}', None, 400, r"texts\[0\] is empty"),
        (b'{"texts": ["   \\n\\t "]}', None, 400, "only whitespace"),
        (
            json.dumps({"texts": [MB_TEXT]}).encode(),
            None,
            413,
            r"texts\[0\] has 1000000 characters; at most 50000",
        ),
        (
            b"x" * (request_parsing.MAX_BODY_BYTES + 10),
            None,
            413,
            "over 2097152 bytes",
        ),
        (b'{"texts": ["caf\xe9 ok"]}', None, 400, "not valid UTF-8: byte 15"),
        (
            b'{"texts": ["a",]}',
            None,
            400,
            "not valid JSON: .* line 1, column 16",
        ),
        (b'["a"]', None, 400, "must be a JSON object"),
        (b'{"text": ["a"]}', None, 400, r"Unknown field\(s\) \['text'\]"),
        (b'{"texts": "a review"}', None, 400, "non-empty list of strings"),
        (b'{"texts": [3]}', None, 400, r"texts\[0\] must be a string"),
        (b'{"texts": ["a"], "methods": ["gradients"]}', None, 400, "methods"),
        (b'{"texts": ["--- ,,, ***"]}', None, 422, "no words the model reads"),
        (
            b'{"texts": ["a"]}',
            {"Content-Type": "text/plain"},
            415,
            "application/json",
        ),
        (b'{"texts": ["a"]}', {"Content-Type": ""}, 415, "application/json"),
    ],
)
def test_bad_input_gets_a_4xx_naming_the_problem(
    client, body, headers, status, message
):
    headers = (
        headers if headers is not None else {"Content-Type": "application/json"}
    )
    response = client.post("/api/classify", content=body, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert list(response.json()) == ["error"]
    assert re.search(message, response.json()["error"])
    # The server keeps serving.
    ok = client.post("/api/classify", json={"texts": [REVIEW]})
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"texts": ["el gato"], "beam": 99}, "from 0 to 8"),
        ({"texts": ["el gato"] * 65}, "at most 64"),
    ],
)
def test_bad_translation_requests(client, payload, message):
    response = client.post("/api/translate", json=payload)
    assert 400 <= response.status_code < 500
    assert message in response.json()["error"]
    ok = client.post("/api/translate", json={"texts": ["el gato"]})
    assert ok.status_code == 200


def test_unknown_routes_and_methods_answer_json(client):
    missing = client.get("/../etc/passwd")
    assert missing.status_code == 404 and "error" in missing.json()
    wrong = client.get("/api/classify")
    assert wrong.status_code == 405
    assert "GET is not allowed" in wrong.json()["error"]


def test_the_page_loads_nothing_from_elsewhere(client):
    paths = ("/", "/explorer.js", "/explorer.css", "/favicon.svg")
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200
        assert (
            "default-src 'self'" in response.headers["content-security-policy"]
        )
        # The SVG namespace is a name, not an address the browser loads.
        text = response.text.replace(SVG_NAMESPACE, "")
        assert "http://" not in text and "https://" not in text
        assert "//" + "cdn" not in text


def test_the_favicon_is_served_where_browsers_ask_for_it(client):
    for path in ("/favicon.ico", "/favicon.svg"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/svg+xml"
        assert response.text.startswith("<svg ")


def test_serve_binds_loopback_by_default():
    from attention_tf.cli import build_parser

    args = build_parser().parse_args(["serve", "--model", "m"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
