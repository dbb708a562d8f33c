"""`CorpusRow`: one row of a corpus to classify, good or bad."""

import collections

_FIELDS = ["record", "id", "text", "line", "file", "error"]


class CorpusRow(collections.namedtuple("CorpusRow", _FIELDS)):
    """One row of a corpus, numbered, with where it came from.

    Attributes:
        record: The row's number (from 0) in the input, counting bad rows
            too: stable from run to run, so it decides the output shard.
        id: The id column's value, or `record` without an id column (a
            folder of text files: the file's path inside the folder).
        text: The text to classify (`None` for a row that could not be read).
        line: The line (from 1) the row starts on, or `None` (a whole file,
            a Parquet row).
        file: The file the row came from, for a folder of files; else `None`.
        error: Why the row cannot be classified, or `None` for a good row.

    Example:

    >>> row = CorpusRow(3, "r3", "", 5, None, None)
    >>> row.failed("the text is missing or empty.").error_record()
    {'record': 3, 'id': 'r3', 'line': 5, 'reason': 'the text is missing or empty.'}
    """

    __slots__ = ()

    def failed(self, reason):
        """The same row, marked bad for `reason`."""
        return self._replace(text=None, error=reason)

    def error_record(self):
        """The row's entry in `errors.jsonl`: where it is and why it failed.

        Keys: `record`, `id` (when known), `file` (a folder's file), `line`
        (when known) and `reason`.
        """
        entry = {"record": self.record, "id": self.id, "file": self.file}
        entry.update(line=self.line, reason=self.error)
        return {key: value for key, value in entry.items() if value is not None}

    def as_json(self):
        """The row as a JSON-ready list (rows cross process boundaries so)."""
        return list(self)

    @classmethod
    def from_json(cls, values):
        return cls(*values)
