"""Training throughput: batches bucketed by length against padding to the cap.

The same BiLSTM + attention classifier (the default `train-doc-classifier`
recipe) trains on the same IMDB training reviews three ways:

- "bucketed": as `train-doc-classifier` batches them: 32 reviews per
  batch, in length buckets whose edges minimise padding;
- "bucketed_batch_tokens": the same buckets, with batches of short reviews
  filled up to `--batch-tokens` padded tokens (`train-doc-classifier
  --batch-tokens`), for comparison;
- "padded": 32 reviews per batch, all padded to the length cap.

The figure is real (non-padding) tokens per second of training. The sides
run interleaved after a warm-up pass each, so background load hits them
alike; the figures are medians over repeats. Target: bucketed >= 2.5x the
padded figure, with <= 10% padding. Results go to
benchmarks/results/training.json.

    python benchmarks/training.py [--data PATH] [--texts 2000] [--repeats 3]
"""

import argparse
import os
import platform
import statistics
import time

import keras
import numpy as np

from attention_tf.data.imdb import load_imdb
from attention_tf.data.length_buckets import (
    bucket_batch_sizes,
    bucket_lengths,
    bucketed_dataset,
    padded_dataset,
    padding_share,
)
from attention_tf.preprocessing.vectorization import (
    adapt_vectorizer,
    texts_to_token_ids,
)
from attention_tf.training.document_classifier.config import FULL
from attention_tf.training.document_classifier.model import (
    build_classifier,
    compile_classifier,
)
from attention_tf.utils.atomic_files import write_json_atomically

RESULTS = os.path.join(os.path.dirname(__file__), "results", "training.json")
SHARED_IMDB = os.path.join(
    os.path.dirname(__file__),
    "..",
    "..",
    "shared",
    "data",
    "aclImdb_v1_rebuilt.tar.gz",
)


def _model(vocabulary_size, steps_per_epoch):
    """The model `train-doc-classifier` trains, compiled as it compiles it."""
    keras.utils.set_random_seed(0)
    model = build_classifier(FULL, vocabulary_size, 2)
    return compile_classifier(model, FULL, steps_per_epoch)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--num-buckets", type=int, default=FULL.num_buckets)
    parser.add_argument("--batch-tokens", type=int, default=9600)
    args = parser.parse_args()
    data = args.data
    if data is None and os.path.exists(SHARED_IMDB):
        data = SHARED_IMDB
    imdb = load_imdb(data)

    max_tokens, max_length = FULL.max_tokens, FULL.max_length
    standardizer, vectorizer = adapt_vectorizer(imdb.train_texts, max_tokens)
    picks = np.random.default_rng(0).permutation(len(imdb.train_texts))
    picks = picks[: args.texts]
    texts = [imdb.train_texts[i] for i in picks]
    labels = [imdb.train_labels[i] for i in picks]
    ids, lengths = texts_to_token_ids(
        texts, standardizer, vectorizer, max_length
    )
    real_tokens = int(sum(len(row) for row in ids))
    buckets = bucket_lengths(lengths, args.num_buckets, max_length)
    sides = {
        "bucketed": bucketed_dataset(
            ids,
            labels,
            FULL.batch_size,
            buckets,
            batch_tokens=FULL.batch_tokens,
        ),
        "bucketed_batch_tokens": bucketed_dataset(
            ids,
            labels,
            FULL.batch_size,
            buckets,
            batch_tokens=args.batch_tokens,
        ),
        "padded": padded_dataset(ids, labels, FULL.batch_size, max_length),
    }
    models = {
        name: _model(vectorizer.vocabulary_size(), sum(1 for _ in dataset))
        for name, dataset in sides.items()
    }
    for name, dataset in sides.items():  # Warm-up: traces every shape.
        models[name].fit(dataset, epochs=1, verbose=0)
    seconds = {name: [] for name in sides}
    for _ in range(args.repeats):
        for name, dataset in sides.items():
            start = time.perf_counter()
            models[name].fit(dataset, epochs=1, verbose=0)
            seconds[name].append(time.perf_counter() - start)

    results = {
        "texts": len(texts),
        "real_tokens": real_tokens,
        "max_length": max_length,
        "bucket_lengths": buckets,
        "batch_size": FULL.batch_size,
        "batch_tokens": {
            "bucketed": FULL.batch_tokens,
            "bucketed_batch_tokens": args.batch_tokens,
        },
        "bucket_batch_sizes": {
            name: bucket_batch_sizes(buckets, FULL.batch_size, tokens)
            for name, tokens in (
                ("bucketed", FULL.batch_tokens),
                ("bucketed_batch_tokens", args.batch_tokens),
            )
        },
        "model": {
            k: getattr(FULL, k)
            for k in (
                "embedding_dim",
                "lstm_units",
                "attention_units",
                "dropout",
                "embedding_dropout",
            )
        },
        "repeats": args.repeats,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
    }
    for name, dataset in sides.items():
        median = statistics.median(seconds[name])
        results[name] = {
            "seconds_per_epoch": round(median, 2),
            "real_tokens_per_second": round(real_tokens / median),
            "padding_share": round(padding_share(dataset), 4),
            "batches": sum(1 for _ in dataset),
        }
    for name in ("bucketed", "bucketed_batch_tokens"):
        results[name]["speedup"] = round(
            results[name]["real_tokens_per_second"]
            / results["padded"]["real_tokens_per_second"],
            2,
        )
    results["speedup"] = results["bucketed"]["speedup"]
    write_json_atomically(RESULTS, results)
    for name in sides:
        r = results[name]
        print(
            f"{name:20s} {r['real_tokens_per_second']:>8,d} real tokens/s, "
            f"{r['padding_share']:.1%} padding, {r['seconds_per_epoch']} s "
            f"per pass over {len(texts)} reviews"
        )
    print(f"speedup {results['speedup']}x; written to {RESULTS}")


if __name__ == "__main__":
    main()
