"""`CorpusReader`: the rows of a corpus to classify, streamed and numbered."""

import hashlib
import os

from attention_tf.bulk.corpus_row import CorpusRow
from attention_tf.data.delimited_rows import DelimitedRows
from attention_tf.data.json_lines import json_objects
from attention_tf.data.text_lines import RowError, iter_lines, read_text_file
from attention_tf.utils.optional import import_optional

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".txt": "txt",
    ".parquet": "parquet",
}
_DELIMITERS = {"csv": ",", "tsv": "\t"}
_HASH_CHUNK = 1 << 20


class CorpusReader:
    """The rows of a corpus to classify, read as they are iterated.

    Formats, chosen by the path, read by the same rules (and with the same
    errors and encodings) as training data (see `attention_tf.data`):

    - `.csv` / `.tsv`: a header row, then one row per text
      (`DelimitedRows`); blank lines are not rows.
    - `.jsonl` / `.ndjson`: one JSON object per line; blank lines are not
      rows.
    - `.txt`: one text per line; a blank line is an empty text.
    - A folder: every `.txt` file below it (sorted by path) is one text,
      whose id is its path inside the folder.
    - `.parquet`: a table with a text column (needs `pyarrow`).

    Every row gets a record number, counting bad rows too. A row that
    cannot be read (malformed, a stray quote, an extra field, undecodable
    bytes, invalid JSON, no id) comes out as a `CorpusRow` with `error`
    set and its line, never dropped. Empty texts are left to the
    classifier to report (`BatchClassifier`), whatever made the row.

    Args:
        path: The file or folder.
        text_column: The column (or JSON key) holding the text.
        id_column: The column holding each row's id, or `None`: the record
            number is the id. Not for `.txt` files or folders.
        encoding: The text encoding of the files (a Python codec name).

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "reviews.csv")
    >>> with open(path, "w") as file:
    ...     _ = file.write('id,text\\na1,fine film\\na2,"stray\\na3,dull\\n')
    >>> [(row.record, row.id, row.text, row.line, row.error is None)
    ...  for row in CorpusReader(path, id_column="id")]
    [(0, 'a1', 'fine film', 2, True), (1, None, None, 3, False), (2, 'a3', 'dull', 4, True)]
    """

    def __init__(
        self, path, text_column="text", id_column=None, encoding="utf-8"
    ):
        self.path = os.fspath(path)
        self.text_column = text_column
        self.id_column = id_column
        self.encoding = encoding
        self.format = _format_of(self.path)
        if id_column is not None and self.format in ("txt", "folder"):
            raise ValueError(
                f"`id_column` does not apply to {self.path!r}: a .txt file's "
                "rows are numbered, a folder's files are named by their "
                f"paths. Received: id_column={id_column!r}"
            )

    def __iter__(self):
        for record, row in enumerate(self._rows()):
            if isinstance(row, RowError):
                # A folder's file is named by its path: that is its id.
                file = row.path if self.format == "folder" else None
                yield CorpusRow(record, file, None, row.line, file, row.reason)
                continue
            identifier, text, line, file = row
            named = self.id_column is not None or self.format == "folder"
            row = CorpusRow(
                record, identifier if named else record, text, line, file, None
            )
            if identifier is None and named:
                row = row.failed(
                    f"no value in the id column {self.id_column!r}."
                )
            yield row

    def _rows(self):
        """`(id, text, line, file)` per row, or a `RowError`, in order."""
        if self.format in _DELIMITERS:
            return self._delimited_rows()
        if self.format == "jsonl":
            return self._json_rows()
        if self.format == "txt":
            return self._line_rows()
        if self.format == "folder":
            return self._file_rows()
        return self._parquet_rows()

    def _delimited_rows(self):
        reader = DelimitedRows(
            self.path, _DELIMITERS[self.format], self.encoding
        )
        names = [self.text_column] + [self.id_column] * (
            self.id_column is not None
        )
        hint = "Choose the columns with --text-column and --id-column."
        for row in reader.columns(names, hint):
            if isinstance(row, RowError):
                yield row
                continue
            values, line = row
            identifier = (
                values[1] if len(values) > 1 and values[1].strip() else None
            )
            yield identifier, values[0], line, None

    def _json_rows(self):
        for row in json_objects(self.path, self.encoding):
            if isinstance(row, RowError):
                yield row
                continue
            record, line = row
            identifier = record.get(self.id_column) if self.id_column else None
            if isinstance(identifier, (dict, list)) or identifier == "":
                identifier = None
            yield identifier, record.get(self.text_column), line, None

    def _line_rows(self):
        lines = iter_lines(self.path, self.encoding)
        for index, (line, problem) in enumerate(lines):
            if problem is not None:
                yield RowError(self.path, index + 1, problem)
            else:
                yield None, line.rstrip("\r\n"), index + 1, None

    def _file_rows(self):
        for name in folder_texts(self.path):
            text = read_text_file(os.path.join(self.path, name), self.encoding)
            if isinstance(text, RowError):
                yield RowError(name, text.line, text.reason)
            else:
                yield name, text, None, name

    def _parquet_rows(self):
        parquet = import_optional(
            "pyarrow.parquet", "Reading Parquet", "pyarrow", "parquet"
        )
        table = parquet.ParquetFile(self.path)
        columns = [self.text_column] + [self.id_column] * bool(self.id_column)
        missing = set(columns) - set(table.schema_arrow.names)
        if missing:
            raise ValueError(
                f"{self.path}: no column {sorted(missing)[0]!r} in "
                f"{table.schema_arrow.names}. Choose the columns with "
                "--text-column and --id-column."
            )
        for batch in table.iter_batches(batch_size=4096, columns=columns):
            texts = batch.column(0).to_pylist()
            ids = batch.column(1).to_pylist() if self.id_column else texts
            for text, identifier in zip(texts, ids):
                yield identifier, text, None, None

    def fingerprint(self):
        """What the input holds, without keeping it: for resuming safely.

        Returns:
            A dict: `sha256` of the bytes (of a folder: its files' paths and
            bytes), `bytes`, and `rows_estimate`, the row count when a pass
            over the bytes tells it (lines of a line format, less the
            header; files of a folder; a Parquet file's metadata), else
            `None`. Multi-line quoted fields or blank lines make the
            estimate of a line format a little high.
        """
        digest, size = hashlib.sha256(), 0
        if self.format == "folder":
            names = folder_texts(self.path)
            for name in names:
                digest.update(name.encode("utf-8") + b"\0")
                size += _hash_file(os.path.join(self.path, name), digest)[0]
            return {
                "sha256": digest.hexdigest(),
                "bytes": size,
                "rows_estimate": len(names),
            }
        size, lines = _hash_file(self.path, digest)
        rows = {
            "csv": lines - 1,
            "tsv": lines - 1,
            "jsonl": lines,
            "txt": lines,
        }
        estimate = rows.get(self.format)
        if self.format == "parquet":
            parquet = import_optional(
                "pyarrow.parquet", "Reading Parquet", "pyarrow", "parquet"
            )
            estimate = parquet.ParquetFile(self.path).metadata.num_rows
        return {
            "sha256": digest.hexdigest(),
            "bytes": size,
            "rows_estimate": max(estimate, 0),
        }


def folder_texts(path):
    """The `.txt` files below the folder `path`: relative paths, sorted."""
    names = []
    for folder, _, files in os.walk(path):
        names.extend(
            os.path.relpath(os.path.join(folder, name), path).replace(
                os.sep, "/"
            )
            for name in files
            if name.endswith(".txt")
        )
    return sorted(names)


def _format_of(path):
    if os.path.isdir(path):
        return "folder"
    if not os.path.exists(path):
        raise ValueError(f"No input at {path!r}: it does not exist.")
    extension = os.path.splitext(path)[1].lower()
    if extension not in FORMATS:
        raise ValueError(
            f"Unknown input format for {path!r}: expected a folder of .txt "
            f"files, or a file ending in one of {sorted(FORMATS)}."
        )
    return FORMATS[extension]


def _hash_file(path, digest):
    """Adds the file's bytes to `digest`; returns `(bytes, lines)`."""
    size = lines = 0
    last = b"\n"
    with open(path, "rb") as file:
        while chunk := file.read(_HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return size, lines + (last != b"\n")
