"""Bulk classification: the local runner against `model.predict`, memory, Ray.

1. Writes the IMDB test reviews (the first `--reviews`, shuffled with a
   fixed seed) to a CSV with an id column in a temporary folder, with four
   bad rows among them (an empty text, a stray quote, an extra field, a
   latin-1 byte).
2. Times `model.predict(texts, batch_size=256)` on the good reviews and
   `classify_files` (the local runner) on the CSV, each in a fresh process
   with the model loaded before the clock starts, taking turns twice:
   reviews per second each, and the largest probability difference
   between the two (the goal: under 1e-5).
3. The share of padded steps in `predict`'s batches and in the bulk
   classifier's.
4. Memory (RSS, MiB) of those processes with the model loaded and at
   their peak (sampled every 50 ms), and of the local runner on
   `--reviews / 10` rows (and, with `--tenfold`, on the corpus ten times
   over): the input's size against the memory it takes.
5. With onnxruntime installed: the same batches through the ONNX graph of
   the classifier (`attention_tf.export.onnx_classifier`), for comparison.
6. Times the Ray runner (a local Ray with `--workers` actors, started for
   the job) on the same CSV against the local runner.

Results go to benchmarks/results/bulk_classify.json.

    python benchmarks/bulk_classify.py --model runs/doc-classifier \\
        --data ../shared/data/aclImdb_v1_rebuilt.tar.gz [--reviews 25000] \\
        [--tenfold]
"""

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

RESULTS = os.path.join(
    os.path.dirname(__file__), "results", "bulk_classify.json"
)
# Rows written in place of reviews 3, 6, 9 and 12 (CSV lines 4, 7, 10, 13
# when no review spans lines): the bad rows.
BAD_ROWS = {
    2: b"bad-empty,",
    5: b'bad-quote,"a stray quote',
    8: b"bad-field,one,field too many",
    11: b"bad-byte,caf\xe9 au lait",
}


def write_corpus(data, count, folder, seed=0):
    """The CSV of step 1; returns its path and the good texts in order."""
    from attention_tf.data.imdb import load_imdb

    texts = load_imdb(data).test_texts
    order = np.random.default_rng(seed).permutation(len(texts))[:count]
    path = os.path.join(folder, "reviews.csv")
    good = []
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "text"])
        for index, review in enumerate(order):
            if index in BAD_ROWS:
                file.flush()
                file.buffer.write(BAD_ROWS[index] + b"\r\n")
            else:
                writer.writerow([f"test-{review}", texts[review]])
                good.append(texts[review])
    return path, good


# One side of a comparison, in a fresh process: `predict` or `local` (the
# local runner), timed with the model already loaded; prints its seconds
# and its RSS (MiB) with the model loaded and at its peak (every 50 ms).
SIDE = """
import json, sys, threading, time
import numpy as np
from attention_tf.bulk import classify_files
from attention_tf.models.document_classifier import EndToEndClassifier

side, model_path, source, out = sys.argv[1:5]

def rss_mib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

model = EndToEndClassifier.load(model_path)
loaded, peak, running = rss_mib(), [0.0], [True]

def sample():
    while running[0]:
        peak[0] = max(peak[0], rss_mib())
        time.sleep(0.05)

sampler = threading.Thread(target=sample)
sampler.start()
if side == "predict":
    with open(source, encoding="utf-8") as file:
        texts = json.load(file)
    model.predict(texts[:256], batch_size=256, verbose=0)
    start = time.perf_counter()
    np.save(out, model.predict(texts, batch_size=256, verbose=0))
    seconds = time.perf_counter() - start
else:
    summary = classify_files(model, source, out, id_column="id", progress=False)
    seconds = summary["seconds"]
running[0] = False
sampler.join()
print(json.dumps({"seconds": round(seconds, 2), "rss_loaded": round(loaded, 1),
                  "rss_peak": round(max(peak[0], rss_mib()), 1)}))
"""


def side(name, model_path, source, out):
    """Runs one side (`SIDE`) in a fresh process; returns its JSON."""
    result = subprocess.run(
        [sys.executable, "-c", SIDE, name, model_path, source, out],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
    )
    return json.loads(result.stdout.splitlines()[-1])


