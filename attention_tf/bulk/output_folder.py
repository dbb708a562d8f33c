"""`OutputFolder`: a bulk job's output, written so that no kill can spoil it.

The folder holds:

- `part-NNNNN.jsonl` (or `.parquet`): the predictions of shard N, the
  records `N * shard_size` up to the next shard's first, in input order.
  Each part is written whole or not at all (a temporary file, renamed).
- `errors.jsonl`: one line per row that could not be classified, in input
  order.
- `progress.json`: the job's fingerprint (input, model, settings), the
  shards done with their counts, and how many bytes of `errors.jsonl`
  they account for; rewritten (atomically) after each shard.
- `summary.json`: written last, when every shard is done.

A run killed at any moment leaves every shard either listed in
`progress.json` with its part and errors in place, or unlisted; the next
run cuts `errors.jsonl` back to the listed shards' bytes, removes
half-written temporary files and does the unlisted shards again, replacing
any part they left. So every good row is in the output exactly once.
"""

import heapq
import json
import os

try:
    import fcntl
except ImportError:  # Windows.
    fcntl = None

from attention_tf.bulk.shard_files import SHARD_FORMATS, write_shard
from attention_tf.utils.atomic_files import write_json_atomically

PROGRESS = "progress.json"
SUMMARY = "summary.json"
ERRORS = "errors.jsonl"


