"""The user's own labelled texts: CSV/TSV, JSON Lines, or one folder per class.

CSV and TSV files are read by `DelimitedRows`, whose docstring gives the
rules for quotes, malformed rows and line ends.
"""

import collections
import math
import os
import re

from attention_tf.data.delimited_rows import DelimitedRows
from attention_tf.data.json_lines import json_objects
from attention_tf.data.text_lines import read_text_file

LabelledTexts = collections.namedtuple(
    "LabelledTexts", ["texts", "labels", "class_names", "skipped_rows"]
)
LabelledTexts.__doc__ = """Texts with integer labels.

`labels[i]` indexes `class_names`, in natural order (see
`natural_class_order`); `skipped_rows` counts the malformed rows (or class
folder files) dropped with `skip_bad_rows=True`.
"""

_DELIMITERS = {".csv": ",", ".tsv": "\t"}
_JSON_LINES = (".jsonl", ".ndjson")
_DIGITS = re.compile(r"(\d+)")


def load_labelled_texts(
    path,
    text_column="text",
    label_column="label",
    skip_bad_rows=False,
    encoding="utf-8",
):
    """Loads labelled texts from a file or a one-folder-per-class tree.

    Formats, chosen by the path:

    - `.csv` / `.tsv`: a header row naming the columns, then one row per
      text, read as the module docstring describes.
    - `.jsonl` / `.ndjson`: one JSON object per line, with `text_column`
      and `label_column` keys. Blank lines are ignored.
    - A folder: each subfolder is a class, each `.txt` file in it a text.

    Args:
        path: The file or folder.
        text_column: Name of the text column or key.
        label_column: Name of the label column or key.
        skip_bad_rows: If `True`, drop malformed rows (or files, in a class
            folder) and count them in `skipped_rows`, instead of raising.
        encoding: The files' text encoding (a Python codec name). A UTF-8
            byte order mark is ignored.

    Returns:
        A `LabelledTexts` tuple.

    Raises:
        ValueError: for a missing path, an unknown format, a malformed row
            or undecodable byte (naming the file and line), no texts, or a
            single class.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ValueError(f"No labelled data at {path!r}: it does not exist.")
    rows, skipped = _read_rows(
        path, text_column, label_column, skip_bad_rows, encoding
    )
    return _labelled(path, rows, skipped)


def _read_rows(path, text_column, label_column, skip_bad_rows, encoding):
    """`(rows, skipped)` from the format the path names, rows checked."""
    if os.path.isdir(path):
        return _read_class_folders(path, skip_bad_rows, encoding)
    extension = os.path.splitext(path)[1].lower()
    if extension in _DELIMITERS:
        reader = DelimitedRows(path, _DELIMITERS[extension], encoding)
        return _collect(reader.rows(text_column, label_column), skip_bad_rows)
    if extension in _JSON_LINES:
        return _collect(
            _json_rows(path, text_column, label_column, encoding),
            skip_bad_rows,
        )
    raise ValueError(
        f"Unknown data format for {path!r}: expected a folder, "
        f"or a file ending in one of "
        f"{sorted(_DELIMITERS) + list(_JSON_LINES)}."
    )


def _labelled(path, rows, skipped):
    """`LabelledTexts` of checked `(text, label)` rows: two classes at least."""
    if not rows:
        raise ValueError(f"{path!r} holds no labelled texts.")
    class_names = natural_class_order({label for _, label in rows})
    if len(class_names) < 2:
        raise ValueError(
            f"{path!r} has a single class ({class_names[0]!r}); a classifier "
            "needs at least two."
        )
    index = {name: i for i, name in enumerate(class_names)}
    return LabelledTexts(
        [text for text, _ in rows],
        [index[label] for _, label in rows],
        class_names,
        skipped,
    )


def natural_class_order(labels):
    """Sorts label strings as a reader expects.

    Numeric order when every label is a finite number ("2" before "10",
    "-1" before "0.5"); otherwise digit runs compare as numbers ("class2"
    before "class10") and the rest as text.

    >>> natural_class_order(["10", "9", "1"])
    ['1', '9', '10']
    >>> natural_class_order(["pos", "neg", "class10", "class2"])
    ['class2', 'class10', 'neg', 'pos']
    """
    numbers = {label: _finite_number(label) for label in labels}
    if None not in numbers.values():
        return sorted(labels, key=lambda label: (numbers[label], label))

    def natural_key(label):
        parts = _DIGITS.split(label)
        # Odd parts are digit runs: every key has text and numbers at the
        # same positions, so they compare.
        return [int(p) if i % 2 else p for i, p in enumerate(parts)], label

    return sorted(labels, key=natural_key)


def _finite_number(label):
    try:
        value = float(label)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _collect(rows, skip):
    """Checks rows given as `(text, label, where)` or a `ValueError`."""
    good, skipped = [], 0
    for row in rows:
        if not isinstance(row, ValueError):
            try:
                row = _check_row(*row)
            except ValueError as error:
                row = error
        if isinstance(row, ValueError):
            if not skip:
                raise row
            skipped += 1
        else:
            good.append(row)
    return good, skipped


def _check_row(text, label, where):
    """Returns `(text, label)` as strings, or raises naming `where`."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{where}: the text is missing or empty.")
    if isinstance(label, bool) or not isinstance(label, (str, int)):
        raise ValueError(
            f"{where}: the label must be a string or an integer. "
            f"Received: {label!r}"
        )
    label = str(label).strip()
    if not label:
        raise ValueError(f"{where}: the label is empty.")
    return text, label


def _json_rows(path, text_column, label_column, encoding):
    for record in json_objects(path, encoding):
        if isinstance(record, ValueError):
            yield record
        else:
            record, line = record
            yield (
                record.get(text_column),
                record.get(label_column),
                f"{path}, line {line}",
            )


def _read_class_folders(path, skip, encoding):
    def rows():
        for label in sorted(os.listdir(path)):
            folder = os.path.join(path, label)
            if not os.path.isdir(folder):
                continue
            for name in sorted(os.listdir(folder)):
                if name.endswith(".txt"):
                    yield _read_text_file(
                        os.path.join(folder, name), label, encoding
                    )

    return _collect(rows(), skip)


def _read_text_file(path, label, encoding):
    """One class-folder text as `(text, label, path)`, or a `ValueError`."""
    text = read_text_file(path, encoding)
    return text if isinstance(text, ValueError) else (text, label, path)
