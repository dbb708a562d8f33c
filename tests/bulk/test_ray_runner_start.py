"""With no Ray running, `runner="ray"` starts one for the job and stops it."""

import pytest

from attention_tf.bulk import classify_files
from tests.bulk.conftest import read_output, write_csv

pytestmark = pytest.mark.ray


def test_a_local_ray_for_the_job(tmp_path, model_folder, texts):
    import ray

    assert not ray.is_initialized()
    corpus = write_csv(tmp_path / "reviews.csv", texts[:20])
    summary = classify_files(
        model_folder,
        corpus,
        tmp_path / "out",
        runner="ray",
        workers=1,
        progress=False,
    )
    assert not ray.is_initialized()
    predictions, errors, _ = read_output(tmp_path / "out")
    assert (
        summary["predictions"] == 20 and len(predictions) == 20 and errors == []
    )
