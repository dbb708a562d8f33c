"""Tatoeba English-Spanish sentence pairs (manythings.org Anki export).

The file the TensorFlow translation tutorial downloads: one
`English<TAB>Spanish` pair per line, in `spa-eng/spa.txt` inside
`spa-eng.zip`. Accepts the zip, a gzip-compressed or a plain `spa.txt`.
"""

import gzip
import io
import os
import zipfile

import keras

from attention_tf.data.text_lines import decode_lines

URL = "http://storage.googleapis.com/download.tensorflow.org/data/spa-eng.zip"
ENVIRONMENT_VARIABLE = "ATTENTION_TF_SPA_ENG"
DIRECTIONS = ("spa-eng", "eng-spa")


def resolve_path(path=None):
    """The local file: `path`, else `$ATTENTION_TF_SPA_ENG`, else download.

    Raises:
        ValueError: the given file does not exist, or the download failed
            (no network), with the ways to supply the file.
    """
    path = path or os.environ.get(ENVIRONMENT_VARIABLE)
    if path:
        if not os.path.isfile(path):
            raise ValueError(f"spa-eng data file not found: {path!r}")
        return path
    try:
        return keras.utils.get_file("spa-eng.zip", origin=URL)
    except Exception as error:
        raise ValueError(
            f"Could not download {URL} ({error}). Pass the local file with "
            f"--data PATH or set {ENVIRONMENT_VARIABLE}=PATH "
            "(spa-eng.zip, spa.txt.gz or spa.txt)."
        ) from error


def _read_bytes(path):
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.endswith("spa.txt")]
            if not names:
                raise ValueError(f"No spa.txt inside the zip file {path!r}")
            return archive.read(names[0])
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.GzipFile(fileobj=io.BytesIO(data)).read()
    return data


def load_pairs(path=None, direction="spa-eng", encoding="utf-8"):
    """Reads the pairs as `(source, target)` strings, in file order.

    Args:
        path: Local file; see `resolve_path`.
        direction: `"spa-eng"` (Spanish source) or `"eng-spa"`.
        encoding: The text's encoding (a Python codec name).
    """
    if direction not in DIRECTIONS:
        raise ValueError(
            f"`direction` must be one of {DIRECTIONS}. Received: {direction!r}"
        )
    path = resolve_path(path)
    pairs = []
    lines, undecodable = decode_lines(_read_bytes(path), path, encoding)
    for number, line in enumerate(lines, 1):
        if number - 1 in undecodable:
            raise ValueError(
                f"{path}, line {number}: {undecodable[number - 1]}"
            )
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0].strip() or not fields[1].strip():
            raise ValueError(
                f"Line {number} is not 'English<TAB>Spanish': {line[:80]!r}"
            )
        english, spanish = fields[0].strip(), fields[1].strip()
        pairs.append(
            (spanish, english) if direction == "spa-eng" else (english, spanish)
        )
    if not pairs:
        raise ValueError("The spa-eng file holds no sentence pairs.")
    return pairs
