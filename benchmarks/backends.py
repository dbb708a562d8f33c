"""The same training steps on the TensorFlow, JAX and PyTorch backends.

Two workloads, same shapes and data on every backend, each timed as
`train_on_batch` (forward, backward and an optimizer update, compiled the
way each backend's Keras trainer compiles by default: a `tf.function`
graph, `jax.jit`, eager PyTorch):

- layer: `AttentionPooling` over `[batch, time, features]` values, then a
  `Dense(1)`;
- classifier: `BiLSTMAttentionClassifier` on token ids.

On TensorFlow each also runs with `jit_compile=True` (XLA) against the
plain graph. The Keras backend is fixed when Keras is imported, so each
backend runs in a process of its own, one after another. Figures are
medians of the repeats after warm-up steps; ratios are the backend's time
over TensorFlow's (graph mode), so below 1 is faster. Results go to
benchmarks/results/backends.json and a markdown table is printed.

    python benchmarks/backends.py [--repeats 10]
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

RESULTS = os.path.join(os.path.dirname(__file__), "results", "backends.json")
BACKENDS = ("tensorflow", "jax", "torch")
LAYER_SHAPE = dict(batch=32, time=200, features=128, units=64)
CLASSIFIER_SHAPE = dict(
    batch=32,
    time=200,
    vocabulary=5000,
    embedding_dim=64,
    lstm_units=32,
    attention_units=32,
)
WARMUP = 3


def _median_ms(step, repeats):
    for _ in range(WARMUP):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return round(1000 * statistics.median(times), 2)


def _layer_step(jit_compile):
    import keras
    import numpy as np

    from attention_tf.layers import AttentionPooling

    s = LAYER_SHAPE
    rng = np.random.default_rng(0)
    values = rng.normal(size=(s["batch"], s["time"], s["features"]))
    targets = rng.normal(size=(s["batch"], 1))
    keras.utils.set_random_seed(0)
    inputs = keras.Input((s["time"], s["features"]))
    outputs = keras.layers.Dense(1)(AttentionPooling(s["units"])(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse", jit_compile=jit_compile)
    values, targets = values.astype("float32"), targets.astype("float32")
    return lambda: model.train_on_batch(values, targets)


def _classifier_step(jit_compile):
    import keras
    import numpy as np

    from attention_tf.models import BiLSTMAttentionClassifier

    s = CLASSIFIER_SHAPE
    rng = np.random.default_rng(0)
    ids = rng.integers(1, s["vocabulary"], (s["batch"], s["time"]))
    # Variable lengths: the mask is part of the work.
    lengths = rng.integers(s["time"] // 4, s["time"] + 1, s["batch"])
    ids[np.arange(s["time"])[None, :] >= lengths[:, None]] = 0
    labels = rng.integers(0, 2, s["batch"])
    keras.utils.set_random_seed(0)
    model = BiLSTMAttentionClassifier(
        s["vocabulary"],
        2,
        embedding_dim=s["embedding_dim"],
        lstm_units=s["lstm_units"],
        attention_units=s["attention_units"],
    )
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        jit_compile=jit_compile,
    )
    ids, labels = ids.astype("int32"), labels.astype("int32")
    return lambda: model.train_on_batch(ids, labels)


def measure(repeats):
    """Times both workloads on the backend of this process."""
    import keras

    backend = keras.backend.backend()
    # "auto" is each backend's default: XLA on JAX, none on PyTorch.
    modes = {"default": "auto"}
    if backend == "tensorflow":
        modes = {"graph": False, "xla": True}
    results = {"backend": backend, "version": _version(backend)}
    for mode, jit_compile in modes.items():
        for name, make_step in (
            ("layer", _layer_step),
            ("classifier", _classifier_step),
        ):
            results[f"{name}_{mode}_ms"] = _median_ms(
                make_step(jit_compile), repeats
            )
    return results


def _version(backend):
    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
    return __import__(module[backend]).__version__


def _run_backend(backend, repeats):
    process = subprocess.run(
        [sys.executable, __file__, "--measure", "--repeats", str(repeats)],
        env=dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3"),
        capture_output=True,
        text=True,
        check=False,
    )
    if process.returncode != 0:
        raise RuntimeError(
            f"The {backend} run failed:\n{process.stderr[-3000:]}"
        )
    return json.loads(process.stdout.strip().splitlines()[-1])


def table(results):
    """Markdown rows: milliseconds per step and the ratio to TF graph."""
    tf = results["tensorflow"]
    rows = [
        "| backend | layer step (ms) | vs TF | classifier step (ms) | vs TF |",
        "|---|---|---|---|---|",
    ]
    entries = [
        ("TensorFlow (graph)", tf, "graph"),
        ("TensorFlow (XLA)", tf, "xla"),
        ("JAX (jit)", results["jax"], "default"),
        ("PyTorch (eager)", results["torch"], "default"),
    ]
    for label, measured, mode in entries:
        cells = [label]
        for name in ("layer", "classifier"):
            ms = measured[f"{name}_{mode}_ms"]
            cells += [f"{ms:.1f}", f"{ms / tf[f'{name}_graph_ms']:.2f}"]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument(
        "--measure", action="store_true", help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.repeats)))
        return

    import keras

    from attention_tf.training.atomic_files import write_json_atomically

    results = {}
    for backend in BACKENDS:
        print(f"Timing {backend}...", flush=True)
        results[backend] = _run_backend(backend, args.repeats)
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "keras": keras.__version__,
        "repeats": args.repeats,
        "layer_shape": LAYER_SHAPE,
        "classifier_shape": CLASSIFIER_SHAPE,
        "step": "train_on_batch: forward, backward, optimizer update",
        "results": results,
        "table": table(results),
    }
    write_json_atomically(RESULTS, report)
    print(report["table"])


if __name__ == "__main__":
    main()
