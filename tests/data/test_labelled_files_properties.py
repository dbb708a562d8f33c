"""Property tests: every good row arrives, every bad one is counted.

Files are generated with random columns, quoting, separators, line ends
(inside quoted texts too), encodings, blank lines and malformed rows of
each kind the loader knows, then read with and without `skip_bad_rows`.
"""

import codecs
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attention_tf.data import load_labelled_texts

LABELS = ["pos", "neg", "3", "10"]
ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "utf-16"]
BAD_KINDS = ["stray_quote", "wrong_width", "empty_text", "empty_label"]
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SPECIAL = [",", "\t", '"', "\n", "\r\n", "\r", " ", "é", "\u2028", "\x85"]
_WORDS = st.text("abcdefghij", min_size=1, max_size=6)


def _texts(encoding):
    plain = st.characters(
        max_codepoint=255 if encoding == "latin-1" else None,
        blacklist_categories=("Cs",),
        blacklist_characters="\x00",
    )
    special = [c for c in _SPECIAL if encoding != "latin-1" or c < "\x100"]
    # A text whose first character after any quotes is a line break or a
    # separator is left out: after a stray quote in the row before, the
    # quote that opens it can close the stray one, and the two readings of
    # such a file are both valid CSV (see `DelimitedRows`).
    return (
        st.lists(st.one_of(st.sampled_from(special), plain), max_size=12)
        .map("".join)
        .filter(lambda t: t.strip() and t.lstrip('"')[:1] not in "\r\n,\t")
    )


def _field(value, separator, quote):
    needs = any(c in value for c in (separator, '"', "\r", "\n"))
    if needs or quote:
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def _rows(draw, columns, separator, encoding):
    """`(line, kind, text, label)` tuples; `kind` is "good", "blank" or bad."""
    kinds = ["good", "good", "good", "blank"] + BAD_KINDS
    if encoding.startswith("utf-8"):
        kinds.append("bad_bytes")
    rows = []
    for kind in draw(st.lists(st.sampled_from(kinds), max_size=20)):
        values = {
            "id": str(draw(st.integers(0, 999))),
            "text": draw(_texts(encoding)),
            "label": draw(st.sampled_from(LABELS)),
        }
        quote = {name: draw(st.booleans()) for name in columns}
        if kind == "blank":
            rows.append(("", kind, None, None))
            continue
        if kind == "wrong_width":
            width = draw(st.sampled_from([len(columns) - 1, len(columns) + 1]))
            words = draw(st.lists(_WORDS, min_size=width, max_size=width))
            rows.append((separator.join(words), kind, None, None))
            continue
        if kind == "empty_text":
            values["text"] = draw(st.sampled_from(["", "  "]))
        elif kind == "empty_label":
            values["label"] = ""
        elif kind == "bad_bytes":
            values["text"] = draw(_WORDS) + "é"
        elif kind == "stray_quote":
            values["text"] = '"' + draw(_WORDS)
            # As a writer that quotes nothing would write it.
            quote = dict.fromkeys(columns, False)
        line = separator.join(
            values["text"]
            if kind == "stray_quote" and name == "text"
            else _field(values[name], separator, quote[name])
            for name in columns
        )
        if kind == "stray_quote" and separator == "\t":
            # Tab-joined TSV carries no quoting: the quote is text.
            kind = "good"
        rows.append((line, kind, values["text"], values["label"]))
    return rows


def _write(path, header, rows, end, encoding):
    """Writes the file; returns the line on which each row starts."""
    # Rows are encoded one by one (a "bad_bytes" row in latin-1), so the
    # byte order mark is written once, by hand.
    by_row = {"utf-8-sig": "utf-8", "utf-16": "utf-16-le"}.get(encoding)
    data = {"utf-8-sig": codecs.BOM_UTF8, "utf-16": codecs.BOM_UTF16_LE}
    data = data.get(encoding, b"")
    text, starts = "", []
    for line, kind, _, _ in [(header, "header", None, None), *rows]:
        starts.append(len(_LINE_BREAK.findall(text)) + 1)
        text += line + end
        data += (line + end).encode(
            "latin-1" if kind == "bad_bytes" else by_row or encoding
        )
    path.write_bytes(data)
    return starts[1:]


def _check(path, rows, lines, encoding):
    good = [(text, label) for _, kind, text, label in rows if kind == "good"]
    bad = [
        number
        for (_, kind, _, _), number in zip(rows, lines)
        if kind not in ("good", "blank")
    ]
    read_as = "utf-8" if encoding == "utf-8-sig" else encoding
    if len({label for _, label in good}) < 2:
        return  # Too few classes to load; the example tests cover that.
    data = load_labelled_texts(path, skip_bad_rows=True, encoding=read_as)
    assert data.skipped_rows == len(bad)
    names = [data.class_names[i] for i in data.labels]
    assert list(zip(data.texts, names)) == good
    if bad:
        with pytest.raises(ValueError) as error:
            load_labelled_texts(path, encoding=read_as)
        assert f"{path.name}, line {bad[0]}:" in str(error.value)


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    separator=st.sampled_from([",", "\t"]),
    columns=st.sampled_from(
        [("text", "label"), ("label", "text"), ("id", "text", "label")]
    ),
    end=st.sampled_from(["\n", "\r\n"]),
    encoding=st.sampled_from(ENCODINGS),
)
def test_delimited_files(
    tmp_path_factory, data, separator, columns, end, encoding
):
    rows = data.draw(_rows(columns, separator, encoding))
    path = tmp_path_factory.mktemp("csv") / (
        "data.csv" if separator == "," else "data.tsv"
    )
    lines = _write(path, separator.join(columns), rows, end, encoding)
    _check(path, rows, lines, encoding)


@st.composite
def _json_rows(draw, encoding):
    kinds = [
        "good",
        "good",
        "good",
        "blank",
        "invalid",
        "not_object",
        "no_text",
    ]
    kinds += ["empty_label"] + (
        ["bad_bytes"] if encoding.startswith("utf-8") else []
    )
    rows = []
    for kind in draw(st.lists(st.sampled_from(kinds), max_size=20)):
        text, label = draw(_texts(encoding)), draw(st.sampled_from(LABELS))
        record = {
            "text": text,
            "label": int(label) if label.isdigit() else label,
        }
        if draw(st.booleans()):
            record["id"] = draw(st.integers())
        ascii_only = draw(st.booleans()) or encoding == "latin-1"
        line = json.dumps(record, ensure_ascii=ascii_only)
        if kind == "blank":
            line = draw(st.sampled_from(["", "  ", "\t"]))
        elif kind == "invalid":
            line = line[:-1]
        elif kind == "not_object":
            line = json.dumps([text, label])
        elif kind == "no_text":
            line = json.dumps({"label": label})
        elif kind == "empty_label":
            line = json.dumps({"text": text, "label": " "})
        elif kind == "bad_bytes":
            record = {"text": draw(_WORDS) + "é", "label": label}
            line = json.dumps(record, ensure_ascii=False)
        rows.append((line, kind, text, label))
    return rows


@settings(max_examples=100, deadline=None)
@given(
    data=st.data(),
    end=st.sampled_from(["\n", "\r\n"]),
    encoding=st.sampled_from(ENCODINGS),
)
def test_json_lines_files(tmp_path_factory, data, end, encoding):
    rows = data.draw(_json_rows(encoding))
    path = tmp_path_factory.mktemp("jsonl") / "data.jsonl"
    # JSON Lines has no header: a blank first line stands in for it.
    _check(path, rows, _write(path, "", rows, end, encoding), encoding)
