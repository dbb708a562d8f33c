"""The user's own labelled texts: CSV/TSV, JSON Lines, or one folder per class."""

import collections
import csv
import json
import os

LabelledTexts = collections.namedtuple(
    "LabelledTexts", ["texts", "labels", "class_names", "skipped_rows"]
)
LabelledTexts.__doc__ = """Texts with integer labels.

`labels[i]` indexes `class_names` (sorted label strings); `skipped_rows`
counts the malformed rows dropped with `skip_bad_rows=True`.
"""

_DELIMITERS = {".csv": ",", ".tsv": "\t"}
_JSON_LINES = (".jsonl", ".ndjson")


def load_labelled_texts(
    path, text_column="text", label_column="label", skip_bad_rows=False
):
    """Loads labelled texts from a file or a one-folder-per-class tree.

    Formats, chosen by the path:

    - `.csv` / `.tsv`: a header row naming the columns, then one row per
      text.
    - `.jsonl` / `.ndjson`: one JSON object per line, with `text_column`
      and `label_column` keys. Blank lines are ignored.
    - A folder: each subfolder is a class, each `.txt` file in it a text.

    Args:
        path: The file or folder.
        text_column: Name of the text column or key.
        label_column: Name of the label column or key.
        skip_bad_rows: If `True`, drop malformed rows and count them in
            `skipped_rows`, instead of raising.

    Returns:
        A `LabelledTexts` tuple.

    Raises:
        ValueError: for a missing path, an unknown format, a malformed row
            (naming the file and line), no texts, or a single class.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ValueError(f"No labelled data at {path!r}: it does not exist.")
    if os.path.isdir(path):
        rows, skipped = _read_class_folders(path), 0
    else:
        extension = os.path.splitext(path)[1].lower()
        if extension in _DELIMITERS:
            rows, skipped = _read_delimited(
                path,
                _DELIMITERS[extension],
                text_column,
                label_column,
                skip_bad_rows,
            )
        elif extension in _JSON_LINES:
            rows, skipped = _read_json_lines(
                path, text_column, label_column, skip_bad_rows
            )
        else:
            raise ValueError(
                f"Unknown data format for {path!r}: expected a folder, "
                f"or a file ending in one of "
                f"{sorted(_DELIMITERS) + list(_JSON_LINES)}."
            )
    if not rows:
        raise ValueError(f"{path!r} holds no labelled texts.")
    class_names = sorted({label for _, label in rows})
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


def _read_delimited(path, delimiter, text_column, label_column, skip):
    rows, skipped = [], 0
    with open(path, newline="", encoding="utf-8") as file:
        reader = csv.reader(file, delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            return rows, skipped
        for column in (text_column, label_column):
            if column not in header:
                raise ValueError(
                    f"{path}, line 1: no column {column!r} in the header "
                    f"{header}. Choose the columns with `text_column` and "
                    "`label_column`."
                )
        text_at, label_at = (
            header.index(text_column),
            header.index(label_column),
        )
        for fields in reader:
            where = f"{path}, line {reader.line_num}"
            try:
                if len(fields) != len(header):
                    raise ValueError(
                        f"{where}: expected {len(header)} fields, found "
                        f"{len(fields)}."
                    )
                rows.append(
                    _check_row(fields[text_at], fields[label_at], where)
                )
            except ValueError:
                if not skip:
                    raise
                skipped += 1
    return rows, skipped


def _read_json_lines(path, text_column, label_column, skip):
    rows, skipped = [], 0
    with open(path, encoding="utf-8") as file:
        for line_number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            where = f"{path}, line {line_number}"
            try:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(
                        f"{where}: invalid JSON ({error})."
                    ) from None
                if not isinstance(record, dict):
                    raise ValueError(f"{where}: expected a JSON object.")
                rows.append(
                    _check_row(
                        record.get(text_column), record.get(label_column), where
                    )
                )
            except ValueError:
                if not skip:
                    raise
                skipped += 1
    return rows, skipped


def _read_class_folders(path):
    rows = []
    for label in sorted(os.listdir(path)):
        folder = os.path.join(path, label)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".txt"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as file:
                text = file.read()
            if text.strip():
                rows.append((text, label))
    return rows
