"""`--strategy` and `--mixed-precision`: `attention_tf.training.runtime`."""

import argparse
import json
import os
import socket
import subprocess
import sys

import keras
import numpy as np
import pytest

from attention_tf.layers import AttentionPooling
from attention_tf.training.runtime import Runtime, add_runtime_arguments
from tests.training import distributed_run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
TIMEOUT = 240


def _run(out, *args, env=None):
    """Starts `distributed_run` in its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.training.distributed_run", str(out)]
        + list(args),
        cwd=ROOT,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", **(env or {})),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait(process):
    output, _ = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, output[-3000:]
    return output


def _weights(results, strategy):
    names = sorted(
        (k for k in results if k.startswith(f"{strategy}_weight")),
        key=lambda k: int(k.rsplit("weight", 1)[1]),
    )
    return [results[k] for k in names]


def _max_difference(a, b):
    return max(float(np.abs(x - y).max()) for x, y in zip(a, b, strict=True))


@pytest.fixture(scope="module")
def mirrored_results(tmp_path_factory):
    """Single-device and mirrored runs on a CPU split into 2 devices."""
    out = tmp_path_factory.mktemp("mirrored") / "results.npz"
    output = _wait(_run(out, "--strategy", "mirrored", "--logical-cpus", "2"))
    assert "strategy mirrored (2 replicas)" in output
    return dict(np.load(out))


def test_mirrored_matches_single_device(mirrored_results):
    single = mirrored_results["none_losses"]
    mirrored = mirrored_results["mirrored_losses"]
    assert len(single) == len(mirrored) > 10
    # Training happened, and the same training on both.
    assert single[-1] < single[0]
    np.testing.assert_allclose(mirrored, single, rtol=1e-5, atol=1e-6)
    difference = _max_difference(
        _weights(mirrored_results, "mirrored"),
        _weights(mirrored_results, "none"),
    )
    assert difference < 1e-5


def _free_port():
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


def test_two_workers_on_localhost_match_one_process(mirrored_results, tmp_path):
    workers = [f"localhost:{_free_port()}" for _ in range(2)]
    processes = []
    for index in range(2):
        tf_config = {
            "cluster": {"worker": workers},
            "task": {"type": "worker", "index": index},
        }
        processes.append(
            _run(
                tmp_path / f"worker{index}.npz",
                "--strategy",
                "multiworker",
                env={"TF_CONFIG": json.dumps(tf_config)},
            )
        )
    try:
        outputs = [_wait(process) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    for output in outputs:
        assert "strategy multiworker (2 replicas)" in output
    reference = _weights(mirrored_results, "none")
    for index in range(2):
        results = dict(np.load(tmp_path / f"worker{index}.npz"))
        np.testing.assert_allclose(
            results["multiworker_losses"],
            mirrored_results["none_losses"],
            rtol=1e-5,
            atol=1e-6,
        )
        assert _max_difference(_weights(results, "multiworker"), reference) < (
            1e-5
        )


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_trains_and_attention_sums_to_one(policy):
    ids, labels = distributed_run.make_data()
    with Runtime("none", policy) as runtime:
        with runtime.scope():
            model = distributed_run.build_model()
            model.compile(
                optimizer=keras.optimizers.Adam(0.01),
                loss="sparse_categorical_crossentropy",
            )
        history = model.fit(ids, labels, batch_size=16, epochs=3, verbose=0)
        attention = next(
            layer
            for layer in model.layers
            if isinstance(layer, AttentionPooling)
        )
        assert attention.compute_dtype == policy.split("_")[1]
        assert attention.kernel.dtype == "float32"
        assert model.outputs[0].dtype == "float32"
        embedded = model.layers[1](ids)
        _, weights = attention(
            embedded, mask=ids != 0, return_attention_scores=True
        )
    losses = history.history["loss"]
    assert np.all(np.isfinite(losses)) and losses[-1] < losses[0]
    weights = np.asarray(keras.ops.convert_to_numpy(weights), "float32")
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-2)
    assert np.all(weights[ids == 0] == 0)
    # The policy is the caller's again afterwards.
    assert keras.config.dtype_policy().name == "float32"


def test_command_line_arguments():
    parser = argparse.ArgumentParser()
    add_runtime_arguments(parser)
    args = parser.parse_args([])
    assert (args.strategy, args.mixed_precision) == ("none", "none")
    args = parser.parse_args(
        ["--strategy", "mirrored", "--mixed-precision", "mixed_bfloat16"]
    )
    assert (args.strategy, args.mixed_precision) == (
        "mirrored",
        "mixed_bfloat16",
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(strategy="horovod"), "`strategy` must be one of"),
        (dict(mixed_precision="float16"), "`mixed_precision` must be one of"),
    ],
)
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Runtime(**kwargs)


def test_multiworker_needs_tf_config(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match=r"reads the cluster from \$TF_CONFIG"):
        Runtime("multiworker")
