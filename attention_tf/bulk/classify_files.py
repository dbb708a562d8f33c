"""`classify_files`: a corpus in, predictions out, in one call."""

import os
import sys
import time

from attention_tf.bulk.batch_classifier import BatchClassifier
from attention_tf.bulk.classify_job import ClassifyJob
from attention_tf.bulk.corpus_reader import CorpusReader
from attention_tf.bulk.local_runner import run_local
from attention_tf.bulk.output_folder import OutputFolder
from attention_tf.bulk.progress import Progress
from attention_tf.bulk.shard_files import parquet_schema
from attention_tf.bulk.windows import pending_windows


def classify_files(model, input, output, **settings):
    """Classifies every row of a corpus into an output folder.

    1. Reads the input as a stream (`CorpusReader`): memory stays flat
       however large it is.
    2. Classifies it window by window (`BatchClassifier`), in this process
       or, with `runner="ray"`, on a Ray Data pipeline.
    3. Writes prediction parts, `errors.jsonl` and, last, `summary.json`
       (`OutputFolder`).

    Run again after a crash or a kill, the same call resumes where the
    output stops; run again on a finished job, it says so and changes
    nothing. An output folder of another input, model or output setting
    is refused.

    Args:
        model: A trained `EndToEndClassifier`, or the training output
            folder (or `model.keras` file) to load it from.
        input: The corpus: a `.csv`, `.tsv`, `.jsonl`, `.txt` or
            `.parquet` file, or a folder of `.txt` files.
        output: The output folder.
        **settings: Any other `ClassifyJob` argument (`text_column`,
            `id_column`, `encoding`, `format`, `top`, `batch_size`,
            `runner`, `workers`, `address`, `progress`, ...).

    Returns:
        The summary (as in `summary.json`): counts, the model and input
        fingerprints, seconds and rows per second.

    Raises:
        ValueError: a missing or unknown input, a column not in it, a bad
            setting, or an output folder that holds something else.

    Example:

    >>> import os, tempfile
    >>> from attention_tf.models import (BiLSTMAttentionClassifier,
    ...     DocumentClassifierPreprocessor, EndToEndClassifier)
    >>> preprocessor = DocumentClassifierPreprocessor.from_texts(
    ...     ["a great movie", "a dull plot"], max_tokens=20, max_length=10)
    >>> model = EndToEndClassifier(preprocessor, BiLSTMAttentionClassifier(
    ...     preprocessor.vectorizer.vocabulary_size(), 2, embedding_dim=4,
    ...     lstm_units=4, attention_units=4), ["neg", "pos"])
    >>> folder = tempfile.mkdtemp()
    >>> with open(os.path.join(folder, "reviews.txt"), "w") as file:
    ...     _ = file.write("a great movie\\n\\na dull plot\\n")
    >>> summary = classify_files(
    ...     model, os.path.join(folder, "reviews.txt"),
    ...     os.path.join(folder, "out"), progress=False)
    >>> summary["predictions"], summary["errors"]
    (2, 1)
    >>> sorted(os.listdir(os.path.join(folder, "out")))
    ['errors.jsonl', 'part-00000.jsonl', 'progress.json', 'summary.json']
    """
    job = ClassifyJob(input, output, **settings)
    started = time.monotonic()
    reader = CorpusReader(
        job.input, job.text_column, job.id_column, job.encoding
    )
    model_path, model = _loaded(model)
    core = BatchClassifier(model, job.top, job.batch_size)
    source = reader.fingerprint()
    folder = _output_folder(job, reader.format, source, core)
    summary = folder.finished()
    if summary is not None:
        _say(
            job,
            f"{job.output} already holds this job, finished "
            f"({summary['predictions']:,} predictions, "
            f"{summary['errors']:,} errors); its files are left as they are.",
        )
        return summary
    folder.claim()
    try:
        done = sum(folder.counts())
        total = source["rows_estimate"]
        with Progress(total, done, enabled=job.progress) as bar:
            if job.runner == "ray":
                from attention_tf.bulk.ray_runner import run_ray

                run_ray(job, model_path or model, folder, reader, bar)
            else:
                windows = pending_windows(
                    reader, job.shard_size, folder.done_shards(), job.window
                )
                run_local(windows, core, folder, bar)
        summary = _summary(job, folder, source, model_path, model, done)
        summary["seconds"] = round(time.monotonic() - started, 2)
        summary["rows_per_second"] = round(
            summary["rows_this_run"] / max(summary["seconds"], 1e-9), 1
        )
        folder.write_summary(summary)
    finally:
        folder.release()
    return summary


def _output_folder(job, input_format, source, core):
    """The job's `OutputFolder`, with its fingerprint and Parquet schema."""
    fingerprint = {
        "input": {"format": input_format, "sha256": source["sha256"]},
        "model": core.fingerprint(),
        "settings": job.output_settings(),
    }
    schema = None
    if job.format == "parquet":
        schema = parquet_schema(
            core.model.class_names, job.id_column is not None, job.top
        )
    return OutputFolder(
        job.output, fingerprint, job.format, schema, job.shard_size
    )


def _summary(job, folder, source, model_path, model, done):
    """The counts and fingerprints for `summary.json`, less the timing."""
    predictions, errors = folder.counts()
    return {
        "predictions": predictions,
        "errors": errors,
        "rows": predictions + errors,
        "shards": len(folder.done_shards()),
        "input": {
            "path": os.path.abspath(job.input),
            "bytes": source["bytes"],
            **folder.job["input"],
        },
        "model": {
            "path": model_path,
            "sha256": folder.job["model"],
            "class_names": list(model.class_names),
        },
        "settings": job.output_settings(),
        "runner": job.runner,
        "workers": job.workers if job.runner == "ray" else 1,
        "rows_this_run": predictions + errors - done,
    }


def _loaded(model):
    """`(path or None, EndToEndClassifier)` from a model or where it is."""
    if isinstance(model, (str, os.PathLike)):
        from attention_tf.models.document_classifier import EndToEndClassifier

        path = os.path.abspath(os.fspath(model))
        if os.path.isdir(path):
            path = os.path.join(path, "model.keras")
        return path, EndToEndClassifier.load(path)
    return None, model


def _say(job, line):
    if job.progress:
        print(line, file=sys.stderr, flush=True)
