"""`ClassifyJob`: every setting of a bulk classification, checked once."""

import dataclasses
import os

from attention_tf.bulk.shard_files import SHARD_FORMATS
from attention_tf.utils.arguments import check_positive_integers

RUNNERS = ("local", "ray")
# The settings that decide what the output holds (the rest only decide how
# fast it comes): a folder written with others is refused.
OUTPUT_SETTINGS = (
    "text_column",
    "id_column",
    "encoding",
    "format",
    "top",
    "shard_size",
)


@dataclasses.dataclass(frozen=True)
class ClassifyJob:
    """What to classify, where the output goes, and how to run it.

    Args:
        input: A `.csv`, `.tsv`, `.jsonl`, `.txt` or `.parquet` file, or a
            folder of `.txt` files (see `CorpusReader`).
        output: The output folder (see `OutputFolder`).
        text_column: The column (or JSON key) holding the texts.
        id_column: The column holding each row's id; `None`: the record
            number.
        encoding: The input's text encoding (a Python codec name).
        format: `"jsonl"` or `"parquet"` prediction parts.
        top: Most attended words to add to each prediction (0: none).
        batch_size: Texts per batch of the longest texts; shorter texts
            fill batches up to the same number of padded tokens.
        window: Rows sorted by length together (bounds memory).
        shard_size: Rows per output part (bounds the work a kill loses).
        runner: `"local"` (this process) or `"ray"` (a Ray Data pipeline).
        workers: Ray actors, each holding the model (Ray only).
        cpus_per_worker: CPUs (and TensorFlow threads) per Ray actor.
        address: A running Ray cluster's address; `None` starts a local
            Ray for the job (Ray only).
        progress: Show progress on standard error.
    """

    input: str
    output: str
    text_column: str = "text"
    id_column: str = None
    encoding: str = "utf-8"
    format: str = "jsonl"
    top: int = 0
    batch_size: int = 64
    window: int = 4096
    shard_size: int = 10000
    runner: str = "local"
    workers: int = 2
    cpus_per_worker: int = 1
    address: str = None
    progress: bool = True

    def __post_init__(self):
        object.__setattr__(self, "input", os.fspath(self.input))
        object.__setattr__(self, "output", os.fspath(self.output))
        for name, allowed in (("format", SHARD_FORMATS), ("runner", RUNNERS)):
            if getattr(self, name) not in allowed:
                raise ValueError(
                    f"`{name}` must be one of {list(allowed)}. Received: "
                    f"{name}={getattr(self, name)!r}"
                )
        check_positive_integers(
            batch_size=self.batch_size,
            window=self.window,
            shard_size=self.shard_size,
            workers=self.workers,
            cpus_per_worker=self.cpus_per_worker,
        )
        if (
            isinstance(self.top, bool)
            or not isinstance(self.top, int)
            or self.top < 0
        ):
            raise ValueError(
                f"`top` must be an integer >= 0. Received: top={self.top!r}"
            )
        if self.address is not None and self.runner != "ray":
            raise ValueError(
                "`address` names a Ray cluster: it needs runner='ray'. "
                f"Received: runner={self.runner!r}"
            )

    def output_settings(self):
        """The settings that decide the output, as a dict."""
        return {name: getattr(self, name) for name in OUTPUT_SETTINGS}
