"""Decoding speed of `BahdanauTranslator`, untrained, at the spa-eng sizes.

1. Greedy decoding and beam search (k = 4): sentences per second, batches of
   200 source sentences of 12 tokens, 20 output tokens each. An untrained
   model rarely emits the end token, so every sentence runs all 20 steps:
   the figures are a floor for trained models, which stop earlier.
2. Scoring with the source projection `U h_j` computed once per sentence
   (`project_values`, what the model does) against recomputing it at every
   decoder step (`projected_values=None`), greedy decoding of longer sources
   (40 tokens), where the projection costs most.
3. Training: teacher-forced train steps of the spa-eng recipe (the model and
   optimiser `train-decoder` builds), batches of 64 pairs of 9 source and 11
   target tokens (about the mean lengths of the spa-eng training pairs),
   with target vocabularies of 8,000 and 4,000 units: steps and target
   tokens per second of wall time, and CPU milliseconds per step (the CPU
   time is steadier than the wall time on a shared machine). The output
   softmax is the largest part of a step, so the vocabulary sets its cost.

Sides run interleaved; figures are medians over repeats. Results go to
benchmarks/results/decoder.json.

    python benchmarks/decoder.py [--repeats 7]
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

from attention_tf import samplers
from attention_tf.models.bahdanau.bahdanau_translator import BahdanauTranslator
from attention_tf.training.translator.config import PRESETS
from attention_tf.training.translator.trainer import compiled_translator

BATCH, OUTPUT_STEPS, BEAM_WIDTH = 200, 20, 4
RECIPE = PRESETS["spa-eng-full"]
SOURCE_VOCABULARY = RECIPE.source_vocabulary_size
TARGET_VOCABULARY = RECIPE.target_vocabulary_size
TRAIN_SOURCE_TOKENS, TRAIN_TARGET_TOKENS = 9, 11
TRAIN_VOCABULARIES = (8000, 4000)
RESULTS = os.path.join(os.path.dirname(__file__), "results", "decoder.json")


def build_model():
    keras.utils.set_random_seed(0)
    sizes = RECIPE.model_arguments
    model = BahdanauTranslator(
        SOURCE_VOCABULARY,
        TARGET_VOCABULARY,
        start_token_id=2,
        end_token_id=3,
        **sizes,
    )
    model.build()
    return model, sizes


def source_batch(length, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(4, SOURCE_VOCABULARY, size=(BATCH, length)).astype(
        "int32"
    )


def greedy_with_projection(model, precompute):
    """Greedy decoding, with `U h` computed once or at every step."""

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)])
    def decode(source):
        annotations, projected, mask, states = model.encode(source)
        projected = projected if precompute else None

        def step_fn(tokens, states):
            logits, states, weights = model.decode_step(
                tokens, states, annotations, projected, mask
            )
            return tf.nn.log_softmax(logits), states, weights

        start = tf.fill([tf.shape(source)[0]], model.start_token_id)
        # An end id outside the vocabulary: every sentence runs all steps.
        return samplers.greedy_search(
            step_fn, states, start, -1, OUTPUT_STEPS, tf.shape(source)[1]
        )

    return decode


def train_step(vocabulary):
    """One train step of the spa-eng recipe's model on a fixed batch."""
    keras.utils.set_random_seed(0)
    model = compiled_translator(RECIPE, vocabulary, vocabulary, 2, 3)
    rng = np.random.default_rng(2)
    shape = (RECIPE.batch_size, TRAIN_SOURCE_TOKENS)
    source = rng.integers(4, vocabulary, size=shape).astype("int32")
    shape = (RECIPE.batch_size, TRAIN_TARGET_TOKENS + 1)
    target = rng.integers(4, vocabulary, size=shape).astype("int32")
    target[:, 0] = 2
    return lambda: model.train_on_batch((source, target[:, :-1]), target[:, 1:])


def median_seconds(functions, repeats, clock=time.perf_counter):
    """Median time of each function on `clock`, called interleaved."""
    for function in functions.values():
        function()  # tracing, warm-up
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = clock()
            function()
            times[name].append(clock() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def training_results(repeats):
    steps = {v: train_step(v) for v in TRAIN_VOCABULARIES}
    wall = median_seconds(steps, 3 * repeats)
    cpu = median_seconds(steps, 3 * repeats, clock=time.process_time)
    tokens = RECIPE.batch_size * TRAIN_TARGET_TOKENS
    return {
        f"target_vocabulary_{v}": {
            "steps_per_second": round(1.0 / wall[v], 2),
            "target_tokens_per_second": round(tokens / wall[v]),
            "cpu_milliseconds_per_step": round(1000.0 * cpu[v]),
        }
        for v in TRAIN_VOCABULARIES
    } | {
        "batch": RECIPE.batch_size,
        "source_tokens": TRAIN_SOURCE_TOKENS,
        "target_tokens": TRAIN_TARGET_TOKENS,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    load_average_before = os.getloadavg()
    model, sizes = build_model()

    # Untrained: make the end token unlikely so every sentence decodes the
    # same number of steps in both modes.
    bias = model.output_projection.bias
    bias.assign(bias.numpy() - 100.0 * (np.arange(TARGET_VOCABULARY) == 3))
    source = source_batch(12)
    seconds = median_seconds(
        {
            "greedy": lambda: np.asarray(
                model.greedy_decode(source, OUTPUT_STEPS)[0]
            ),
            "beam": lambda: np.asarray(
                model.beam_search(source, BEAM_WIDTH, OUTPUT_STEPS)[0]
            ),
        },
        args.repeats,
    )

    long_source = tf.constant(source_batch(40, seed=1))
    once = greedy_with_projection(model, precompute=True)
    every_step = greedy_with_projection(model, precompute=False)
    np.testing.assert_allclose(
        once(long_source)[1].numpy(),
        every_step(long_source)[1].numpy(),
        rtol=1e-4,
    )
    projection = median_seconds(
        {
            "precomputed": lambda: once(long_source)[0].numpy(),
            "recomputed": lambda: every_step(long_source)[0].numpy(),
        },
        args.repeats,
    )

    results = {
        "model": sizes,
        "source_vocabulary": SOURCE_VOCABULARY,
        "target_vocabulary": TARGET_VOCABULARY,
        "batch": BATCH,
        "output_steps": OUTPUT_STEPS,
        "source_tokens": 12,
        "sentences_per_second_greedy": round(BATCH / seconds["greedy"], 1),
        "sentences_per_second_beam": round(BATCH / seconds["beam"], 1),
        "beam_width": BEAM_WIDTH,
        "projection_source_tokens": 40,
        "greedy_seconds_precomputed_projection": round(
            projection["precomputed"], 4
        ),
        "greedy_seconds_recomputed_projection": round(
            projection["recomputed"], 4
        ),
        "recomputed_over_precomputed": round(
            projection["recomputed"] / projection["precomputed"], 3
        ),
        "training": training_results(args.repeats),
        "repeats": args.repeats,
        "load_average_before": load_average_before,
        "machine": f"{platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs",
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
    }
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    temporary = RESULTS + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2)
        handle.write("\n")
    os.replace(temporary, RESULTS)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
