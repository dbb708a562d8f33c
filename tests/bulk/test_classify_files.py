import json
import os

import numpy as np
import pytest

from attention_tf.bulk import BatchClassifier, classify_files
from tests.bulk.conftest import read_output, write_csv


def corpus_with_bad_rows(path, texts):
    """A CSV of `texts` with ids, and four bad rows among them.

    An empty text (line 4), a stray quote (line 7), an extra field (line
    10) and a latin-1 byte (line 13).
    """
    write_csv(path, texts)
    lines = path.read_bytes().split(b"\n")
    lines[3] = b"bad1,"
    lines[6] = b'bad2,"a stray quote'
    lines[9] = b"bad3,one,field too many"
    lines[12] = b"bad4,caf\xe9 au lait"
    path.write_bytes(b"\n".join(lines))
    return {3: "bad1", 6: "bad2", 9: "bad3", 12: "bad4"}


def test_every_good_row_once_and_every_bad_row_with_its_line(
    tmp_path, model, texts
):
    corpus = tmp_path / "reviews.csv"
    bad = corpus_with_bad_rows(corpus, texts)
    summary = classify_files(
        model,
        corpus,
        tmp_path / "out",
        id_column="id",
        top=2,
        shard_size=25,
        window=10,
        progress=False,
    )
    predictions, errors, written = read_output(tmp_path / "out")
    assert summary == written
    good = [i for i in range(len(texts)) if i + 1 not in bad]
    assert [p["id"] for p in predictions] == [f"r{i}" for i in good]
    expected = model.predict(
        [texts[i] for i in good], batch_size=256, verbose=0
    )
    got = [
        [p["probabilities"][n] for n in model.class_names] for p in predictions
    ]
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert all(len(p["top"]) == 2 for p in predictions)
    assert [(e["record"], e["line"]) for e in errors] == [
        (2, 4),
        (5, 7),
        (8, 10),
        (11, 13),
    ]
    assert errors[0] == {
        "record": 2,
        "id": "bad1",
        "line": 4,
        "reason": "the text is missing or empty.",
    }
    assert errors[1]["reason"].startswith("a quoted field")
    assert errors[2]["reason"] == "expected 2 fields, found 3."
    assert errors[3]["reason"].startswith(
        "byte 0xe9 at column 9 is not valid utf-8"
    )
    assert summary["predictions"] == len(good) and summary["errors"] == 4
    assert summary["rows"] == len(texts) and summary["shards"] == 5
    assert (
        summary["input"]["format"] == "csv" and summary["model"]["path"] is None
    )
    assert summary["rows_per_second"] > 0
    assert sorted(os.listdir(tmp_path / "out")) == [
        "errors.jsonl",
        *[f"part-0000{i}.jsonl" for i in range(5)],
        "progress.json",
        "summary.json",
    ]


def test_a_model_folder_and_record_numbers_as_ids(
    tmp_path, model_folder, texts
):
    corpus = tmp_path / "reviews.txt"
    corpus.write_text("\n".join(texts[:5]) + "\n")
    summary = classify_files(
        model_folder, corpus, tmp_path / "out", progress=False
    )
    predictions, errors, _ = read_output(tmp_path / "out")
    assert [p["id"] for p in predictions] == [0, 1, 2, 3, 4] and errors == []
    assert summary["model"]["path"].endswith("model.keras")


def test_finished_job_says_so_and_touches_nothing(
    tmp_path, model, texts, capsys
):
    corpus = write_csv(tmp_path / "reviews.csv", texts[:30])
    out = tmp_path / "out"
    first = classify_files(model, corpus, out, shard_size=10)
    before = {
        p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.iterdir()
    }
    capsys.readouterr()
    again = classify_files(model, corpus, out, shard_size=10)
    assert again == first
    assert (
        "already holds this job, finished (30 predictions, 0 errors)"
        in capsys.readouterr().err
    )
    assert {
        p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.iterdir()
    } == before


