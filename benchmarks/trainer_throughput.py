"""Training throughput: today's default trainer against c81ecbd's, one run.

Real (non-padding) tokens per second of training, for the default
`train-doc-classifier` recipe of two versions of the trainer, on the same
8,000 IMDB training reviews (enough that most batches are full, as in a
whole run: with 2,000, a bucket of 128-review batches is mostly one
partial batch):

- "c81ecbd": the trainer of commit c81ecbd, run from that commit's own
  code (`git archive` into a temporary folder): its model builder, its
  length buckets, its compile settings, TensorFlow;
- "default": today's `FULL` recipe, built by today's `build_classifier`,
  in the same length buckets, on TensorFlow (`make train-doc-classifier`'s
  backend); "default_jax": the same on JAX.

Both sides get the same token ids (today's preprocessor; the vocabulary
does not change the work per token). A Keras process has one backend, so
each side runs in a child process: a warm-up pass (tracing or compiling
every bucket's shape), then timed passes over the reviews. The parent runs
the sides in turns, `--rounds` times, so background load hits both alike,
and takes the median of every side's timed passes. Results go to
benchmarks/results/trainer_throughput.json.

    python benchmarks/trainer_throughput.py [--texts 8000] [--rounds 2]
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results", "trainer_throughput.json")
SHARED_IMDB = os.path.join(
    ROOT, "..", "shared", "data", "aclImdb_v1_rebuilt.tar.gz"
)
BASELINE_COMMIT = "c81ecbd"
# Side: the Keras backend it runs on.
SIDES = {"c81ecbd": "tensorflow", "default": "tensorflow", "default_jax": "jax"}


def _tokens(data, texts, path):
    """Today's token ids of `texts` random training reviews, to `path`."""
    from attention_tf.data.imdb import load_imdb
    from attention_tf.training.document_classifier.config import FULL
    from attention_tf.training.document_classifier.model import (
        build_preprocessor,
    )

    imdb = load_imdb(data)
    preprocessor = build_preprocessor(FULL, imdb.train_texts)
    picks = np.random.default_rng(0).permutation(len(imdb.train_texts))
    ids, _ = preprocessor.token_id_lists(
        [imdb.train_texts[i] for i in picks[:texts]]
    )
    np.savez(
        path,
        ids=np.concatenate(ids),
        lengths=np.array([len(row) for row in ids]),
        labels=np.array([imdb.train_labels[i] for i in picks[:texts]]),
        vocabulary_size=preprocessor.vectorizer.vocabulary_size(),
    )


def _load_tokens(path):
    with np.load(path) as saved:
        splits = np.cumsum(saved["lengths"])[:-1]
        ids = np.split(saved["ids"].astype("int32"), splits)
        return ids, saved["labels"], int(saved["vocabulary_size"])


