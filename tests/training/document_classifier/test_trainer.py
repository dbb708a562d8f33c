import csv
import importlib.util
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
import zipfile

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf

from attention_tf.cli import main

KEYWORDS = {"pos": "excellent", "neg": "dreadful"}
FILLER = [f"w{i}" for i in range(40)]


@pytest.fixture(scope="module")
def keyword_corpus(tmp_path_factory):
    """Labels decided by one keyword hidden among filler words."""
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("corpus") / "keywords.csv"
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["text", "label"])
        for i in range(800):
            label = "pos" if i % 2 else "neg"
            words = list(rng.choice(FILLER, size=rng.integers(40, 120)))
            words.insert(rng.integers(0, len(words) + 1), KEYWORDS[label])
            writer.writerow([" ".join(words), label])
    return str(path)


def _train_args(data, out, *extra):
    return [
        "train-doc-classifier",
        "--data",
        data,
        "--out",
        str(out),
        "--quick",
        "--seed",
        "3",
        *extra,
    ]


@pytest.fixture(scope="module")
def trained_run(keyword_corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    # Random embeddings: both keywords sit among the same random filler, so
    # word2vec gives them the same vector, which the short quick run does
    # not pull apart. The runs below learn word vectors.
    args = _train_args(
        keyword_corpus, out, "--word-vector-epochs", "0", "--epochs", "6"
    )
    assert main(args) == 0
    return out


def test_training_learns_the_keyword(trained_run):
    with open(trained_run / "metrics.json") as file:
        metrics = json.load(file)
    assert metrics["test_accuracy"] >= 0.95
    assert metrics["num_test"] == 160
    assert metrics["num_train"] + metrics["num_validation"] == 640
    required = {
        "test_accuracy",
        "test_loss",
        "val_accuracy",
        "epochs",
        "train_seconds",
        "real_tokens_per_second",
        "padding_share",
        "num_train",
        "num_test",
        "vocab_size",
        "max_length",
        "architecture",
    }
    assert required <= set(metrics)
    assert metrics["architecture"] == "bilstm"
    assert 0.0 <= metrics["padding_share"] < 0.5
    for name in ("model.keras", "attention.html", "learning_curves.png"):
        assert os.path.getsize(trained_run / name) > 0
    assert not [n for n in os.listdir(trained_run) if n.startswith(".tmp-")]


def test_saved_model_round_trip_classifies_new_texts(trained_run):
    model = keras.saving.load_model(
        str(trained_run / "model.keras"), safe_mode=True
    )
    rng = np.random.default_rng(1)
    texts, labels = [], []
    for i in range(60):
        words = list(rng.choice(FILLER, size=80))
        words.insert(rng.integers(0, 81), KEYWORDS["pos" if i % 2 else "neg"])
        texts.append(" ".join(words))
        labels.append(i % 2)
    probabilities, ids, weights = model(
        tf.constant(texts), return_attention_scores=True
    )
    # Longer texts than most of the training ones: a little lower.
    assert np.mean(np.argmax(probabilities, axis=1) == labels) >= 0.9
    np.testing.assert_allclose(np.sum(weights, axis=1), 1.0, atol=1e-5)
    assert tuple(ids.shape) == (60, 81)


def test_classify_prints_label_and_attended_words(trained_run, capsys):
    status = main(
        ["classify", "--model", str(trained_run), "w1 w2 excellent w3", ""]
    )
    assert status == 0
    first, empty = capsys.readouterr().out.strip().split("\n")
    label, probability, words = first.split("\t")[:3]
    assert label == "pos" and float(probability) > 0.5
    attended = dict(pair.rsplit(" (", 1) for pair in words.split(", "))
    assert set(attended) == {"w1", "w2", "w3", "excellent"}
    assert sum(float(w.rstrip(")")) for w in attended.values()) <= 1.0 + 1e-2
    assert "nan" not in empty and "(no known words)" in empty


def test_han_architecture_trains_and_saves(keyword_corpus, tmp_path):
    args = _train_args(
        keyword_corpus, tmp_path, "--architecture", "han", "--epochs", "2"
    )
    assert main(args) == 0
    with open(tmp_path / "metrics.json") as file:
        assert json.load(file)["architecture"] == "han"
    model = keras.saving.load_model(str(tmp_path / "model.keras"))
    outputs = model(
        tf.constant(["w1 excellent. w2 w3!"]), return_attention_scores=True
    )
    assert len(outputs) == 4 and tuple(outputs[3].shape)[0] == 1
    assert "border-color" in (tmp_path / "attention.html").read_text()


def test_bad_arguments_are_value_errors(keyword_corpus, tmp_path):
    with pytest.raises(ValueError, match="--epochs must be >= 1"):
        main(_train_args(keyword_corpus, tmp_path, "--epochs", "0"))
    with pytest.raises(ValueError, match="--word-vector-epochs must be >= 0"):
        main(
            _train_args(
                keyword_corpus, tmp_path / "b", "--word-vector-epochs", "-1"
            )
        )
    with pytest.raises(ValueError, match="No saved model"):
        main(["classify", "--model", str(tmp_path / "none"), "text"])


def test_killed_run_resumes_to_the_same_result(keyword_corpus, tmp_path):
    extra = ("--epochs", "3", "--patience", "3")
    reference = tmp_path / "reference"
    assert main(_train_args(keyword_corpus, reference, *extra)) == 0

    resumed = tmp_path / "resumed"
    command = [sys.executable, "-m", "attention_tf.cli"]
    process = subprocess.Popen(
        command + _train_args(keyword_corpus, resumed, *extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    history = resumed / "state" / "history.json"
    backup = resumed / "state" / "backup" / "training_metadata.json"
    deadline = time.monotonic() + 300
    while not backup.exists() and process.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with open(history) as file:
        before = json.load(file)
    assert 1 <= len(before) < 3
    assert not (resumed / "metrics.json").exists()

    assert main(_train_args(keyword_corpus, resumed, *extra)) == 0
    with open(reference / "state" / "history.json") as file:
        expected = json.load(file)
    with open(history) as file:
        actual = json.load(file)
    # The first epoch was not trained again: its record, timing included,
    # is the one the killed run wrote.
    assert actual[0] == before[0]
    for key in ("loss", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(
            [e[key] for e in actual], [e[key] for e in expected], rtol=1e-4
        )
    with open(reference / "metrics.json") as file:
        expected_metrics = json.load(file)
    with open(resumed / "metrics.json") as file:
        actual_metrics = json.load(file)
    assert actual_metrics["test_accuracy"] == expected_metrics["test_accuracy"]
    # The resumed run reused the killed run's word vectors, which equal
    # the ones the uninterrupted run learned.
    vectors = [
        np.load(run / "state" / "word_vectors.npz")["vectors"]
        for run in (reference, resumed)
    ]
    np.testing.assert_array_equal(*vectors)


def test_state_of_another_run_is_not_resumed(keyword_corpus, tmp_path):
    # A run that fails (here: a wrong --data) leaves nothing in the way.
    with pytest.raises(ValueError, match="does not exist"):
        main(_train_args(str(tmp_path / "missing.csv"), tmp_path))
    assert main(_train_args(keyword_corpus, tmp_path, "--epochs", "1")) == 0
    with pytest.raises(
        ValueError,
        match=r"resume state of a run with other settings \(epochs\)",
    ):
        main(_train_args(keyword_corpus, tmp_path, "--epochs", "2"))


def test_finished_run_is_left_as_it_is(trained_run, keyword_corpus, capsys):
    args = _train_args(
        keyword_corpus,
        trained_run,
        "--word-vector-epochs",
        "0",
        "--epochs",
        "6",
    )
    before = {
        name: os.stat(trained_run / name).st_mtime_ns
        for name in ("model.keras", "metrics.json", "attention.html")
    }
    assert main(args) == 0
    assert "already holds this run, finished" in capsys.readouterr().out
    for name, mtime in before.items():
        assert os.stat(trained_run / name).st_mtime_ns == mtime


def test_edited_data_is_not_resumed(trained_run, keyword_corpus, tmp_path):
    edited = tmp_path / "edited.csv"
    lines = open(keyword_corpus).read().split("\n")
    # One label changed, every text the same.
    lines[1] = lines[1].rsplit(",", 1)[0] + (
        ",pos" if lines[1].endswith("neg") else ",neg"
    )
    edited.write_text("\n".join(lines))
    model = trained_run / "model.keras"
    mtime = os.stat(model).st_mtime_ns
    args = _train_args(
        str(edited), trained_run, "--word-vector-epochs", "0", "--epochs", "6"
    )
    with pytest.raises(ValueError, match=r"other data \(the texts or labels"):
        main(args)
    assert os.stat(model).st_mtime_ns == mtime


def test_saved_model_carries_no_optimizer_state(trained_run):
    with zipfile.ZipFile(trained_run / "model.keras") as archive:
        with archive.open("model.weights.h5") as weights:
            names = []
            h5py.File(weights).visit(names.append)
    assert not [name for name in names if "optimizer" in name]
    assert any(name.startswith("classifier/") for name in names)


def test_imdb_run_learns_vocabulary_and_vectors_from_unlabelled_reviews(
    tmp_path, monkeypatch
):
    from attention_tf.data import imdb

    monkeypatch.setattr(imdb, "REVIEWS_PER_SPLIT_AND_CLASS", 30)
    rng = np.random.default_rng(0)
    archive = tmp_path / "aclImdb_v1.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        files = {}
        for split in ("train", "test"):
            for label, folder in enumerate(("neg", "pos")):
                for i in range(30):
                    words = list(rng.choice(FILLER, size=30))
                    words.insert(3, KEYWORDS[folder])
                    files[
                        f"aclImdb/{split}/{folder}/{i}_{7 * label + 1}.txt"
                    ] = " ".join(words)
        for i in range(45):
            files[f"aclImdb/train/unsup/{i}_0.txt"] = "onlyunlabelled w1 w2"
        # Three reviews per movie.
        for folder in ("neg", "pos"):
            files[f"aclImdb/train/urls_{folder}.txt"] = "".join(
                f"http://www.imdb.com/title/tt{folder}{i // 3}/usercomments\n"
                for i in range(30)
            )
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

    out = tmp_path / "run"
    assert main(_train_args(str(archive), out, "--epochs", "1")) == 0
    with open(out / "metrics.json") as file:
        metrics = json.load(file)
    assert metrics["num_unlabelled"] == 45
    assert metrics["num_train"] + metrics["num_validation"] == 60
    assert metrics["validation_grouped_by"] == "movie"
    assert metrics["num_validation"] % 3 == 0
    vectors = np.load(out / "state" / "word_vectors.npz")["vectors"]
    assert vectors.shape == (metrics["vocab_size"], 64)
    model = keras.saving.load_model(str(out / "model.keras"), safe_mode=True)
    assert "onlyunlabelled" in model.vectorizer.get_vocabulary()


# JAX comes with the dev extra; PyTorch with the torch extra, which
# `make test-backends` installs before running this test again.
OTHER_BACKENDS = [
    name for name in ("jax", "torch") if importlib.util.find_spec(name)
]


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_other_backends_train_save_and_classify(
    backend, keyword_corpus, tmp_path
):
    """The trainer on JAX and PyTorch: string preprocessing stays in
    TensorFlow, the classifier runs on the backend; the saved model loads
    there and classifies raw texts."""
    script = f"""
import json, sys
import keras, numpy as np
from attention_tf.cli import main
assert keras.backend.backend() == {backend!r}
args = ["train-doc-classifier", "--data", {keyword_corpus!r}, "--out",
        {str(tmp_path)!r}, "--quick", "--seed", "3",
        "--word-vector-epochs", "0", "--epochs", "6"]
assert main(args) == 0
metrics = json.load(open({str(tmp_path / "metrics.json")!r}))
model = keras.saving.load_model({str(tmp_path / "model.keras")!r})
texts = ["w1 w2 excellent w3", "w4 dreadful w5", ""]
probabilities = model.predict(texts, verbose=0)
_, _, weights = model(texts, return_attention_scores=True)
print(json.dumps({{
    "accuracy": metrics["test_accuracy"],
    "labels": np.argmax(probabilities, axis=1).tolist(),
    "weight_sums": np.sum(keras.ops.convert_to_numpy(weights), 1).tolist(),
}}))
"""
    env = dict(os.environ, KERAS_BACKEND=backend, JAX_PLATFORMS="cpu")
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["accuracy"] >= 0.9
    assert outcome["labels"][:2] == [1, 0]  # Classes sorted: neg, pos.
    np.testing.assert_allclose(
        outcome["weight_sums"], [1.0, 1.0, 0.0], atol=1e-5
    )