def speed(model_path, class_names, corpus, good, folder, rounds=2):
    """Step 2: reviews/s of `model.predict` and of the local runner.

    The sides take turns, each in a fresh process, `rounds` times; the
    speedup is the sum of `predict`'s seconds over the local runner's.
    """
    texts = os.path.join(folder, "good.json")
    with open(texts, "w", encoding="utf-8") as file:
        json.dump(good, file)
    predict, local = [], []
    for index in range(rounds):
        expected = os.path.join(folder, f"predict-{index}.npy")
        predict.append(side("predict", model_path, texts, expected))
        out = os.path.join(folder, f"local-{index}")
        local.append(side("local", model_path, corpus, out))
    parts = [os.path.join(out, n) for n in sorted(os.listdir(out))]
    parts = [
        path for path in parts if os.path.basename(path).startswith("part-")
    ]
    predictions = [
        json.loads(line)
        for path in parts
        for line in open(path, encoding="utf-8")
    ]
    got = [[p["probabilities"][n] for n in class_names] for p in predictions]
    with open(os.path.join(out, "errors.jsonl"), encoding="utf-8") as file:
        errors = [json.loads(line) for line in file]
    predict_seconds = [run["seconds"] for run in predict]
    local_seconds = [run["seconds"] for run in local]
    return {
        "reviews": len(good),
        "predict_batch_size": 256,
        "predict_seconds": predict_seconds,
        "predict_reviews_per_second": [
            round(len(good) / s, 1) for s in predict_seconds
        ],
        "local_seconds": local_seconds,
        "local_reviews_per_second": [
            round(len(good) / s, 1) for s in local_seconds
        ],
        "speedup": round(sum(predict_seconds) / sum(local_seconds), 2),
        "max_probability_difference": float(
            np.abs(np.array(got) - np.load(expected)).max()
        ),
        "output_bytes_per_prediction": round(
            sum(os.path.getsize(path) for path in parts) / len(predictions)
        ),
        "errors": [f"line {e['line']}: {e['reason'][:40]}" for e in errors],
        "rss_mib": {"predict": predict[-1], "local": local[-1]},
    }


def padding(model, good, window=4096):
    """Step 3: the share of padding in `predict`'s batches and the plan's."""
    from attention_tf.bulk import BatchClassifier

    ids = model.preprocessor.token_id_lists(good)[0]
    lengths = np.array([len(i) for i in ids])
    predict = sum(
        len(chunk) * max(chunk.max(), 1)
        for chunk in np.array_split(lengths, range(256, len(lengths), 256))
    )
    core, planned = BatchClassifier(model), 0
    for start in range(0, len(lengths), window):
        part = lengths[start : start + window]
        planned += sum(
            len(batch) * max(part[batch].max(), 1) for batch in core.plan(part)
        )
    return {
        "median_tokens": int(np.median(lengths)),
        "predict_padding_share": round(1 - lengths.sum() / predict, 3),
        "bulk_padding_share": round(1 - lengths.sum() / planned, 3),
    }


def peak_memory(model_path, corpus, rows, folder):
    """Step 4: a fresh process's RSS (MiB) with the model loaded, and its
    peak while classifying the first `rows` rows of the corpus."""
    subset = os.path.join(folder, f"reviews-{rows}.csv")
    with open(corpus, "rb") as source, open(subset, "wb") as target:
        for index, line in enumerate(source):
            if index > rows:
                break
            target.write(line)
    return side("local", model_path, subset, os.path.join(folder, f"m{rows}"))


def tenfold_memory(model_path, corpus, folder):
    """Step 4, larger: the corpus ten times over (ids made unique), run
    by the local runner in a fresh process."""
    large = os.path.join(folder, "tenfold.csv")
    with open(corpus, "rb") as source:
        header, *rows = [line for line in source.read().split(b"\n") if line]
    with open(large, "wb") as target:
        target.write(header + b"\n")
        for copy in range(10):
            for row in rows:
                target.write(
                    row.replace(b"test-", b"copy%d-" % copy, 1) + b"\n"
                )
    result = side("local", model_path, large, os.path.join(folder, "tenfold"))
    result["rows"] = 10 * len(rows)
    result["csv_bytes"] = os.path.getsize(large)
    return result


