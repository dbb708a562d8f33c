"""Reading the user's text files as lines, with file:line errors for bytes.

The loaders of labelled texts and of sentence pairs read files through
`read_lines` and `decoding_problem`, so an undecodable byte is reported the
same way everywhere: file, line, column and the byte itself, and a loader
that skips bad rows can skip just that line.
"""

import re

# Line ends as the csv module and text-mode files see them. Unlike
# `str.splitlines`, "\x1c", "\x85" or "\u2028" inside a text end no line.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
# What "surrogateescape" turns an undecodable byte into (U+DC80..U+DCFF).
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def read_lines(path, encoding="utf-8"):
    """The lines of the file at `path`; see `decode_lines`."""
    with open(path, "rb") as file:
        return decode_lines(file.read(), path, encoding)


def decode_lines(data, name, encoding="utf-8"):
    """Splits bytes into decoded lines, each keeping its line end.

    1. A UTF-8 byte order mark (as Excel writes) is dropped.
    2. Bytes that do not decode are kept as lone surrogates, so one bad
       byte spoils one line, not the file: `decoding_problem` finds them.
    3. Lines end at "\\n", "\\r\\n" or "\\r" only.

    Args:
        data: The file's bytes.
        name: The file's name, for error messages.
        encoding: A Python codec name, `"utf-8"` by default.

    Returns:
        A list of strings.

    Raises:
        ValueError: for an unknown encoding, or bytes that cannot even be
            kept (see step 2), naming the file and line.
    """
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding, errors="surrogateescape")
    except LookupError:
        raise ValueError(
            f"Unknown text encoding {encoding!r} for {name}."
        ) from None
    except UnicodeDecodeError as error:
        # "surrogateescape" cannot keep bytes below 0x80 (a UTF-16 file cut
        # in the middle of a character): name where they are instead.
        line = data.count(b"\n", 0, error.start) + 1
        raise ValueError(
            f"{name}, line {line}: bytes "
            f"{data[error.start : error.end]!r} do not "
            f"decode as {encoding}: {error.reason}."
        ) from None
    return _LINE.findall(text)


def decoding_problem(line, encoding="utf-8"):
    """Describes the first undecodable byte of a `decode_lines` line.

    Returns:
        `None` for a line that decoded cleanly, else a sentence naming the
        byte and its column, for the caller to prefix with file and line.
    """
    match = _ESCAPED_BYTE.search(line)
    if match is None:
        return None
    byte = ord(match.group()) - 0xDC00
    return (
        f"byte 0x{byte:02x} at column {match.start() + 1} is not valid "
        f"{encoding}: save the file as UTF-8, or give its encoding (such as "
        "latin-1)."
    )