def _baseline_side(ids, labels, vocabulary_size):
    """c81ecbd's model, buckets and compile, from c81ecbd's code."""
    import keras

    from attention_tf.data import length_buckets
    from attention_tf.training import doc_classifier as old

    recipe = old._FULL
    lengths = np.array([len(row) for row in ids])
    buckets = length_buckets.bucket_lengths(
        lengths, old._NUM_BUCKETS, recipe["max_length"]
    )
    dataset = length_buckets.bucketed_dataset(
        ids, labels, old._BATCH_SIZE, buckets
    )
    keras.utils.set_random_seed(0)
    model = old._build_classifier("bilstm", vocabulary_size, 2, recipe)
    model(np.zeros((1, 1), "int32"))
    schedule = keras.optimizers.schedules.CosineDecay(
        recipe["learning_rate"], decay_steps=1000, alpha=0.0
    )
    model.compile(
        optimizer=keras.optimizers.Adam(schedule, clipnorm=1.0),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    settings = {"batch_size": old._BATCH_SIZE, "fine_tuned_embeddings": True}
    return model, dataset, settings


def _default_side(ids, labels, vocabulary_size):
    """Today's default recipe, built and compiled as the trainer does."""
    import keras

    from attention_tf.data.length_buckets import (
        bucket_lengths,
        bucketed_dataset,
    )
    from attention_tf.training.document_classifier.config import FULL
    from attention_tf.training.document_classifier.model import (
        build_classifier,
        compile_classifier,
    )

    lengths = np.array([len(row) for row in ids])
    buckets = bucket_lengths(lengths, FULL.num_buckets, FULL.max_length)
    dataset = bucketed_dataset(
        ids, labels, FULL.batch_size, buckets, batch_tokens=FULL.batch_tokens
    )
    keras.utils.set_random_seed(0)
    model = build_classifier(FULL, vocabulary_size, 2)
    model = compile_classifier(model, FULL, 1000)
    settings = {
        "batch_size": FULL.batch_size,
        "fine_tuned_embeddings": not FULL.freeze_embeddings,
    }
    return model, dataset, settings


def measure(side, tokens_path, passes):
    """One child process: a warm-up pass, then `passes` timed ones."""
    import time

    import keras

    from attention_tf.data.length_buckets import padding_share

    ids, labels, vocabulary_size = _load_tokens(tokens_path)
    build = _baseline_side if side == "c81ecbd" else _default_side
    model, dataset, settings = build(ids, labels, vocabulary_size)
    model.fit(dataset, epochs=1, verbose=0)
    seconds = []
    for _ in range(passes):
        start = time.perf_counter()
        model.fit(dataset, epochs=1, verbose=0)
        seconds.append(time.perf_counter() - start)
    import attention_tf

    return {
        "backend": keras.backend.backend(),
        "code": os.path.dirname(os.path.abspath(attention_tf.__file__)),
        "seconds": seconds,
        "real_tokens": int(sum(len(row) for row in ids)),
        "padding_share": round(padding_share(dataset), 4),
        "batches": sum(1 for _ in dataset),
        **settings,
    }


def _baseline_code(folder):
    """c81ecbd's package, unpacked from this clone's history."""
    archive = subprocess.run(
        ["git", "-C", ROOT, "archive", BASELINE_COMMIT, "attention_tf"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise RuntimeError(
            f"Commit {BASELINE_COMMIT} is not in this clone's history "
            f"(a shallow clone?): {archive.stderr.decode()[-500:]}"
        )
    os.makedirs(folder)
    subprocess.run(
        ["tar", "-x", "-C", folder], input=archive.stdout, check=True
    )
    return folder


def _run_side(side, tokens_path, passes, baseline_folder):
    """One side's child process; returns what `measure` reports."""
    environment = dict(
        os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND=SIDES[side]
    )
    if side == "c81ecbd":
        # Its own code first on the path, on the backend it had.
        environment.update(
            KERAS_BACKEND="tensorflow", PYTHONPATH=baseline_folder
        )
    process = subprocess.run(
        [
            sys.executable,
            os.path.abspath(__file__),
            "--measure",
            side,
            "--tokens",
            tokens_path,
            "--passes",
            str(passes),
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if process.returncode != 0:
        raise RuntimeError(f"The {side} side failed:\n{process.stderr[-3000:]}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def summarise(runs, texts):
    """Median seconds per pass, real tokens/s and the speed-up, per side."""
    results = {"texts": texts, "sides": {}}
    for side, measured in runs.items():
        seconds = [s for run in measured for s in run["seconds"]]
        median = statistics.median(seconds)
        first = measured[0]
        results["sides"][side] = {
            key: first[key]
            for key in (
                "backend",
                "batch_size",
                "fine_tuned_embeddings",
                "padding_share",
                "batches",
                "real_tokens",
            )
        }
        results["sides"][side].update(
            seconds_per_pass=[round(s, 3) for s in seconds],
            median_seconds_per_pass=round(median, 3),
            real_tokens_per_second=round(first["real_tokens"] / median),
        )
    baseline = results["sides"]["c81ecbd"]["real_tokens_per_second"]
    for measured in results["sides"].values():
        measured["speedup"] = round(
            measured["real_tokens_per_second"] / baseline, 2
        )
    results["speedup"] = results["sides"]["default"]["speedup"]
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--texts", type=int, default=8000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--tokens", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.tokens, args.passes)))
        return
    data = args.data or (SHARED_IMDB if os.path.exists(SHARED_IMDB) else None)
    with tempfile.TemporaryDirectory() as folder:
        tokens_path = os.path.join(folder, "tokens.npz")
        _tokens(data, args.texts, tokens_path)
        baseline = _baseline_code(os.path.join(folder, "c81ecbd"))
        runs = {side: [] for side in SIDES}
        for round_ in range(args.rounds):
            for side in runs:
                print(f"Round {round_ + 1}/{args.rounds}: {side}", flush=True)
                runs[side].append(
                    _run_side(side, tokens_path, args.passes, baseline)
                )
    results = summarise(runs, args.texts)
    results["machine"] = f"{platform.machine()}, {os.cpu_count()} CPU cores"
    from attention_tf.utils.atomic_files import write_json_atomically

    write_json_atomically(RESULTS, results)
    for side, measured in results["sides"].items():
        print(
            f"{side:11s} {measured['backend']:10s} batch "
            f"{measured['batch_size']:3d} {measured['real_tokens_per_second']:>8,d}"
            f" real tokens/s, {measured['padding_share']:.1%} padding, "
            f"{measured['speedup']}x"
        )
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