@pytest.mark.parametrize(
    "change, message",
    [
        (
            "input",
            r"another job \(other input\): delete it, or pass another --output",
        ),
        ("model", r"another job \(another model\)"),
        ("settings", r"another job \(other settings: shard_size, top\)"),
    ],
)
def test_output_of_another_job_is_refused_in_one_line(
    tmp_path, model, texts, change, message
):
    from tests.tiny_models import tiny_classifier

    corpus = write_csv(tmp_path / "reviews.csv", texts[:20])
    out = tmp_path / "out"
    classify_files(model, corpus, out, progress=False)
    settings = {"progress": False}
    if change == "input":
        corpus = write_csv(tmp_path / "reviews.csv", texts[:21])
    elif change == "model":
        model = tiny_classifier(seed=5)
    else:
        settings.update(top=3, shard_size=5)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(ValueError, match=message) as error:
        classify_files(model, corpus, out, **settings)
    assert "\n" not in str(error.value)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_folder_holding_other_files_is_refused(tmp_path, model, texts):
    corpus = write_csv(tmp_path / "reviews.csv", texts[:3])
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    with pytest.raises(
        ValueError, match="is not empty and holds no classify job"
    ):
        classify_files(model, corpus, tmp_path / "out", progress=False)


def test_a_crash_mid_job_resumes_without_loss_or_repeat(
    tmp_path, model, texts, monkeypatch
):
    corpus = tmp_path / "reviews.csv"
    corpus_with_bad_rows(corpus, texts)
    settings = {
        "id_column": "id",
        "shard_size": 20,
        "window": 7,
        "progress": False,
    }
    reference = classify_files(
        model, corpus, tmp_path / "reference", **settings
    )

    call = BatchClassifier.__call__
    calls = []

    def crashes_on_the_eighth_window(self, rows):
        calls.append(len(rows))
        if len(calls) == 8:
            raise KeyboardInterrupt  # As a kill would stop it.
        return call(self, rows)

    monkeypatch.setattr(
        BatchClassifier, "__call__", crashes_on_the_eighth_window
    )
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        classify_files(model, corpus, out, **settings)
    assert not (out / "summary.json").exists()
    progress = json.loads((out / "progress.json").read_text())
    assert sorted(progress["shards"]) == ["0", "1"]
    # What a kill in the middle of the next shard's writes leaves behind.
    with open(out / "errors.jsonl", "a") as errors:
        errors.write('{"record": 45, "reason": "half-writ')
    (out / ".tmp-part").write_text("half a part")
    (out / "part-00002.jsonl").write_text('{"id": "stale"}\n')
    monkeypatch.setattr(BatchClassifier, "__call__", call)
    resumed = classify_files(model, corpus, out, **settings)
    assert read_output(out)[:2] == read_output(tmp_path / "reference")[:2]
    assert resumed["rows_this_run"] == len(texts) - 40
    assert {k: resumed[k] for k in ("predictions", "errors", "shards")} == {
        k: reference[k] for k in ("predictions", "errors", "shards")
    }
    assert not [name for name in os.listdir(out) if name.startswith(".tmp-")]


def test_parquet_parts(tmp_path, model, texts):
    import pyarrow.parquet

    corpus = write_csv(tmp_path / "reviews.csv", texts[:12])
    classify_files(
        model,
        corpus,
        tmp_path / "out",
        format="parquet",
        top=2,
        shard_size=5,
        id_column="id",
        progress=False,
    )
    parts = sorted((tmp_path / "out").glob("part-*.parquet"))
    assert len(parts) == 3
    table = pyarrow.concat_tables(pyarrow.parquet.read_table(p) for p in parts)
    assert table.column("id").to_pylist() == [f"r{i}" for i in range(12)]
    assert set(table.schema.field("probabilities").type.names) == {"neg", "pos"}
    assert len(table.column("top")[0].as_py()) == 2


def test_plain_progress_lines_when_not_a_terminal(
    tmp_path, model, texts, capsys
):
    corpus = write_csv(tmp_path / "reviews.csv", texts[:20])
    classify_files(model, corpus, tmp_path / "out")
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("classify: 20 rows, ") and last.endswith(" in all")


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"format": "csv"}, "`format` must be one of"),
        ({"runner": "spark"}, "`runner` must be one of"),
        ({"window": 0}, "`window` must be a positive integer"),
        ({"address": "auto"}, "needs runner='ray'"),
    ],
)
def test_bad_settings_are_refused(tmp_path, model, settings, message):
    with pytest.raises(ValueError, match=message):
        classify_files(model, tmp_path / "in.csv", tmp_path / "out", **settings)


def test_two_runs_cannot_write_one_folder_at_once(tmp_path):
    from attention_tf.bulk import OutputFolder

    job = {"input": "a", "model": "b", "settings": {}}
    first = OutputFolder(tmp_path / "out", job)
    first.claim()
    with pytest.raises(ValueError, match="Another classify job is writing to"):
        OutputFolder(tmp_path / "out", job).claim()
    first.release()
    second = OutputFolder(tmp_path / "out", job)
    second.claim()
    second.release()
