"""The Ray runner: a bulk job as a Ray Data pipeline, on one machine or many.

1. Read: one read task, on the driver's machine (the input need not be on
   the workers'), streams the rows with `CorpusReader` into blocks of a
   window each, leaving out the shards already done.
2. `map_batches` with `RayBatchClassifier`: an actor pool of `workers`,
   each loading the model once (sent through the object store, so the
   workers need no copy of the file) and running `BatchClassifier`, the
   same core as the local runner.
3. Write: the records come back to the driver in input order and go to
   the same `OutputFolder` as the local runner's, shard by shard.

Rows that cannot be read or classified travel as rows and come back as
error records: no block is dropped.
"""

import json
import os
import tempfile

import numpy as np

from attention_tf.bulk.batch_classifier import BatchClassifier
from attention_tf.bulk.corpus_row import CorpusRow
from attention_tf.bulk.windows import pending_windows
from attention_tf.utils.optional import import_optional


def run_ray(job, model, folder, reader, progress):
    """Runs `job` on Ray, writing to the claimed `folder`.

    Args:
        job: The `ClassifyJob` (`workers`, `cpus_per_worker`, `address`,
            `window`, `top`, `batch_size`).
        model: The `model.keras` path, or an `EndToEndClassifier`.
        folder: The claimed `OutputFolder`.
        reader: The input's `CorpusReader`.
        progress: A `Progress`, told of every batch of records back.
    """
    ray = import_optional("ray", "--runner ray", "ray", "ray")
    started = not ray.is_initialized()
    if started:
        ray.init(
            address=job.address,
            include_dashboard=False,
            logging_level="WARNING",
            runtime_env={"env_vars": {"TF_CPP_MIN_LOG_LEVEL": "3"}},
        )
    try:
        for records, kinds, entries in _results(
            ray, job, model, folder, reader
        ):
            predictions = [
                (r, e) for r, k, e in zip(records, kinds, entries) if k == "p"
            ]
            errors = [
                (r, e) for r, k, e in zip(records, kinds, entries) if k == "e"
            ]
            folder.add(predictions, errors)
            progress.update(len(records))
        folder.flush()
    finally:
        if started:
            ray.shutdown()


def _results(ray, job, model, folder, reader):
    """`(records, kinds, entries)` per batch back from the pipeline, in order."""
    import ray.data as ray_data

    context = ray_data.DataContext.get_current()
    context.execution_options.preserve_order = True
    # Our own progress (rows, rows/s) stands for Ray's bars and banners.
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    source = _corpus_datasource(
        reader, job.shard_size, folder.done_shards(), job.window
    )
    # The read task is light (parsing, next to the model) and must not wait
    # for CPUs the actors hold: it asks for none. Each block is a window
    # (`pending_windows`) and goes to an actor whole, so the batches are
    # those of the local runner.
    dataset = ray_data.read_datasource(
        source, num_cpus=0, override_num_blocks=1
    ).map_batches(
        RayBatchClassifier,
        fn_constructor_kwargs={
            "model": [ray.put(_model_bytes(model))],
            "top": job.top,
            "batch_size": job.batch_size,
            "threads": job.cpus_per_worker,
        },
        batch_size=None,
        batch_format="numpy",
        compute=ray_data.ActorPoolStrategy(size=job.workers),
        num_cpus=job.cpus_per_worker,
    )
    for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
        yield (
            [int(r) for r in batch["record"]],
            list(batch["kind"]),
            [json.loads(entry) for entry in batch["entry"]],
        )


class RayBatchClassifier:
    """A Ray actor's `BatchClassifier`: the model loaded once per worker.

    Args:
        model: A list holding the object reference of the `.keras` file's
            bytes (a list, so that Ray hands the reference over as it is).
        top, batch_size: As `BatchClassifier`'s.
        threads: TensorFlow threads (the actor's CPUs).

    Call arguments:
        batch: A dict of NumPy arrays: `row`, each a `CorpusRow` as JSON.

    Returns:
        A dict of NumPy arrays, one entry per row, in record order:
        `record`, `kind` (`"p"` prediction, `"e"` error) and `entry` (the
        record as JSON).
    """

    def __init__(self, model, top, batch_size, threads):
        import ray
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:
            pass  # TensorFlow already started in this worker.
        from attention_tf.models.document_classifier import EndToEndClassifier

        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.keras")
            with open(path, "wb") as file:
                file.write(ray.get(model[0]))
            loaded = EndToEndClassifier.load(path)
        self.core = BatchClassifier(loaded, top, batch_size)

    def __call__(self, batch):
        rows = [CorpusRow.from_json(json.loads(row)) for row in batch["row"]]
        predictions, errors = self.core(rows)
        merged = sorted(
            [(r, "p", e) for r, e in predictions]
            + [(r, "e", e) for r, e in errors],
            key=lambda item: item[0],
        )
        return {
            "record": np.array([r for r, _, _ in merged], "int64"),
            "kind": np.array([k for _, k, _ in merged]),
            "entry": np.array(
                [json.dumps(e, ensure_ascii=False) for _, _, e in merged]
            ),
        }


def _model_bytes(model):
    """The bytes of a `.keras` file of `model` (a path, or a model to save)."""
    if isinstance(model, (str, os.PathLike)):
        with open(model, "rb") as file:
            return file.read()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        with open(path, "rb") as file:
            return file.read()


def _corpus_datasource(reader, shard_size, done_shards, window):
    """The input's pending rows as a Ray Data source.

    One read task, on the driver's machine (the input is a local file of
    the driver's), yields a block per window (`pending_windows`) of rows
    as JSON. The class is made here so that this module imports without
    Ray.
    """
    import pyarrow
    import ray.data as ray_data

    class CorpusDatasource(ray_data.Datasource):
        @property
        def supports_distributed_reads(self):
            return False

        def estimate_inmemory_data_size(self):
            return None

        def get_read_tasks(self, parallelism, **kwargs):
            metadata = ray_data.block.BlockMetadata(
                num_rows=None,
                size_bytes=None,
                input_files=None,
                exec_stats=None,
            )
            return [ray_data.ReadTask(blocks, metadata)]

    def blocks():
        for rows in pending_windows(reader, shard_size, done_shards, window):
            rows = [
                json.dumps(row.as_json(), ensure_ascii=False) for row in rows
            ]
            yield pyarrow.table({"row": rows})

    return CorpusDatasource()
