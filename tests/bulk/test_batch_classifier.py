import numpy as np
import pytest

from attention_tf.bulk import BatchClassifier, CorpusRow
from tests.tiny_models import sentiment_texts, tiny_classifier


def good_rows(texts):
    return [
        CorpusRow(i, f"r{i}", text, i + 2, None, None)
        for i, text in enumerate(texts)
    ]


def probabilities(predictions, class_names):
    return np.array(
        [
            [p["probabilities"][name] for name in class_names]
            for _, p in predictions
        ]
    )


@pytest.mark.parametrize(
    "architecture, heads",
    [("bilstm", 1), ("bilstm", 3), ("han", 1), ("han", 2)],
)
def test_probabilities_equal_model_predict(architecture, heads):
    model = tiny_classifier(architecture, epochs=1, heads=heads)
    # Lengths from 1 to 60 words, shuffled: several batches of like length.
    texts = [
        " ".join(["great movie plot. awful"] * (i % 15 + 1)) for i in range(90)
    ]
    texts = [texts[i] for i in np.random.default_rng(0).permutation(90)]
    core = BatchClassifier(model, top=3, batch_size=4)
    assert len(core.plan([len(t.split()) for t in texts])) > 3
    predictions, errors = core(good_rows(texts))
    assert errors == []
    assert [record for record, _ in predictions] == list(range(90))
    expected = model.predict(texts, batch_size=256, verbose=0)
    got = probabilities(predictions, model.class_names)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    labels = [p["label"] for _, p in predictions]
    assert labels == [model.class_names[i] for i in expected.argmax(axis=1)]


def test_top_words_are_the_most_attended_known_words(model):
    core = BatchClassifier(model, top=2)
    ((_, prediction),) = core(good_rows(["the plot was great zzzz"]))[0]
    assert prediction["id"] == "r0"
    words = prediction["top"]
    assert len(words) == 2 and words[0]["weight"] >= words[1]["weight"] > 0
    assert {w["word"] for w in words} <= {
        "the",
        "plot",
        "was",
        "great",
        "[UNK]",
    }
    assert "top" not in BatchClassifier(model)(good_rows(["great"]))[0][0][1]


def test_bad_rows_become_errors_in_order(model):
    rows = good_rows(["great", "  ", "awful", None, 7]) + [
        CorpusRow(5, None, None, 9, None, "expected 2 fields, found 3.")
    ]
    predictions, errors = BatchClassifier(model)(rows)
    assert [record for record, _ in predictions] == [0, 2]
    assert errors == [
        (
            1,
            {
                "record": 1,
                "id": "r1",
                "line": 3,
                "reason": "the text is missing or empty.",
            },
        ),
        (
            3,
            {
                "record": 3,
                "id": "r3",
                "line": 5,
                "reason": "the text is missing or empty.",
            },
        ),
        (
            4,
            {
                "record": 4,
                "id": "r4",
                "line": 6,
                "reason": "the text must be a string. Received: 7",
            },
        ),
        (5, {"record": 5, "line": 9, "reason": "expected 2 fields, found 3."}),
    ]


def test_a_text_the_model_fails_on_is_an_error_not_a_lost_batch(
    model, monkeypatch
):
    core = BatchClassifier(model)
    run = core._run

    def fails_on_long_texts(ids):
        if ids.shape[1] > 5:
            raise RuntimeError("out of memory")
        return run(ids)

    monkeypatch.setattr(core, "_run", fails_on_long_texts)
    long = " ".join(["great"] * 10)
    predictions, errors = core(good_rows(["awful", long, "great plot"]))
    assert [record for record, _ in predictions] == [0, 2]
    assert errors == [
        (
            1,
            {
                "record": 1,
                "id": "r1",
                "line": 3,
                "reason": "the model failed on this text (RuntimeError: out of memory)",
            },
        )
    ]


def test_plan_fills_batches_up_to_the_token_budget(model):
    core = BatchClassifier(model, batch_size=2)  # 2 x the cap of 40 tokens
    lengths = [40, 1, 20, 3, 0, 40, 4]
    batches = core.plan(lengths)
    assert sorted(i for batch in batches for i in batch) == list(range(7))
    for batch in batches:
        assert len(batch) * max(max(lengths[i] for i in batch), 1) <= 80
    assert batches[0] == [4, 1, 3, 6]  # Short texts batch together.


def test_fingerprint_survives_saving_and_changes_with_the_weights(
    model, model_folder
):
    from attention_tf.models.document_classifier import EndToEndClassifier

    loaded = EndToEndClassifier.load(model_folder)
    assert (
        BatchClassifier(loaded).fingerprint()
        == BatchClassifier(model).fingerprint()
    )
    other = tiny_classifier(epochs=0, seed=1)
    assert (
        BatchClassifier(other).fingerprint()
        != BatchClassifier(model).fingerprint()
    )


@pytest.mark.parametrize("kwargs", [{"top": -1}, {"batch_size": 0}])
def test_bad_settings(model, kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        BatchClassifier(model, **kwargs)


def test_sentiment_fixture_texts_classify(model):
    texts, labels = sentiment_texts(40, seed=9)
    predictions, _ = BatchClassifier(model)(good_rows(texts))
    assert len(predictions) == 40
