"""AttentionPooling over one long document: time and peak memory per length.

One document `[1, time, 256]` with a mask, pooled by `AttentionPooling(128)`
inside a `tf.function`, forward (inference) and forward + backward
(training), at 12,500, 25,000, 50,000 and 100,000 steps.

Memory: TensorFlow's CPU allocator keeps no statistics
(`tf.config.experimental.get_memory_info("CPU:0")` raises) and tracemalloc
does not see its buffers, so each length runs in a fresh process that
measures its resident set from `/proc/self/status`: the peak (`VmHWM`, reset
through `/proc/self/clear_refs` after warming up on a short input) minus the
resident size just before the long call. That counts the input, every
intermediate and the outputs.

Results go to benchmarks/results/long_inputs.json.

    python benchmarks/long_inputs.py [--repeats 5]
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

LENGTHS = (12_500, 25_000, 50_000, 100_000)
FEATURES, UNITS = 256, 128
RESULTS = os.path.join(os.path.dirname(__file__), "results", "long_inputs.json")


def _status_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} missing from /proc/self/status")


def _peak_mib(function):
    """Peak resident memory that `function()` adds, in MiB."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # resets VmHWM to the current resident size
    before = _status_kib("VmRSS")
    function()
    return (_status_kib("VmHWM") - before) / 1024


def measure(length, repeats):
    """Times and peak memory for one length, in this process."""
    import numpy as np
    import tensorflow as tf

    from attention_tf import AttentionPooling

    layer = AttentionPooling(UNITS)
    layer.build((None, None, FEATURES))

    @tf.function(reduce_retracing=True)
    def forward(values, mask):
        return layer(values, mask=mask)

    @tf.function(reduce_retracing=True)
    def forward_backward(values, mask):
        with tf.GradientTape() as tape:
            tape.watch(values)
            loss = tf.reduce_sum(layer(values, mask=mask) ** 2)
        return tape.gradient(loss, [values] + layer.trainable_variables)

    def document(steps):
        rng = np.random.default_rng(steps)
        values = rng.standard_normal((1, steps, FEATURES), dtype="float32")
        mask = np.ones((1, steps), bool)
        mask[:, steps - steps // 10 :] = False  # some padding, as in a batch
        return tf.constant(values), tf.constant(mask)

    short = document(100)  # traces both functions on a short input
    forward(*short)
    forward_backward(*short)
    values, mask = document(length)
    result = {"time": length, "input_mib": values.numpy().nbytes / 2**20}
    for name, function in (
        ("forward", forward),
        ("forward_backward", forward_backward),
    ):

        def run(function=function):
            return [t.numpy() for t in tf.nest.flatten(function(values, mask))]

        peak = _peak_mib(run)
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            run()
            seconds.append(time.perf_counter() - start)
        result[f"{name}_ms"] = round(statistics.median(seconds) * 1e3, 2)
        result[f"{name}_peak_mib"] = round(peak, 1)
    result["input_mib"] = round(result["input_mib"], 1)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--length", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.length:  # one measurement, in a fresh process
        print(json.dumps(measure(args.length, args.repeats)))
        return

    rows = []
    for length in LENGTHS:
        completed = subprocess.run(
            [
                sys.executable,
                __file__,
                "--length",
                str(length),
                "--repeats",
                str(args.repeats),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(completed.stdout.splitlines()[-1]))
        print(rows[-1])
    # Linear growth: peak memory per step stays flat as the length doubles.
    per_step = [row["forward_backward_peak_mib"] / row["time"] for row in rows]
    import keras
    import tensorflow as tf

    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "features": FEATURES,
        "units": UNITS,
        "repeats": args.repeats,
        "memory": "peak resident set added by the call (VmHWM - VmRSS)",
        "rows": rows,
        "peak_per_step_ratio_longest_over_shortest": round(
            per_step[-1] / per_step[0], 3
        ),
    }
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    temporary = RESULTS + ".tmp"
    with open(temporary, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    os.replace(temporary, RESULTS)
    print(
        "peak memory per step, 100k over 12.5k: "
        f"{results['peak_per_step_ratio_longest_over_shortest']}"
    )
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
