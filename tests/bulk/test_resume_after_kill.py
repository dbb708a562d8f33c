"""SIGKILL at any moment, then the same command: the same final output."""

import json
import os
import signal
import subprocess
import sys
import time

from attention_tf.bulk import classify_files
from tests.bulk.conftest import read_output, write_csv
from tests.tiny_models import sentiment_texts

# The job, slowed down (20 ms a window) so that kills land mid-job: the
# library itself has no test hook.
JOB = """
import sys, time
from attention_tf.bulk import batch_classifier, classify_files

call = batch_classifier.BatchClassifier.__call__

def slow(self, rows):
    time.sleep(0.02)
    return call(self, rows)

batch_classifier.BatchClassifier.__call__ = slow
classify_files(sys.argv[1], sys.argv[2], sys.argv[3], **SETTINGS)
"""
SETTINGS = {
    "id_column": "id",
    "shard_size": 60,
    "window": 16,
    "progress": False,
}


def start(model_folder, corpus, out):
    code = JOB.replace("SETTINGS", repr(SETTINGS))
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.Popen(
        [sys.executable, "-c", code, model_folder, str(corpus), str(out)],
        env=environment,
        stderr=subprocess.PIPE,
    )


def shards_done(out):
    try:
        with open(out / "progress.json") as file:
            return len(json.load(file)["shards"])
    except (OSError, ValueError):
        return 0


def test_killed_twice_then_resumed_equals_one_run(tmp_path, model_folder):
    texts = sentiment_texts(600, seed=4)[0]
    corpus = write_csv(tmp_path / "reviews.csv", texts)
    with open(corpus, "ab") as file:
        file.write(b"bad,caf\xe9\nlast,\n")
    reference = tmp_path / "reference"
    classify_files(model_folder, corpus, reference, **SETTINGS)

    out = tmp_path / "out"
    # Killed once shards 2 (and then 6) are written, a few ms after: in
    # the middle of a window, of a part's write or of errors.jsonl's.
    for shards, delay in ((2, 0.013), (6, 0.031)):
        process = start(model_folder, corpus, out)
        while shards_done(out) < shards and process.poll() is None:
            time.sleep(0.002)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert process.returncode == -signal.SIGKILL, process.stderr.read()[
            -2000:
        ]
        assert not (out / "summary.json").exists()
    process = start(model_folder, corpus, out)
    assert process.wait(timeout=300) == 0, process.stderr.read()[-2000:]

    predictions, errors, summary = read_output(out)
    expected = read_output(reference)
    assert (predictions, errors) == expected[:2]
    assert len(predictions) == 600 and [e["line"] for e in errors] == [602, 603]
    assert summary["predictions"] == 600 and summary["rows_this_run"] < 602
    assert not [name for name in os.listdir(out) if name.startswith(".tmp-")]
