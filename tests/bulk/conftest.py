import csv
import json

import pytest

from tests.tiny_models import save_classifier, sentiment_texts, tiny_classifier


@pytest.fixture(scope="session")
def model():
    return tiny_classifier(epochs=2)


@pytest.fixture(scope="session")
def model_folder(model, tmp_path_factory):
    return str(save_classifier(model, tmp_path_factory.mktemp("run")))


@pytest.fixture(scope="session")
def texts():
    return sentiment_texts(120, seed=3)[0]


def write_csv(path, texts, ids=True):
    """A CSV of `texts` with an `id` column (`r0`, `r1`, ...)."""
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "text"] if ids else ["text"])
        for index, text in enumerate(texts):
            writer.writerow([f"r{index}", text] if ids else [text])
    return path


def read_output(folder):
    """`(predictions, errors, summary)` of an output folder."""
    predictions = []
    for part in sorted(folder.glob("part-*.jsonl")):
        predictions += [
            json.loads(line) for line in part.read_text().splitlines()
        ]
    errors = [
        json.loads(line)
        for line in (folder / "errors.jsonl").read_text().splitlines()
    ]
    summary = json.loads((folder / "summary.json").read_text())
    return predictions, errors, summary
