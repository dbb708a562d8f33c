"""The same training steps on the TensorFlow, JAX and PyTorch backends.

Two workloads, same shapes and data on every backend, each timed as
`train_on_batch` (forward, backward and an optimizer update):

- layer: `AttentionPooling` over `[batch, time, features]` values, then a
  `Dense(1)`;
- classifier: `BiLSTMAttentionClassifier` on token ids.

Each row of `VARIANTS` is one way of running a backend: TensorFlow as a
`tf.function` graph and with XLA, JAX with `jax.jit`, PyTorch eager with
OpenMP's default thread waiting and with `OMP_WAIT_POLICY=PASSIVE`. The
Keras backend (and OpenMP's settings) are fixed when the process starts,
so each variant runs in a process of its own, one after another, in the
same run. The table gives the fastest of the repeats after warm-up steps
(on a shared machine, the one least disturbed by other processes; the
medians are in the JSON and its `table_medians`); ratios are the variant's
time over TensorFlow's graph step, so below 1 is faster.
Results go to benchmarks/results/backends.json (with each step's median
CPU time, and for PyTorch `layer_breakdown`: where its layer step goes,
from `torch_step_breakdown.py`, and `encoder_paths`: the classifier's
masked BiLSTM in Keras against PyTorch's fused LSTM, from
`torch_lstm_paths.py`) and a markdown table is printed.

Why PyTorch has two rows: its CPU kernels run on OpenMP threads (one per
core), which by default spin while they wait for work. On a machine whose
cores are also busy with other processes, a spinning thread holds a core
that the thread it waits for needs, and every parallel op pays for it
(`tanh` on a `[32, 200, 64]` tensor measured 30 ms instead of 1.4 ms).
TensorFlow's thread pool does not spin that way. `OMP_WAIT_POLICY=PASSIVE`
makes the waiting threads sleep instead; on an idle machine the two rows
agree.

    python benchmarks/backends.py [--repeats 10] [--variants tf-graph ...]
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
# key: label, backend, jit_compile, extra environment.
VARIANTS = {
    "tf-graph": ("TensorFlow (graph)", "tensorflow", False, {}),
    "tf-xla": ("TensorFlow (XLA)", "tensorflow", True, {}),
    "jax": ("JAX (jit)", "jax", "auto", {}),
    "torch-passive": (
        "PyTorch (eager, OMP_WAIT_POLICY=PASSIVE)",
        "torch",
        False,
        {"OMP_WAIT_POLICY": "PASSIVE"},
    ),
    "torch-default": ("PyTorch (eager, OpenMP defaults)", "torch", False, {}),
}
REFERENCE = VARIANTS["tf-graph"][0]
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


def _step_ms(step, repeats):
    """Median and fastest step, and the median process CPU time.

    On a shared machine the fastest is the step least disturbed by other
    processes; CPU time (all of this process' threads) counts the work
    done whoever else holds the cores.
    """
    for _ in range(WARMUP):
        step()
    times, cpu_times = [], []
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        step()
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    return tuple(
        round(1000 * seconds, 2)
        for seconds in (
            statistics.median(times),
            min(times),
            statistics.median(cpu_times),
        )
    )


def _layer_step(jit_compile):
    model, values, targets = _layer_model(jit_compile)
    return lambda: model.train_on_batch(values, targets)


def _layer_model(jit_compile):
    """The layer workload: the compiled model and one batch."""
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
    return model, values.astype("float32"), targets.astype("float32")


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


def measure(jit_compile, repeats):
    """Times both workloads on the backend of this process."""
    import keras

    backend = keras.backend.backend()
    results = {"backend": backend, "version": _version(backend)}
    if backend == "torch":
        import torch

        results["threads"] = torch.get_num_threads()
    for name, make_step in (
        ("layer", _layer_step),
        ("classifier", _classifier_step),
    ):
        (
            results[f"{name}_ms"],
            results[f"{name}_fastest_ms"],
            results[f"{name}_cpu_ms"],
        ) = _step_ms(make_step(jit_compile), repeats)
    if backend == "torch":
        from torch_step_breakdown import breakdown

        results["layer_breakdown"] = breakdown(
            *_layer_model(jit_compile), lambda step: _step_ms(step, repeats)
        )
        from torch_lstm_paths import encoder_paths

        results["encoder_paths"] = encoder_paths(
            CLASSIFIER_SHAPE, lambda step: _step_ms(step, repeats)
        )
    return results


def _version(backend):
    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
    return __import__(module[backend]).__version__


def _run_variant(variant, repeats):
    label, backend, jit_compile, environment = variant
    process = subprocess.run(
        [
            sys.executable,
            __file__,
            "--measure",
            json.dumps(jit_compile),
            "--repeats",
            str(repeats),
        ],
        env=dict(
            os.environ,
            KERAS_BACKEND=backend,
            TF_CPP_MIN_LOG_LEVEL="3",
            **environment,
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    if process.returncode != 0:
        raise RuntimeError(f"The {label} run failed:\n{process.stderr[-3000:]}")
    results = json.loads(process.stdout.strip().splitlines()[-1])
    return dict(results, jit_compile=jit_compile, environment=environment)


def table(results, statistic="fastest_"):
    """Markdown rows: milliseconds per step and the ratio to TF graph."""
    reference = results[REFERENCE]
    rows = [
        "| variant | layer step (ms) | vs TF | classifier step (ms) | vs TF |",
        "|---|---|---|---|---|",
    ]
    for label, measured in results.items():
        cells = [label]
        for name in ("layer", "classifier"):
            key = f"{name}_{statistic}ms"
            ms = measured[key]
            cells += [f"{ms:.1f}", f"{ms / reference[key]:.2f}"]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=list(VARIANTS),
        default=list(VARIANTS),
        help="Which variants to time (tf-graph is always timed).",
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(json.loads(args.measure), args.repeats)))
        return

    import keras

    from attention_tf.utils.atomic_files import write_json_atomically

    results = {}
    for key in VARIANTS:
        if key == "tf-graph" or key in args.variants:
            variant = VARIANTS[key]
            print(f"Timing {variant[0]}...", flush=True)
            results[variant[0]] = _run_variant(variant, args.repeats)
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average_before": os.getloadavg(),
        "keras": keras.__version__,
        "repeats": args.repeats,
        "layer_shape": LAYER_SHAPE,
        "classifier_shape": CLASSIFIER_SHAPE,
        "step": "train_on_batch: forward, backward, optimizer update",
        "results": results,
        "table": table(results),
        "table_medians": table(results, statistic=""),
    }
    write_json_atomically(RESULTS, report)
    print(report["table"])


if __name__ == "__main__":
    main()
