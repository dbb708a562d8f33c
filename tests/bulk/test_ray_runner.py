"""The Ray runner on a local Ray with 2 CPUs: the local runner's output."""

import pytest

from attention_tf.bulk import BatchClassifier, classify_files
from tests.bulk.conftest import read_output, write_csv
from tests.bulk.test_classify_files import corpus_with_bad_rows

pytestmark = pytest.mark.ray


@pytest.fixture(scope="module")
def local_ray():
    import ray

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        runtime_env={"env_vars": {"TF_CPP_MIN_LOG_LEVEL": "3"}},
    )
    yield ray
    ray.shutdown()


SETTINGS = {
    "id_column": "id",
    "shard_size": 30,
    "window": 8,
    "top": 2,
    "progress": False,
}


def same_output(folder, reference):
    """The same predictions and errors, to the byte: the same windows."""
    assert read_output(folder)[:2] == read_output(reference)[:2]


def test_ray_runner_agrees_with_the_local_runner(
    local_ray, tmp_path, model_folder, texts
):
    corpus = tmp_path / "reviews.csv"
    corpus_with_bad_rows(corpus, texts)
    classify_files(model_folder, corpus, tmp_path / "local", **SETTINGS)
    summary = classify_files(
        model_folder,
        corpus,
        tmp_path / "ray",
        runner="ray",
        workers=2,
        **SETTINGS,
    )
    assert summary["runner"] == "ray" and summary["workers"] == 2
    same_output(tmp_path / "ray", tmp_path / "local")
    assert summary["errors"] == 4


def test_ray_resumes_a_job_the_local_runner_left(
    local_ray, tmp_path, model, texts, monkeypatch
):
    corpus = write_csv(tmp_path / "reviews.csv", texts)
    classify_files(model, corpus, tmp_path / "local", **SETTINGS)
    call, calls = BatchClassifier.__call__, []

    def stops_in_shard_two(self, rows):
        calls.append(1)
        if len(calls) == 6:
            raise KeyboardInterrupt
        return call(self, rows)

    monkeypatch.setattr(BatchClassifier, "__call__", stops_in_shard_two)
    with pytest.raises(KeyboardInterrupt):
        classify_files(model, corpus, tmp_path / "out", **SETTINGS)
    monkeypatch.setattr(BatchClassifier, "__call__", call)
    # An in-memory model goes to the workers through the object store.
    summary = classify_files(
        model, corpus, tmp_path / "out", runner="ray", **SETTINGS
    )
    assert summary["rows_this_run"] == len(texts) - 30
    same_output(tmp_path / "out", tmp_path / "local")
