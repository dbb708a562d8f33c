import json

import pytest

from attention_tf.data import load_labelled_texts


def test_csv_with_quoted_commas_and_newlines(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text('text,label\n"good, really\\nfine",pos\nbad,neg\n')
    data = load_labelled_texts(path)
    assert data.texts == ["good, really\\nfine", "bad"]
    assert data.class_names == ["neg", "pos"]
    assert data.labels == [1, 0]
    assert data.skipped_rows == 0


def test_tsv_with_named_columns(tmp_path):
    path = tmp_path / "reviews.tsv"
    path.write_text("id\tbody\tstars\n1\tgreat\t5\n2\tawful\t1\n3\tok\t3\n")
    data = load_labelled_texts(path, text_column="body", label_column="stars")
    assert data.class_names == ["1", "3", "5"]
    assert data.labels == [2, 0, 1]


def test_json_lines_with_integer_labels(tmp_path):
    path = tmp_path / "reviews.jsonl"
    rows = [{"text": "a", "label": 0}, {"text": "b", "label": 1}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    data = load_labelled_texts(path)
    assert data.texts == ["a", "b"] and data.labels == [0, 1]


def test_one_folder_per_class(tmp_path):
    for label, text in (("ham", "hello"), ("spam", "win money")):
        (tmp_path / label).mkdir()
        (tmp_path / label / "1.txt").write_text(text)
    data = load_labelled_texts(tmp_path)
    assert data.class_names == ["ham", "spam"]
    assert data.texts == ["hello", "win money"]


@pytest.mark.parametrize(
    "content, message",
    [
        (
            "text,label\ngood,pos\nbad\n",
            r"reviews.csv, line 3: expected 2 fields",
        ),
        ("text,label\ngood,pos\n,neg\n", r"reviews.csv, line 3: the text"),
        ("text,label\ngood,pos\nbad,\n", r"reviews.csv, line 3: the label"),
        ("body,label\ngood,pos\n", r"line 1: no column 'text'"),
    ],
)
def test_malformed_csv_names_file_and_line(tmp_path, content, message):
    path = tmp_path / "reviews.csv"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        load_labelled_texts(path)


def test_malformed_json_lines_names_the_line(tmp_path):
    path = tmp_path / "reviews.jsonl"
    path.write_text('{"text": "a", "label": 0}\n{"text": "b", \n')
    with pytest.raises(
        ValueError, match=r"reviews.jsonl, line 2: invalid JSON"
    ):
        load_labelled_texts(path)


def test_skip_bad_rows_counts_them(tmp_path):
    path = tmp_path / "reviews.jsonl"
    path.write_text(
        '{"text": "a", "label": "x"}\nnot json\n[1]\n{"text": "b"}\n'
        '{"text": "c", "label": "y"}\n'
    )
    data = load_labelled_texts(path, skip_bad_rows=True)
    assert data.texts == ["a", "c"]
    assert data.skipped_rows == 3


@pytest.mark.parametrize("content", ["", "text,label\n"])
def test_empty_data_set(tmp_path, content):
    path = tmp_path / "reviews.csv"
    path.write_text(content)
    with pytest.raises(ValueError, match="holds no labelled texts"):
        load_labelled_texts(path)


def test_single_class(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text("text,label\na,pos\nb,pos\n")
    with pytest.raises(ValueError, match="single class \\('pos'\\)"):
        load_labelled_texts(path)


def test_unknown_format_and_missing_path(tmp_path):
    path = tmp_path / "reviews.xml"
    path.write_text("<a/>")
    with pytest.raises(ValueError, match="Unknown data format"):
        load_labelled_texts(path)
    with pytest.raises(ValueError, match="does not exist"):
        load_labelled_texts(tmp_path / "missing.csv")


def _rows(count, label_of=lambda i: "pos" if i % 2 else "neg", sep=","):
    return [
        f"review number {i} is fine{sep}{label_of(i)}" for i in range(count)
    ]


def test_stray_quote_is_reported_at_its_own_line_and_costs_one_row(tmp_path):
    rows = _rows(200)
    rows[29] = '"this one opens a quote,pos'  # Line 31: the header is line 1.
    path = tmp_path / "reviews.csv"
    path.write_text("text,label\n" + "\n".join(rows) + "\n")
    with pytest.raises(ValueError, match=r"reviews.csv, line 31: a quoted"):
        load_labelled_texts(path)
    data = load_labelled_texts(path, skip_bad_rows=True)
    assert data.skipped_rows == 1
    assert data.texts == [
        r.split(",")[0] for i, r in enumerate(rows) if i != 29
    ]


def test_stray_quote_closed_by_a_later_quoted_field(tmp_path):
    # The csv module alone would read lines 3 to 5 as one (malformed) row.
    path = tmp_path / "reviews.csv"
    path.write_text(
        'text,label\nfine,pos\n"stray,neg\nok,pos\n"a, b",neg\nlast,pos\n'
    )
    with pytest.raises(ValueError, match=r"line 3: a quoted field is not"):
        load_labelled_texts(path)
    data = load_labelled_texts(path, skip_bad_rows=True)
    assert data.texts == ["fine", "ok", "a, b", "last"]
    assert data.skipped_rows == 1


def test_quoted_field_over_lines_into_the_wrong_width(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text(
        'text,label\n"runs on,pos\nand on",pos,extra\nok,neg\nyes,pos\n'
    )
    with pytest.raises(
        ValueError,
        match=r"line 2: a quoted field opened on "
        r"this line runs to line 3, giving 3 fields",
    ):
        load_labelled_texts(path)
    data = load_labelled_texts(path, skip_bad_rows=True)
    # Resumes on line 3, which is malformed on its own (a quote in an
    # unquoted field is text; three fields are one too many).
    assert data.texts == ["ok", "yes"] and data.skipped_rows == 2


def test_tsv_text_beginning_with_a_quote(tmp_path):
    rows = _rows(300, sep="\t")
    rows[18] = '"Wow. Just wow\tpos'  # Never closed: tab-joined, unquoted.
    rows[40] = '"Great" film, she said\tneg'  # Closed, then more text.
    path = tmp_path / "reviews.tsv"
    path.write_text("text\tlabel\n" + "\n".join(rows) + "\n")
    data = load_labelled_texts(path)
    assert data.skipped_rows == 0
    assert data.texts == [r.split("\t")[0] for r in rows]


def test_multi_line_quoted_texts_with_crlf_read_as_one_row(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_bytes(
        b'text,label\r\n"line one\r\nline two, with ""quotes""",pos\r\n'
        b"\r\nbad film,neg\r\n"
    )
    data = load_labelled_texts(path)
    assert data.texts == ['line one\r\nline two, with "quotes"', "bad film"]
    assert data.skipped_rows == 0


def test_byte_order_mark_and_blank_lines(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text(
        "text,label\n\ngood,pos\n\nbad,neg\n\n", encoding="utf-8-sig"
    )
    data = load_labelled_texts(path)
    assert data.texts == ["good", "bad"] and data.skipped_rows == 0


LATIN_1_MESSAGE = r"line {}: byte 0xe9 at column {} is not valid utf-8"


def test_latin_1_csv_names_file_line_and_byte(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_bytes(
        "text,label\ngood,pos\ncafé bad,neg\nfine,neg\n".encode("latin-1")
    )
    with pytest.raises(
        ValueError, match="reviews.csv, " + LATIN_1_MESSAGE.format(3, 4)
    ):
        load_labelled_texts(path)
    data = load_labelled_texts(path, skip_bad_rows=True)
    assert data.texts == ["good", "fine"] and data.skipped_rows == 1
    data = load_labelled_texts(path, encoding="latin-1")
    assert data.texts == ["good", "café bad", "fine"]


def test_latin_1_inside_a_multi_line_text_skips_that_row_only(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_bytes(
        b'text,label\n"one\ntwo caf\xe9",pos\nnext,neg\nmore,pos\n'
    )
    with pytest.raises(ValueError, match=LATIN_1_MESSAGE.format(3, 8)):
        load_labelled_texts(path)
    data = load_labelled_texts(path, skip_bad_rows=True)
    assert data.texts == ["next", "more"] and data.skipped_rows == 1


def test_latin_1_json_lines(tmp_path):
    path = tmp_path / "reviews.jsonl"
    path.write_bytes(
        '{"text": "a", "label": 0}\n{"text": "café", "label": 1}\n'
        '{"text": "b", "label": 1}\n'.encode("latin-1")
    )
    with pytest.raises(ValueError, match=LATIN_1_MESSAGE.format(2, 14)):
        load_labelled_texts(path)
    data = load_labelled_texts(path, skip_bad_rows=True)
    assert data.texts == ["a", "b"] and data.skipped_rows == 1
    assert load_labelled_texts(path, encoding="latin-1").texts[1] == "café"


def test_latin_1_class_folder_file(tmp_path):
    for label in ("ham", "spam"):
        (tmp_path / label).mkdir()
        (tmp_path / label / "1.txt").write_text(f"{label} text")
    (tmp_path / "ham" / "2.txt").write_bytes(
        "line one\ncafé\n".encode("latin-1")
    )
    with pytest.raises(
        ValueError, match=r"2.txt, " + LATIN_1_MESSAGE.format(2, 4)
    ):
        load_labelled_texts(tmp_path)
    data = load_labelled_texts(tmp_path, skip_bad_rows=True)
    assert data.texts == ["ham text", "spam text"] and data.skipped_rows == 1
    data = load_labelled_texts(tmp_path, encoding="latin-1")
    assert data.texts[1] == "line one\ncafé\n"


def test_empty_class_folder_file_is_reported_not_dropped(tmp_path):
    for label in ("ham", "spam"):
        (tmp_path / label).mkdir()
        (tmp_path / label / "1.txt").write_text(f"{label} text")
    (tmp_path / "spam" / "2.txt").write_text("  \n")
    with pytest.raises(
        ValueError, match=r"2.txt: the text is missing or empty"
    ):
        load_labelled_texts(tmp_path)
    assert load_labelled_texts(tmp_path, skip_bad_rows=True).skipped_rows == 1


def test_unknown_encoding(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text("text,label\na,pos\nb,neg\n")
    with pytest.raises(ValueError, match="Unknown text encoding 'klingon'"):
        load_labelled_texts(path, encoding="klingon")


@pytest.mark.parametrize(
    "labels, expected",
    [
        ([str(i) for i in range(10, 0, -1)], [str(i) for i in range(1, 11)]),
        (["0.5", "-1", "10", "2"], ["-1", "0.5", "2", "10"]),
        (["class10", "class2", "class1"], ["class1", "class2", "class10"]),
        (["pos", "neg", "2"], ["2", "neg", "pos"]),
        (["nan", "1"], ["1", "nan"]),
    ],
)
def test_natural_class_order(tmp_path, labels, expected):
    path = tmp_path / "reviews.csv"
    path.write_text(
        "text,label\n"
        + "".join(f"t{i},{label}\n" for i, label in enumerate(labels))
    )
    data = load_labelled_texts(path)
    assert data.class_names == expected
    assert [data.class_names[i] for i in data.labels] == labels


def test_command_line_names_the_byte_and_takes_encoding(tmp_path):
    from attention_tf.cli import main

    path = tmp_path / "reviews.csv"
    path.write_bytes("text,label\ncafé,pos\nthé,neg\n".encode("latin-1"))
    args = ["train-doc-classifier", "--data", str(path), "--out"]
    with pytest.raises(ValueError, match=LATIN_1_MESSAGE.format(2, 4)):
        main([*args, str(tmp_path / "a")])
    # Decoded, the two texts load; too few to train is the next complaint.
    with pytest.raises(ValueError, match="has 2 texts: too few"):
        main([*args, str(tmp_path / "b"), "--encoding", "latin-1"])


def test_stray_quote_in_long_texts_reaches_the_field_limit(tmp_path):
    # Runs past the csv module's 131,072-character cap before the end.
    rows = _rows(200, label_of=lambda i: ("pos", "neg")[i % 2])
    rows = [("x" * 1000) + row for row in rows]
    rows[9] = '"' + rows[9]
    path = tmp_path / "reviews.csv"
    path.write_text("text,label\n" + "\n".join(rows) + "\n")
    with pytest.raises(ValueError, match=r"line 11: a field runs past 131072"):
        load_labelled_texts(path)
    data = load_labelled_texts(path, skip_bad_rows=True)
    assert len(data.texts) == 199 and data.skipped_rows == 1
