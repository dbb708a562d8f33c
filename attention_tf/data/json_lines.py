"""JSON Lines files read one object at a time, bad lines reported by line."""

import json

from attention_tf.data.text_lines import RowError, iter_lines


def json_objects(path, encoding="utf-8"):
    """Yields `(object, line)` per JSON object, or a bad line's `RowError`.

    Blank lines are ignored; a line that does not decode, is not JSON, or
    is not a JSON object becomes a `RowError` naming it, and reading goes
    on with the next line. The file is read as it is iterated.

    Args:
        path: A `.jsonl` or `.ndjson` file.
        encoding: The file's text encoding (a Python codec name).

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "reviews.jsonl")
    >>> with open(path, "w") as file:
    ...     _ = file.write('{"text": "fine"}\\n\\n[1]\\n')
    >>> rows = list(json_objects(path))
    >>> rows[0]
    ({'text': 'fine'}, 1)
    >>> rows[1].line, rows[1].reason
    (3, 'expected a JSON object.')
    """
    for index, (line, problem) in enumerate(iter_lines(path, encoding)):
        if not line.strip():
            continue
        if problem is not None:
            yield RowError(path, index + 1, problem)
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield RowError(path, index + 1, f"invalid JSON ({error}).")
            continue
        if not isinstance(record, dict):
            yield RowError(path, index + 1, "expected a JSON object.")
            continue
        yield record, index + 1
