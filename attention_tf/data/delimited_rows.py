"""`DelimitedRows`: CSV and TSV rows that a stray quote cannot swallow."""

import csv

from attention_tf.data.text_lines import read_lines


class _Cursor:
    """Feeds lines to a `csv.reader`; moving `position` re-synchronises it."""

    def __init__(self, lines):
        self.lines = lines
        self.position = 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.position >= len(self.lines):
            raise StopIteration
        self.position += 1
        return self.lines[self.position - 1]


class DelimitedRows:
    r"""The rows of a CSV or TSV file, each tried from its own first line.

    How a file is read, row by row:

    1. Fields follow the usual CSV quoting: a field that starts with `"` is
       quoted, `""` inside it stands for one quote, and it may run over several
       lines. Its closing quote must be followed by the separator or the end of
       the line. A quote inside a field that does not start with one is an
       ordinary character.
    2. A row must have as many fields as the header. Blank lines are ignored.
    3. A row that breaks 1 or 2 (a quote never closed, a closing quote followed
       by more text, or a quoted field that runs over several lines into a row
       with the wrong number of fields) is malformed at the line where it
       *starts*, and reading resumes on the next line. So a stray quote costs
       its own row, never the rows after it, while a text that really spans
       lines (and so closes its quote and has the right number of fields) reads
       as one row.
    4. In a TSV file, a malformed line whose quotes, read as ordinary
       characters, give the header's number of fields is read that way: files
       written by joining fields with tabs carry no quoting, and their texts may
       well start with a quote.

    What no rule can tell apart: a stray opening quote that a later line closes
    cleanly (a quote right before a separator or the line end, as in `12",pos`
    or a quoted text starting with a line break) with the row then having the
    right number of fields. That is a valid multi-line row, and reads as one, as
    in any CSV reader. Every other stray quote is caught by rules 1 to 3: the
    first later quote of a well-written row opens a field, so it is followed by
    text, which rule 1 rejects.

    Args:
        path: The file.
        delimiter: `","` or `"\t"`.
        encoding: The file's text encoding (a Python codec name).

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "reviews.csv")
    >>> with open(path, "w") as file:
    ...     _ = file.write('text,label\n"stray,pos\n"one\ntwo",neg\n')
    >>> rows = list(DelimitedRows(path, ",").rows("text", "label"))
    >>> str(rows[0]).startswith(f"{path}, line 2: a quoted field")
    True
    >>> rows[1][:2]
    ('one\ntwo', 'neg')
    """

    def __init__(self, path, delimiter, encoding="utf-8"):
        self.path = path
        self.delimiter = delimiter
        lines, self.undecodable = read_lines(path, encoding)
        self.cursor = _Cursor(lines)
        # A reader starts every record afresh, so after a malformed one
        # moving the cursor back to the next line is all it takes.
        self.reader = csv.reader(self.cursor, delimiter=delimiter, strict=True)

    def rows(self, text_column, label_column):
        """Yields `(text, label, where)` per row, or a bad row's `ValueError`.

        `where` names the file and the line the row starts on; the text and
        label are the fields as read, not yet checked for emptiness.

        Raises:
            ValueError: for a malformed header or a column not in it.
        """
        header = self._record(width=None)
        if header is None:
            return
        if isinstance(header, ValueError):
            raise header
        header, where = header
        for column in (text_column, label_column):
            if column not in header:
                raise ValueError(
                    f"{where}: no column {column!r} in the header {header}. "
                    "Choose the columns with `text_column` and "
                    "`label_column`."
                )
        text_at, label_at = (
            header.index(text_column),
            header.index(label_column),
        )
        while (record := self._record(width=len(header))) is not None:
            if isinstance(record, ValueError):
                yield record
                continue
            fields, where = record
            yield fields[text_at], fields[label_at], where

    def _record(self, width):
        """The next non-blank record, a `ValueError`, or `None` at the end.

        A record is `(fields, where)`, `where` naming the file and the line
        it starts on.
        """
        while True:
            start = self.cursor.position
            try:
                fields = next(self.reader)
            except StopIteration:
                return None
            except csv.Error as error:
                fields, problem = None, self._quoting_problem(error)
            else:
                if not fields:
                    continue  # A blank line.
                problem = self._width_problem(start, fields, width)
            if problem is not None:
                self.cursor.position = start + 1
                fields = self._literal_tsv_fields(start, width)
                if fields is None:
                    return ValueError(
                        f"{self.path}, line {start + 1}: {problem}"
                    )
            # Undecodable bytes change no quote or separator (they are not
            # ASCII), so the record's extent stands; only its text is bad.
            for index in range(start, self.cursor.position):
                if index in self.undecodable:
                    return ValueError(
                        f"{self.path}, line {index + 1}: "
                        f"{self.undecodable[index]}"
                    )
            return fields, f"{self.path}, line {start + 1}"

    def _quoting_problem(self, error):
        end = self.cursor.position
        if end >= len(self.cursor.lines) and "end of data" in str(error):
            return (
                "a quoted field opened on this line is never closed (a stray "
                '`"`? Inside quotes, write a quote as `""`).'
            )
        if "field larger than field limit" in str(error):
            # The csv module's own cap; a runaway quote reaches it too.
            return (
                f"a field runs past {csv.field_size_limit()} characters "
                f'(by line {end}): a stray `"` opening a quoted field, or a '
                "text too long for the csv module."
            )
        return (
            f"a quoted field is not closed properly (line {end}: {error}; "
            'inside quotes, write a quote as `""`).'
        )

    def _width_problem(self, start, fields, width):
        if width is None or len(fields) == width:
            return None
        end = self.cursor.position
        if end - start > 1:
            return (
                f"a quoted field opened on this line runs to line {end}, "
                f"giving {len(fields)} fields instead of {width} (a stray "
                '`"`? Inside quotes, write a quote as `""`).'
            )
        return f"expected {width} fields, found {len(fields)}."

    def _literal_tsv_fields(self, start, width):
        if self.delimiter != "\t" or width is None:
            return None
        line = self.cursor.lines[start].rstrip("\r\n")
        fields = line.split("\t")
        return fields if len(fields) == width else None
