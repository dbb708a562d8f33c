"""AttentionPooling over one long document: time and peak memory per length.

One document `[1, time, 256]` with a mask, pooled by `AttentionPooling(128)`
inside a `tf.function`, forward (inference) and forward + backward
(training), at 12,500, 25,000, 50,000 and 100,000 steps.

Memory: TensorFlow's CPU allocator keeps no statistics
(`tf.config.experimental.get_memory_info("CPU:0")` raises) and tracemalloc
does not see its buffers, so each length runs in a fresh process that
measures its resident set from `/proc/self/status` (one process per length
and direction, so memory freed by one call cannot hide the next one's): the peak (`VmHWM`, reset
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


def measure(length, mode, repeats):
    """Milliseconds and peak MiB of one length and mode, in this process."""
    import numpy as np
    import tensorflow as tf

    from attention_tf import AttentionPooling

    layer = AttentionPooling(UNITS)
    layer.build((None, None, FEATURES))

    @tf.function(reduce_retracing=True)
    def forward(values, mask):
        return [layer(values, mask=mask)]

    @tf.function(reduce_retracing=True)
    def forward_backward(values, mask):
        with tf.GradientTape() as tape:
            tape.watch(values)
            loss = tf.reduce_sum(layer(values, mask=mask) ** 2)
        return tape.gradient(loss, [values] + layer.trainable_variables)

    function = {"forward": forward, "forward_backward": forward_backward}[mode]

    def document(steps):
        rng = np.random.default_rng(steps)
        values = rng.standard_normal((1, steps, FEATURES), dtype="float32")
        mask = np.ones((1, steps), bool)
        mask[:, steps - steps // 10 :] = False  # some padding, as in a batch
        return tf.constant(values), tf.constant(mask)

    function(*document(100))  # traces on a short input
    values, mask = document(length)

    def run():
        return [t.numpy() for t in function(values, mask)]

    peak = _peak_mib(run)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return {
        f"{mode}_ms": round(statistics.median(seconds) * 1e3, 2),
        f"{mode}_peak_mib": round(peak, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--length", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.length:  # one measurement, in a fresh process
        print(json.dumps(measure(args.length, args.mode, args.repeats)))
        return

    rows = []
    for length in LENGTHS:
        row = {
            "time": length,
            "input_mib": round(length * FEATURES * 4 / 2**20, 1),
        }
        for mode in ("forward", "forward_backward"):
            command = [sys.executable, __file__, "--length", str(length)]
            command += ["--mode", mode, "--repeats", str(args.repeats)]
            completed = subprocess.run(
                command, check=True, capture_output=True, text=True
            )
            row.update(json.loads(completed.stdout.splitlines()[-1]))
        rows.append(row)
        print(row)

    # Linear growth: peak memory per step stays flat as the length doubles.
    def per_step_ratio(key):
        first, last = rows[0], rows[-1]
        return round(
            (last[key] / last["time"]) / (first[key] / first["time"]), 3
        )

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
        "peak_per_step_ratio_longest_over_shortest": {
            mode: per_step_ratio(f"{mode}_peak_mib")
            for mode in ("forward", "forward_backward")
        },
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
