"""Reading the user's text files as lines, with file:line errors for bytes.

The loaders of labelled texts, of sentence pairs and of corpora to classify
read files through `iter_lines` (or `read_lines`, its list form), so an
undecodable byte is reported the same way everywhere: file, line, column and
the byte itself, and a reader that skips bad rows can skip just that line.
Files are read in chunks: a corpus of any size streams in flat memory.
"""

import codecs
import io
import re

# What "surrogateescape" turns an undecodable byte into (U+DC80..U+DCFF).
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_CHUNK_BYTES = 1 << 16


class RowError(ValueError):
    """A row of a file that cannot be read: where it is, and why.

    `str(error)` reads `"{path}, line {line}: {reason}"`, the form every
    loader reports; readers that keep going (a bulk job writing an errors
    file) take the parts apart from the attributes.

    Args:
        path: The file's name.
        line: The line (from 1) the row starts on, or `None` for a row that
            is a whole file.
        reason: A sentence saying what is wrong.
    """

    def __init__(self, path, line, reason):
        where = path if line is None else f"{path}, line {line}"
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


def read_lines(path, encoding="utf-8"):
    """The lines of the file at `path` as a list; see `decode_lines`."""
    lines, problems = [], {}
    for index, (line, problem) in enumerate(iter_lines(path, encoding)):
        lines.append(line)
        if problem is not None:
            problems[index] = problem
    return lines, problems


def decode_lines(data, name, encoding="utf-8"):
    """Splits bytes into decoded lines, each keeping its line end.

    The rules are those of `iter_lines`.

    Args:
        data: The file's bytes.
        name: The file's name, for error messages.
        encoding: A Python codec name, `"utf-8"` by default.

    Returns:
        `(lines, problems)`: a list of strings, and a dict from the index
        of each line holding undecodable bytes to a sentence naming the
        first one and its column.

    Raises:
        ValueError: as `iter_lines`.
    """
    lines, problems = [], {}
    stream = stream_lines(io.BytesIO(data), name, encoding)
    for index, (line, problem) in enumerate(stream):
        lines.append(line)
        if problem is not None:
            problems[index] = problem
    return lines, problems


def iter_lines(path, encoding="utf-8"):
    """Yields `(line, problem)` for each line of the file at `path`.

    See `stream_lines` for the rules; the file is read in chunks.

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.txt")
    >>> with open(path, "wb") as file:
    ...     _ = file.write(b"one\\r\\ncaf\\xe9\\n")
    >>> [line for line, _ in iter_lines(path)]
    ['one\\r\\n', 'caf\\udce9\\n']
    >>> list(iter_lines(path))[1][1].split(":")[0]
    'byte 0xe9 at column 4 is not valid utf-8'
    """
    with open(path, "rb") as file:
        yield from stream_lines(file, path, encoding)


def stream_lines(file, name, encoding="utf-8"):
    """Yields `(line, problem)` for each line of a binary file object.

    1. A UTF-8 byte order mark (as Excel writes) is dropped.
    2. Bytes that do not decode spoil their own line, not the file: they
       are kept as lone surrogates, and `problem` is a sentence naming the
       first one and its column (`None` for a clean line).
    3. Lines end at "\\n", "\\r\\n" or "\\r" only, as the csv module and
       text-mode files see them (`str.splitlines` would also end one at
       "\\x1c", "\\x85" or "\\u2028" inside a text). Each keeps its end.

    Args:
        file: A file object opened in binary mode.
        name: The file's name, for error messages.
        encoding: A Python codec name, `"utf-8"` by default.

    Raises:
        ValueError: for an unknown encoding, or bytes that cannot even be
            kept (see step 2), naming the file and line.
    """
    codec, shown = _codec(encoding, name)
    decoder = codec.incrementaldecoder(errors="surrogateescape")
    pending, lines_before = [], 0
    while True:
        data = file.read(_CHUNK_BYTES)
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError as error:
            raise _kept_bytes_error(error, name, shown, lines_before) from None
        pending.append(text)
        if data and "\n" not in text and "\r" not in text:
            continue  # Inside a long line: no need to split yet.
        lines = io.StringIO("".join(pending), newline="").readlines()
        # The last line may go on in the next chunk (a "\r" may be the
        # first half of "\r\n").
        pending = [lines.pop()] if data and lines[-1][-1] != "\n" else []
        for line in lines:
            yield line, _problem(line, shown)
        lines_before += len(lines)
        if not data:
            return


def _codec(encoding, name):
    """The codec to decode with, and the encoding's name for messages."""
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    try:
        return codecs.lookup(encoding), encoding.removesuffix("-sig")
    except LookupError:
        raise ValueError(
            f"Unknown text encoding {encoding!r} for {name}."
        ) from None


def _problem(line, encoding):
    match = _ESCAPED_BYTE.search(line)
    if match is None:
        return None
    return (
        f"byte 0x{ord(match.group()) - 0xDC00:02x} at column "
        f"{match.start() + 1} is not valid {encoding}: save the file as "
        "UTF-8, or give its encoding (such as latin-1)."
    )


def _kept_bytes_error(error, name, encoding, lines_before):
    # "surrogateescape" cannot keep bytes below 0x80 (a UTF-16 file cut in
    # the middle of a character): name where they are instead.
    line = lines_before + error.object.count(b"\n", 0, error.start) + 1
    return ValueError(
        f"{name}, line {line}: bytes "
        f"{error.object[error.start : error.end]!r} do not "
        f"decode as {encoding}: {error.reason}."
    )


def read_text_file(path, encoding="utf-8"):
    """The whole text of a file, or a `RowError` for its first bad byte.

    A file that is one text (one review per file, say) is spoiled by an
    undecodable byte as a whole; the error names its first line with one.

    Raises:
        ValueError: as `iter_lines`.
    """
    lines = []
    for index, (line, problem) in enumerate(iter_lines(path, encoding)):
        if problem is not None:
            return RowError(path, index + 1, problem)
        lines.append(line)
    return "".join(lines)
