"""`DelimitedRows`: CSV and TSV rows that a stray quote cannot swallow."""

import csv

from attention_tf.data.text_lines import RowError, iter_lines


class _Cursor:
    """Feeds lines to a `csv.reader`; moving `position` re-synchronises it.

    Lines are read as the reader asks for them. Those of the record being
    read are kept (`forget_before` drops the rest), so that `position` can
    move back to the line after a malformed record's first: memory holds
    one record, which the csv module's field size limit bounds.
    """

    def __init__(self, lines):
        self._lines = iter(lines)
        self._kept = []  # (line, problem) pairs, from line `_first` on.
        self._first = 0
        self._exhausted = False
        self.position = 0

    def __iter__(self):
        return self

    def __next__(self):
        while self.position >= self._first + len(self._kept):
            item = next(self._lines, None)
            if item is None:
                self._exhausted = True
                raise StopIteration
            self._kept.append(item)
        self.position += 1
        return self.line(self.position - 1)

    def line(self, index):
        """The text of line `index` (from 0), a kept line."""
        return self._kept[index - self._first][0]

    def problem(self, index):
        """The undecodable byte on line `index`, or `None`."""
        return self._kept[index - self._first][1]

    def forget_before(self, index):
        del self._kept[: index - self._first]
        self._first = index

    def at_end(self):
        """Whether every line of the file has been read."""
        return self._exhausted and self.position >= self._first + len(
            self._kept
        )


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

    The file is read as the rows are asked for, so a file of any size streams
    in flat memory: at most one record's lines are held (the csv module's
    field size limit caps a runaway quote's).

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
        self.cursor = _Cursor(iter_lines(path, encoding))
        # A reader starts every record afresh, so after a malformed one
        # moving the cursor back to the next line is all it takes.
        self.reader = csv.reader(self.cursor, delimiter=delimiter, strict=True)

    def rows(self, text_column, label_column):
        """Yields `(text, label, where)` per row, or a bad row's `RowError`.

        `where` names the file and the line the row starts on; the text and
        label are the fields as read, not yet checked for emptiness.

        Raises:
            ValueError: for a malformed header or a column not in it.
        """
        columns = self.columns(
            [text_column, label_column],
            "Choose the columns with `text_column` and `label_column`.",
        )
        for row in columns:
            if isinstance(row, RowError):
                yield row
            else:
                (text, label), line = row
                yield text, label, f"{self.path}, line {line}"

    def columns(self, names, hint=""):
        """Yields `(values, line)` per row, or a bad row's `RowError`.

        Rows are read one at a time, as they are asked for.

        Args:
            names: The columns wanted; `values` holds their fields in this
                order, as read.
            hint: A sentence added to the error for a missing column,
                saying how to choose another.

        Raises:
            ValueError: for a malformed header or a column not in it.
        """
        header = self._record(width=None)
        if header is None:
            return
        if isinstance(header, ValueError):
            raise header
        header, line = header
        for name in names:
            if name not in header:
                raise RowError(
                    self.path,
                    line,
                    f"no column {name!r} in the header {header}. {hint}",
                )
        positions = [header.index(name) for name in names]
        while (record := self._record(width=len(header))) is not None:
            if isinstance(record, ValueError):
                yield record
                continue
            fields, line = record
            yield [fields[at] for at in positions], line

    def _record(self, width):
        """The next non-blank record, a `RowError`, or `None` at the end.

        A record is `(fields, line)`, `line` (from 1) the one it starts on.
        """
        while True:
            start = self.cursor.position
            self.cursor.forget_before(start)
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
                    return RowError(self.path, start + 1, problem)
            # Undecodable bytes change no quote or separator (they are not
            # ASCII), so the record's extent stands; only its text is bad.
            for index in range(start, self.cursor.position):
                if self.cursor.problem(index) is not None:
                    return RowError(
                        self.path, index + 1, self.cursor.problem(index)
                    )
            return fields, start + 1

    def _quoting_problem(self, error):
        end = self.cursor.position
        if self.cursor.at_end() and "end of data" in str(error):
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
        line = self.cursor.line(start).rstrip("\r\n")
        fields = line.split("\t")
        return fields if len(fields) == width else None
