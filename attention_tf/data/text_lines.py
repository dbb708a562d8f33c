"""Reading the user's text files as lines, with file:line errors for bytes.

The loaders of labelled texts and of sentence pairs read files through
`read_lines`, so an undecodable byte is reported the same way everywhere:
file, line, column and the byte itself, and a loader that skips bad rows
can skip just that line.
"""

import io
import re

# What "surrogateescape" turns an undecodable byte into (U+DC80..U+DCFF).
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def read_lines(path, encoding="utf-8"):
    """The lines of the file at `path`; see `decode_lines`."""
    with open(path, "rb") as file:
        return decode_lines(file.read(), path, encoding)


def decode_lines(data, name, encoding="utf-8"):
    """Splits bytes into decoded lines, each keeping its line end.

    1. A UTF-8 byte order mark (as Excel writes) is dropped.
    2. Bytes that do not decode spoil their own line, not the file: they
       are kept as lone surrogates, and the line is listed in `problems`.
    3. Lines end at "\\n", "\\r\\n" or "\\r" only, as the csv module and
       text-mode files see them (`str.splitlines` would also end one at
       "\\x1c", "\\x85" or "\\u2028" inside a text).

    Args:
        data: The file's bytes.
        name: The file's name, for error messages.
        encoding: A Python codec name, `"utf-8"` by default.

    Returns:
        `(lines, problems)`: a list of strings, and a dict from the index
        of each line holding undecodable bytes to a sentence naming the
        first one and its column.

    Raises:
        ValueError: for an unknown encoding, or bytes that cannot even be
            kept (see step 2), naming the file and line.
    """
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    try:
        text, clean = data.decode(encoding), True
    except LookupError:
        raise ValueError(
            f"Unknown text encoding {encoding!r} for {name}."
        ) from None
    except UnicodeDecodeError:
        text, clean = _decode_keeping_bytes(data, name, encoding), False
    lines = io.StringIO(text, newline="").readlines()
    if clean:
        return lines, {}
    problems = {}
    for index, line in enumerate(lines):
        match = _ESCAPED_BYTE.search(line)
        if match is not None:
            problems[index] = (
                f"byte 0x{ord(match.group()) - 0xDC00:02x} at column "
                f"{match.start() + 1} is not valid "
                f"{encoding.removesuffix('-sig')}: save the file as UTF-8, or "
                "give its encoding (such as latin-1)."
            )
    return lines, problems


def _decode_keeping_bytes(data, name, encoding):
    try:
        return data.decode(encoding, errors="surrogateescape")
    except UnicodeDecodeError as error:
        # "surrogateescape" cannot keep bytes below 0x80 (a UTF-16 file cut
        # in the middle of a character): name where they are instead.
        line = data.count(b"\n", 0, error.start) + 1
        raise ValueError(
            f"{name}, line {line}: bytes "
            f"{data[error.start : error.end]!r} do not "
            f"decode as {encoding}: {error.reason}."
        ) from None
