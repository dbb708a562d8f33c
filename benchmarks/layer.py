"""AttentionPooling against the same maths in raw TensorFlow.

1. Pooling mode, forward + backward: the layer inside a `tf.function` against
   hand-written TensorFlow ops inside one `tf.function` (batch 64, time 400,
   features 256, units 128, right-padded with a mask). Target ratio <= 1.05.
2. Query mode, a decoder's view: 20 queries over the same values, with the
   values projected once (`project_values`) against projected per query.
3. Heads: pooling forward + backward with `heads=4` (and a diversity
   penalty) against `heads=1`, same shapes as 1.

The two sides run interleaved, so background load hits both alike; the
figures are medians over repeats. Results go to benchmarks/results/layer.json.

    python benchmarks/layer.py [--repeats 30]
"""

import argparse
import json
import os
import platform
import statistics
import time

import keras
import numpy as np
import tensorflow as tf

from attention_tf import AttentionPooling

BATCH, TIME, FEATURES, UNITS, QUERY_FEATURES, DECODER_STEPS = (
    64,
    400,
    256,
    128,
    256,
    20,
)
RESULTS = os.path.join(os.path.dirname(__file__), "results", "layer.json")


def raw_tf_attention(values, mask, kernel, bias, context):
    """The layer's maths, written directly in TensorFlow ops."""
    values = tf.where(mask[..., None], values, 0.0)
    scores = tf.linalg.matvec(
        tf.tanh(tf.matmul(values, kernel) + bias), context
    )
    shift = tf.stop_gradient(
        tf.reduce_max(tf.where(mask, scores, -3.0e38), axis=-1, keepdims=True)
    )
    exp = tf.where(mask, tf.exp(tf.where(mask, scores - shift, 0.0)), 0.0)
    total = tf.reduce_sum(exp, axis=-1, keepdims=True)
    weights = exp / tf.where(total > 0.0, total, 1.0)
    return tf.squeeze(tf.matmul(weights[:, None, :], values), axis=1)


def median_seconds(functions, repeats):
    """Runs the functions interleaved; returns each one's median seconds."""
    for function in functions:  # trace and warm up
        function()
        function()
    timings = [[] for _ in functions]
    for _ in range(repeats):
        for function, samples in zip(functions, timings):
            start = time.perf_counter()
            function()
            samples.append(time.perf_counter() - start)
    return [statistics.median(samples) for samples in timings]