class OutputFolder:
    """The output folder of one bulk job, and what it already holds.

    Args:
        path: The folder (created if missing).
        job: The job's fingerprint: a JSON-ready dict with `input`,
            `model` and `settings`; a folder written for another one is
            refused.
        format: `"jsonl"` or `"parquet"`, for the prediction parts.
        schema: For Parquet, the parts' schema (`parquet_schema`).
        shard_size: Records per shard.

    Example:

    >>> import tempfile
    >>> folder = OutputFolder(tempfile.mkdtemp(), {"input": "a", "model": "b",
    ...                       "settings": {}}, "jsonl")
    >>> folder.claim()
    >>> folder.write_shard(0, [{"id": 0, "label": "pos"}], [{"record": 1}])
    >>> folder.done_shards(), folder.counts()
    ({0}, (1, 1))
    >>> folder.release()
    """

    def __init__(
        self, path, job, format="jsonl", schema=None, shard_size=10000
    ):
        if format not in SHARD_FORMATS:
            raise ValueError(
                f"`format` must be one of {sorted(SHARD_FORMATS)}. "
                f"Received: format={format!r}"
            )
        self.path = os.fspath(path)
        self.job = job
        self.format = format
        self.schema = schema
        self.shard_size = shard_size
        self._progress = None
        self._locked = None  # The folder's descriptor, locked by `claim`.
        self._shard = None  # The shard `add` is filling, and its records.
        self._pending = ([], [])

    def finished(self):
        """The summary of this very job if it finished here, else `None`.

        Raises:
            ValueError: the folder holds another job's output, or files
                that are not a job's output.
        """
        progress = self._read_progress()
        if progress is None:
            return None
        summary_path = os.path.join(self.path, SUMMARY)
        if not os.path.exists(summary_path):
            return None
        with open(summary_path, encoding="utf-8") as file:
            return json.load(file)

    def claim(self):
        """Makes the folder this job's: new, or resumed where it stopped.

        The folder stays locked for this process until `release`, so that
        two runs of a job cannot write it at once.

        Raises:
            ValueError: as `finished`, or another process holds the lock.
        """
        self._read_progress()
        os.makedirs(self.path, exist_ok=True)
        self._lock()
        progress = self._read_progress()  # Again, now that it is ours.
        for name in os.listdir(self.path):
            if name.startswith(".tmp-"):  # Left by a killed write.
                os.remove(os.path.join(self.path, name))
        if progress is None:
            progress = {"job": self.job, "shards": {}, "errors_bytes": 0}
            write_json_atomically(self._file(PROGRESS), progress)
        with open(self._file(ERRORS), "ab") as errors:
            errors.truncate(progress["errors_bytes"])
        self._progress = progress

    def release(self):
        """Lets another process claim the folder (a process end does too)."""
        if self._locked is not None:
            os.close(self._locked)
            self._locked = None

    def _lock(self):
        if fcntl is None:
            return  # No advisory locks here (Windows): one run at a time.
        self._locked = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(self._locked, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.release()
            raise ValueError(
                f"Another classify job is writing to {self.path!r} now: wait "
                "for it to end, or pass another --output."
            ) from None

    def done_shards(self):
        """The numbers of the shards already written."""
        return {int(shard) for shard in self._progress["shards"]}

    def counts(self):
        """`(predictions, errors)` written so far."""
        counts = list(self._progress["shards"].values())
        return sum(c[0] for c in counts), sum(c[1] for c in counts)

    def add(self, predictions, errors):
        """Takes records in input order; writes each shard once complete.

        A shard is complete when a record of a later shard arrives, or at
        `flush`. Rows of the shards already done must not come again.

        Args:
            predictions: `(record, dict)` pairs, by record number.
            errors: `(record, dict)` pairs, by record number.
        """
        tagged = heapq.merge(
            ((record, 0, entry) for record, entry in predictions),
            ((record, 1, entry) for record, entry in errors),
            key=lambda item: item[0],
        )
        for record, kind, entry in tagged:
            shard = record // self.shard_size
            if shard != self._shard:
                self.flush()
                self._shard = shard
            self._pending[kind].append(entry)

    def flush(self):
        """Writes the shard `add` was filling, if any."""
        if self._shard is not None:
            self.write_shard(self._shard, *self._pending)
        self._shard, self._pending = None, ([], [])

    def write_shard(self, shard, predictions, errors):
        """Writes one shard's prediction part and errors, then records it.

        Args:
            shard: The shard's number.
            predictions: Its prediction dicts, in input order.
            errors: Its error dicts, in input order.
        """
        with open(self._file(ERRORS), "ab") as file:
            for error in errors:
                file.write(_json_line(error))
            errors_bytes = file.tell()
        name = f"part-{shard:05d}.{self.format}"
        write_shard(self._file(name), predictions, self.format, self.schema)
        self._progress["shards"][str(shard)] = [len(predictions), len(errors)]
        self._progress["errors_bytes"] = errors_bytes
        write_json_atomically(self._file(PROGRESS), self._progress)

    def write_summary(self, summary):
        """Writes `summary.json`: the job is finished."""
        write_json_atomically(self._file(SUMMARY), summary)

    def _file(self, name):
        return os.path.join(self.path, name)

    def _read_progress(self):
        """This job's progress, `None` for a new folder; refuses others."""
        if not os.path.isdir(self.path):
            if os.path.exists(self.path):
                raise ValueError(
                    f"The output {self.path!r} is a file, not a folder."
                )
            return None
        if not os.path.exists(self._file(PROGRESS)):
            if [n for n in os.listdir(self.path) if not n.startswith(".tmp-")]:
                raise ValueError(
                    f"The output folder {self.path!r} is not empty and holds "
                    "no classify job: pass a new or empty folder."
                )
            return None
        with open(self._file(PROGRESS), encoding="utf-8") as file:
            progress = json.load(file)
        if progress.get("job") != self.job:
            raise ValueError(
                f"The output folder {self.path!r} holds the output of another "
                f"job ({_difference(progress.get('job'), self.job)}): delete "
                "it, or pass another --output."
            )
        return progress


def _difference(previous, current):
    """Which part of the job differs, in words."""
    if not isinstance(previous, dict) or set(previous) != set(current):
        return "written by another version"
    parts = []
    if previous["input"] != current["input"]:
        parts.append("other input")
    if previous["model"] != current["model"]:
        parts.append("another model")
    changed = sorted(
        key
        for key in set(previous["settings"]) | set(current["settings"])
        if previous["settings"].get(key) != current["settings"].get(key)
    )
    if changed:
        parts.append("other settings: " + ", ".join(changed))
    return "; ".join(parts)


def _json_line(record):
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
