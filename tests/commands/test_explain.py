import csv
import json

import pytest

from attention_tf.cli import main
from tests.tiny_models import save_classifier, sentiment_texts


@pytest.fixture(scope="module")
def model_folder(trained_bilstm, tmp_path_factory):
    return save_classifier(
        trained_bilstm, str(tmp_path_factory.mktemp("run") / "classifier")
    )


def test_explain_writes_html_and_json(model_folder, tmp_path, capsys):
    out, numbers = tmp_path / "page.html", tmp_path / "numbers.json"
    texts = ["The plot was <b>awful</b>.", "loved it"]
    code = main(
        [
            "explain",
            "--model",
            model_folder,
            "--out",
            str(out),
            "--json",
            str(numbers),
            "--steps",
            "16",
            *texts,
        ]
    )
    assert code == 0
    page = out.read_text()
    assert "&lt;b&gt;awful&lt;/b&gt;" in page  # the text is escaped
    for title in ("Attention", "Integrated gradients", "Leave-one-out"):
        assert f"<th>{title}</th>" in page
    results = json.loads(numbers.read_text())["results"]
    assert [r["words"] for r in results][1] == ["loved", "it"]
    assert "completeness gap" in capsys.readouterr().out


def test_faithfulness_writes_json_and_plot(model_folder, tmp_path, capsys):
    texts, labels = sentiment_texts(30, seed=5)
    data = tmp_path / "held_out.csv"
    with open(data, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(zip(texts, labels))
    out = tmp_path / "faithfulness"
    code = main(
        [
            "faithfulness",
            "--model",
            model_folder,
            "--data",
            str(data),
            "--limit",
            "6",
            "--steps",
            "8",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    results = json.loads((out / "faithfulness.json").read_text())
    assert results["texts"] == 6
    assert set(results["methods"]) == {
        "attention",
        "integrated_gradients",
        "leave_one_out",
        "random",
    }
    assert (out / "faithfulness.png").read_bytes()[:4] == b"\x89PNG"
    assert "| Leave-one-out |" in capsys.readouterr().out


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--steps", "0"], "--steps must be >= 1"),
        (["--limit", "-1"], "--limit must be >= 0"),
    ],
)
def test_faithfulness_bad_arguments(model_folder, arguments, message):
    with pytest.raises(ValueError, match=message):
        main(
            [
                "faithfulness",
                "--model",
                model_folder,
                "--data",
                "x.csv",
                *arguments,
            ]
        )


def test_missing_model_is_named(tmp_path):
    with pytest.raises(ValueError, match="No saved model"):
        main(["explain", "--model", str(tmp_path / "none"), "text"])