def pooling_benchmark(repeats):
    rng = np.random.default_rng(0)
    values = tf.constant(rng.normal(size=(BATCH, TIME, FEATURES)), "float32")
    lengths = rng.integers(TIME // 4, TIME + 1, size=BATCH)
    mask = tf.constant(np.arange(TIME)[None, :] < lengths[:, None])

    layer = AttentionPooling(UNITS)
    layer.build(values.shape)
    kernel = tf.Variable(keras.ops.convert_to_numpy(layer.kernel))
    bias = tf.Variable(keras.ops.convert_to_numpy(layer.bias))
    context = tf.Variable(keras.ops.convert_to_numpy(layer.context))

    @tf.function
    def layer_step():
        with tf.GradientTape() as tape:
            tape.watch(values)
            loss = tf.reduce_sum(layer(values, mask=mask) ** 2)
        return tape.gradient(loss, [values] + layer.trainable_variables)

    @tf.function
    def raw_step():
        with tf.GradientTape() as tape:
            tape.watch(values)
            outputs = raw_tf_attention(values, mask, kernel, bias, context)
            loss = tf.reduce_sum(outputs**2)
        return tape.gradient(loss, [values, kernel, bias, context])

    # Same numbers first, then time.
    for ours, theirs in zip(layer_step(), raw_step()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)
    layer_s, raw_s = median_seconds([layer_step, raw_step], repeats)
    return {
        "shape": {
            "batch": BATCH,
            "time": TIME,
            "features": FEATURES,
            "units": UNITS,
        },
        "layer_ms": round(layer_s * 1e3, 3),
        "raw_tf_ms": round(raw_s * 1e3, 3),
        "ratio_layer_over_raw": round(layer_s / raw_s, 3),
        "target_ratio": 1.05,
    }


def query_benchmark(repeats):
    rng = np.random.default_rng(1)
    values = tf.constant(rng.normal(size=(BATCH, TIME, FEATURES)), "float32")
    mask = tf.ones((BATCH, TIME), "bool")
    queries = tf.constant(
        rng.normal(size=(DECODER_STEPS, BATCH, QUERY_FEATURES)), "float32"
    )
    layer = AttentionPooling(UNITS)
    layer.build([(BATCH, QUERY_FEATURES), values.shape])

    @tf.function
    def precomputed():
        keys = layer.project_values(values)
        return [
            layer([query, values], mask=[None, mask], projected_values=keys)
            for query in tf.unstack(queries)
        ]

    @tf.function
    def recomputed():
        return [
            layer([query, values], mask=[None, mask])
            for query in tf.unstack(queries)
        ]

    for a, b in zip(precomputed(), recomputed()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    pre_s, re_s = median_seconds([precomputed, recomputed], repeats)
    return {
        "decoder_steps": DECODER_STEPS,
        "precomputed_ms": round(pre_s * 1e3, 3),
        "recomputed_ms": round(re_s * 1e3, 3),
        "speedup_precomputed": round(re_s / pre_s, 3),
    }


def heads_benchmark(repeats, heads=4):
    rng = np.random.default_rng(2)
    values = tf.constant(rng.normal(size=(BATCH, TIME, FEATURES)), "float32")
    lengths = rng.integers(TIME // 4, TIME + 1, size=BATCH)
    mask = tf.constant(np.arange(TIME)[None, :] < lengths[:, None])

    def step_of(layer):
        @tf.function
        def step():
            with tf.GradientTape() as tape:
                tape.watch(values)
                loss = tf.reduce_sum(layer(values, mask=mask) ** 2)
                loss += tf.add_n(layer.losses) if layer.losses else 0.0
            return tape.gradient(loss, [values] + layer.trainable_variables)

        return step

    one = AttentionPooling(UNITS)
    many = AttentionPooling(UNITS, heads=heads, diversity_penalty=0.1)
    one_s, many_s = median_seconds([step_of(one), step_of(many)], repeats)
    return {
        "heads": heads,
        "one_head_ms": round(one_s * 1e3, 3),
        "heads_ms": round(many_s * 1e3, 3),
        "ratio_heads_over_one": round(many_s / one_s, 3),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "repeats": args.repeats,
        "pooling_forward_backward": pooling_benchmark(args.repeats),
        "query_mode_forward": query_benchmark(args.repeats),
        "pooling_heads_forward_backward": heads_benchmark(args.repeats),
    }
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    temporary = RESULTS + ".tmp"
    with open(temporary, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    os.replace(temporary, RESULTS)
    pooling = results["pooling_forward_backward"]
    query = results["query_mode_forward"]
    print(
        f"pooling fwd+bwd: layer {pooling['layer_ms']} ms, raw TF "
        f"{pooling['raw_tf_ms']} ms, ratio {pooling['ratio_layer_over_raw']} "
        f"(target <= {pooling['target_ratio']})"
    )
    print(
        f"query mode, {query['decoder_steps']} steps: precomputed "
        f"{query['precomputed_ms']} ms, recomputed {query['recomputed_ms']} "
        f"ms, speed-up {query['speedup_precomputed']}x"
    )
    heads = results["pooling_heads_forward_backward"]
    print(
        f"pooling fwd+bwd with {heads['heads']} heads: {heads['heads_ms']} ms "
        f"against {heads['one_head_ms']} ms with one, "
        f"ratio {heads['ratio_heads_over_one']}"
    )
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
