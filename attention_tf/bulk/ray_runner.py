"""The Ray runner: a bulk job as a Ray Data pipeline, on one machine or many.

1. Read: one read task, on the driver's machine (the input need not be on
   the workers'), streams the rows with `CorpusReader` and cuts them into
   windows (`pending_windows`), leaving out the shards already done. Each
   window travels as one Ray row, so Ray's block shaping cannot cut or
   merge windows: the batches are those of the local runner.
2. `map_batches` with `RayBatchClassifier`: an actor pool of `workers`,
   each loading the model once (sent through the object store, so the
   workers need no copy of the file) and running `BatchClassifier`, the
   same core as the local runner, on one window per call.
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

# Ray Data settings for the job's run, put back after it. Ray merges small
# blocks up to a target size (128 MiB by default): windows would reach the
# actors a few hundred at a time; a block per window lets the pool share
# them out. Our own progress (rows, rows/s) stands for Ray's bars.
_SETTINGS = {
    "target_max_block_size": 1,
    "enable_progress_bars": False,
    "print_on_execution_start": False,
}


def run_ray(job, model, folder, reader, progress):
    """Runs `job` on Ray, writing to the claimed `folder`.

    Args:
        job: The `ClassifyJob` (`workers`, `cpus_per_worker`, `address`,
            `window`, `top`, `batch_size`).
        model: The `model.keras` path, or an `EndToEndClassifier`.
        folder: The claimed `OutputFolder`.
        reader: The input's `CorpusReader`.
        progress: A `Progress`, told of every window back.
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
        for predictions, errors in _windows_back(
            ray, job, model, folder, reader
        ):
            folder.add(predictions, errors)
            progress.update(len(predictions) + len(errors))
        folder.flush()
    finally:
        if started:
            ray.shutdown()


def _windows_back(ray, job, model, folder, reader):
    """`(predictions, errors)` per window from the pipeline, in order."""
    import ray.data as ray_data

    context = ray_data.DataContext.get_current()
    saved = {
        "preserve_order": context.execution_options.preserve_order,
        **{name: getattr(context, name) for name in _SETTINGS},
    }
    context.execution_options.preserve_order = True
    for name, value in _SETTINGS.items():
        setattr(context, name, value)
    try:
        source = _corpus_datasource(
            reader, job.shard_size, folder.done_shards(), job.window
        )
        # The read task is light (parsing, next to the model) and must not
        # wait for CPUs the actors hold: it asks for none.
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
            batch_size=1,
            batch_format="numpy",
            compute=ray_data.ActorPoolStrategy(size=job.workers),
            num_cpus=job.cpus_per_worker,
        )
        for row in dataset.iter_rows():
            records = json.loads(row["records"])
            yield records["predictions"], records["errors"]
    finally:
        context.execution_options.preserve_order = saved.pop("preserve_order")
        for name, value in saved.items():
            setattr(context, name, value)


class RayBatchClassifier:
    """A Ray actor's `BatchClassifier`: the model loaded once per worker.

    Args:
        model: A list holding the object reference of the `.keras` file's
            bytes (a list, so that Ray hands the reference over as it is).
        top, batch_size: As `BatchClassifier`'s.
        threads: TensorFlow threads (the actor's CPUs).

    Call arguments:
        batch: A dict of NumPy arrays: `window`, each a list of `CorpusRow`s
            as JSON.

    Returns:
        A dict of NumPy arrays: `records`, for each window a JSON object
        with its `predictions` and `errors` (`(record, dict)` pairs, as
        `BatchClassifier` returns them).
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
        outputs = []
        for window in batch["window"]:
            rows = [CorpusRow.from_json(row) for row in json.loads(window)]
            predictions, errors = self.core(rows)
            outputs.append(
                json.dumps(
                    {"predictions": predictions, "errors": errors},
                    ensure_ascii=False,
                )
            )
        return {"records": np.array(outputs, dtype=object)}


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
    """The input's pending windows as a Ray Data source.

    One read task, on the driver's machine (the input is a local file of
    the driver's), yields a block per window: one row, the window's
    `CorpusRow`s as JSON. The class is made here so that this module
    imports without Ray.
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
            rows = [row.as_json() for row in rows]
            yield pyarrow.table(
                {"window": [json.dumps(rows, ensure_ascii=False)]}
            )

    return CorpusDatasource()
