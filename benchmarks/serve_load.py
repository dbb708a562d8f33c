"""Load on the explorer's JSON API: throughput and latency, loopback only.

1. Starts `attention-tf serve` on 127.0.0.1 (a free port) in a
   subprocess, with request batching on (up to 64 texts per model call)
   and, in a second run, off (one request per call).
2. Sends `--warmup` requests, then a bounded burst: `--requests` POSTs
   to /api/classify (one review each, attention only), `--concurrency` at
   a time, each client on its own keep-alive connection.
3. Records requests per second, p50 / p95 / max latency and failed
   requests (any non-200 answer or connection error) per run.

Reviews come from the IMDB test split when `--data` is an archive, else
from a generated vocabulary. Results go to benchmarks/results/serve_load.json.

    python benchmarks/serve_load.py --model runs/doc-classifier \\
        [--data ../shared/data/aclImdb_v1_rebuilt.tar.gz]
"""

import argparse
import concurrent.futures
import http.client
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time

import numpy as np

RESULTS = os.path.join(os.path.dirname(__file__), "results", "serve_load.json")


def reviews(data, count, seed=0):
    rng = np.random.default_rng(seed)
    if data:
        from attention_tf.data.imdb import load_imdb

        texts = load_imdb(data).test_texts
        return [texts[i] for i in rng.choice(len(texts), count, replace=False)]
    words = ["the", "movie", "was", "great", "awful", "plot", "acting", "and"]
    return [" ".join(rng.choice(words, 200)) for _ in range(count)]


def start_server(model, max_batch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "attention_tf.cli",
            "serve",
            "--model",
            model,
            "--port",
            str(port),
            "--max-batch",
            str(max_batch),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"The server exited with {server.returncode}.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, port
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("The server did not start in 300 s.")


def burst(port, texts, concurrency):
    """Sends one request per text; returns latencies (s), failures, seconds."""
    local = threading.local()

    def send(text):
        if not hasattr(local, "connection"):
            local.connection = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=120
            )
        body = json.dumps({"texts": [text]})
        start = time.perf_counter()
        try:
            local.connection.request(
                "POST",
                "/api/classify",
                body,
                {"Content-Type": "application/json"},
            )
            response = local.connection.getresponse()
            answer = json.loads(response.read())
            ok = response.status == 200 and len(answer["results"]) == 1
        except (OSError, http.client.HTTPException, ValueError):
            local.connection.close()
            del local.connection
            ok = False
        return time.perf_counter() - start, ok

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        outcomes = list(pool.map(send, texts))
    seconds = time.perf_counter() - start
    latencies = np.array([latency for latency, _ in outcomes])
    failures = sum(not ok for _, ok in outcomes)
    return latencies, failures, seconds


def run(model, texts, warmup, concurrency, max_batch):
    server, port = start_server(model, max_batch)
    try:
        burst(port, texts[:warmup], concurrency)
        latencies, failures, seconds = burst(port, texts[warmup:], concurrency)
    finally:
        server.terminate()
        server.wait(30)
    return {
        "max_batch": max_batch,
        "requests": len(latencies),
        "failed_requests": failures,
        "seconds": round(seconds, 2),
        "requests_per_second": round(len(latencies) / seconds, 1),
        "p50_ms": round(1000 * float(np.percentile(latencies, 50)), 1),
        "p95_ms": round(1000 * float(np.percentile(latencies, 95)), 1),
        "max_ms": round(1000 * float(latencies.max()), 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model", default=os.path.join("runs", "doc-classifier")
    )
    parser.add_argument("--data", help="An IMDB archive for real reviews.")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=32)
    parser.add_argument("--out", default=RESULTS)
    args = parser.parse_args()

    texts = reviews(args.data, args.warmup + args.requests)
    runs = [
        run(args.model, texts, args.warmup, args.concurrency, max_batch)
        for max_batch in (64, 1)
    ]
    results = {
        "model": os.path.abspath(args.model),
        "texts": "IMDB test reviews" if args.data else "generated, 200 words",
        "mean_characters": round(float(np.mean([len(t) for t in texts])), 1),
        "concurrency": args.concurrency,
        "batched": runs[0],
        "unbatched": runs[1],
        "batching_speedup": round(
            runs[0]["requests_per_second"] / runs[1]["requests_per_second"], 2
        ),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as handle:
        json.dump(results, handle, indent=2)
        handle.write("\n")
    print(json.dumps(results, indent=2))
    return 1 if any(r["failed_requests"] for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