def ray_against_local(model_path, corpus, folder, workers, local_seconds):
    """Step 6: the Ray runner's seconds against the local runner's."""
    from attention_tf.bulk import classify_files

    out = os.path.join(folder, "ray")
    summary = classify_files(
        model_path,
        corpus,
        out,
        id_column="id",
        runner="ray",
        workers=workers,
        progress=False,
    )
    return {
        "workers": workers,
        "cpus_per_worker": 1,
        "ray_seconds": summary["seconds"],
        "ray_rows_per_second": summary["rows_per_second"],
        "local_seconds": local_seconds,
        "ray_over_local_seconds": round(summary["seconds"] / local_seconds, 2),
    }


def onnx_runtime(model, corpus):
    """Step 5: rows/s with the classifier run by onnxruntime instead."""
    try:
        import onnxruntime
    except ImportError:
        return None
    from attention_tf.bulk import BatchClassifier, CorpusReader
    from attention_tf.export.onnx_classifier import classifier_to_onnx

    graph = classifier_to_onnx(model.classifier, model.preprocessor.max_length)
    session = onnxruntime.InferenceSession(
        graph.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    rows = list(CorpusReader(corpus, id_column="id"))
    timings = {}
    for engine in ("tensorflow", "onnxruntime"):
        core = BatchClassifier(model)
        if engine == "onnxruntime":
            core._run = lambda ids: session.run(
                ["probabilities"], {"token_ids": ids.astype("int64")}
            )
        core(rows[:64])
        start = time.perf_counter()
        for index in range(0, len(rows), 4096):
            core(rows[index : index + 4096])
        timings[engine] = round(len(rows) / (time.perf_counter() - start), 1)
    return {"rows_per_second": timings, "onnxruntime": onnxruntime.__version__}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model", required=True, help="A run folder or model.keras."
    )
    parser.add_argument(
        "--data", required=True, help="The IMDB archive or folder."
    )
    parser.add_argument("--reviews", type=int, default=25000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument(
        "--tenfold",
        action="store_true",
        help="Also run the local runner on the corpus ten times over.",
    )
    args = parser.parse_args()

    load_before = [round(load, 2) for load in os.getloadavg()]
    from attention_tf.models.document_classifier import EndToEndClassifier

    model_path = args.model
    if os.path.isdir(model_path):
        model_path = os.path.join(model_path, "model.keras")
    folder = tempfile.mkdtemp(prefix="bulk-classify-")
    try:
        corpus, good = write_corpus(args.data, args.reviews, folder)
        model = EndToEndClassifier.load(model_path)
        results = {
            "model": os.path.abspath(model_path),
            "texts": "IMDB test reviews",
        }
        results["speed"] = speed(
            model_path, model.class_names, corpus, good, folder
        )
        rss = results["speed"].pop("rss_mib")
        results["padding"] = padding(model, good)
        results["rss_mib"] = {
            f"{args.reviews // 10}_rows": peak_memory(
                model_path, corpus, args.reviews // 10, folder
            ),
            f"{args.reviews}_rows": rss["local"],
            "predict_all_reviews": rss["predict"],
        }
        if args.tenfold:
            results["rss_mib"]["tenfold"] = tenfold_memory(
                model_path, corpus, folder
            )
        results["onnx"] = onnx_runtime(model, corpus)
        if not args.skip_ray:
            results["ray"] = ray_against_local(
                model_path,
                corpus,
                folder,
                args.workers,
                min(results["speed"]["local_seconds"]),
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results["load_average_before"] = load_before
    results["load_average_after"] = [round(load, 2) for load in os.getloadavg()]
    results["machine"] = f"{platform.machine()}, {os.cpu_count()} CPU cores"
    print(json.dumps(results, indent=2))
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w", encoding="utf-8") as file:
        json.dump(results, file, indent=2)
        file.write("\n")


if __name__ == "__main__":
    main()
