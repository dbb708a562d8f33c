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
