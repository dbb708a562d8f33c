import json

import pytest

from attention_tf.bulk import CorpusReader
from tests.bulk.conftest import write_csv


def rows(path, **kwargs):
    return [tuple(row) for row in CorpusReader(path, **kwargs)]


def test_csv_with_ids_and_every_kind_of_bad_row(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_bytes(
        b"id,text\n"
        b"a,fine film\n"
        b"b,\n"  # Empty text: the classifier reports it.
        b'c,"stray quote\n'
        b"d,one,extra\n"
        b"e,caf\xe9\n"
        b"\n"
        b',"no id"\n'
        b'f,"two\nlines"\n'
    )
    got = rows(path, id_column="id")
    assert [row[:5] for row in got] == [
        (0, "a", "fine film", 2, None),
        (1, "b", "", 3, None),
        (2, None, None, 4, None),
        (3, None, None, 5, None),
        (4, None, None, 6, None),
        (5, None, None, 8, None),
        (6, "f", "two\nlines", 9, None),
    ]
    reasons = [row[5] for row in got]
    assert reasons[:2] == [None, None] and reasons[6] is None
    assert reasons[2].startswith("a quoted field is not closed properly")
    assert reasons[3] == "expected 2 fields, found 3."
    assert reasons[4].startswith("byte 0xe9 at column 6 is not valid utf-8")
    assert reasons[5] == "no value in the id column 'id'."
    assert rows(path, id_column="id", encoding="latin-1")[4][:3] == (
        4,
        "e",
        "café",
    )


def test_tsv_takes_quotes_literally_when_the_fields_fit(tmp_path):
    path = tmp_path / "reviews.tsv"
    path.write_text('text\tstars\n"Quoted" start\t5\nplain\t3\n')
    assert [row.text for row in CorpusReader(path)] == [
        '"Quoted" start',
        "plain",
    ]
    assert [row.id for row in CorpusReader(path)] == [0, 1]


def test_json_lines_with_bad_lines(tmp_path):
    path = tmp_path / "reviews.jsonl"
    path.write_text(
        json.dumps({"text": "good", "key": 7}) + "\n\n"
        "{not json\n"
        "[1, 2]\n"
        + json.dumps({"text": 5, "key": "x"})
        + "\n"
        + json.dumps({"body": "no text", "key": "y"})
        + "\n"
    )
    got = rows(path, id_column="key")
    assert got[0] == (0, 7, "good", 1, None, None)
    assert got[1][3] == 3 and got[1][5].startswith("invalid JSON")
    assert got[2][3:] == (4, None, "expected a JSON object.")
    # Not a string or missing: left to the classifier, which says why.
    assert got[3] == (3, "x", 5, 5, None, None)
    assert got[4] == (4, "y", None, 6, None, None)


def test_text_file_one_text_a_line(tmp_path):
    path = tmp_path / "reviews.txt"
    path.write_bytes(b"first\r\n\nthird caf\xe9\nlast")
    got = rows(path)
    assert [row[:4] for row in got] == [
        (0, 0, "first", 1),
        (1, 1, "", 2),
        (2, None, None, 3),
        (3, 3, "last", 4),
    ]
    assert got[2][5].startswith("byte 0xe9 at column 10")


def test_folder_of_text_files_named_by_path(tmp_path):
    for name, data in {
        "pos/1.txt": b"loved it",
        "pos/2.txt": b"caf\xe9",
        "neg/10.txt": b"awful",
        "neg/notes.md": b"not a text",
    }.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(data)
    got = rows(tmp_path)
    assert [row[:5] for row in got] == [
        (0, "neg/10.txt", "awful", None, "neg/10.txt"),
        (1, "pos/1.txt", "loved it", None, "pos/1.txt"),
        (2, "pos/2.txt", None, 1, "pos/2.txt"),
    ]
    assert got[2][5].startswith("byte 0xe9")


def test_parquet(tmp_path):
    import pyarrow
    import pyarrow.parquet

    path = tmp_path / "reviews.parquet"
    table = pyarrow.table({"review": ["good", None, "bad"], "key": [1, 2, 3]})
    pyarrow.parquet.write_table(table, path)
    assert rows(path, text_column="review", id_column="key") == [
        (0, 1, "good", None, None, None),
        (1, 2, None, None, None, None),
        (2, 3, "bad", None, None, None),
    ]
    with pytest.raises(ValueError, match="no column 'text'"):
        list(CorpusReader(path))


@pytest.mark.parametrize(
    "name, kwargs, message",
    [
        ("missing.csv", {}, "does not exist"),
        ("reviews.xml", {}, "Unknown input format"),
        ("reviews.txt", {"id_column": "id"}, "does not apply"),
    ],
)
def test_bad_inputs_are_refused(tmp_path, name, kwargs, message):
    if name != "missing.csv":
        (tmp_path / name).write_text("x\n")
    with pytest.raises(ValueError, match=message):
        CorpusReader(tmp_path / name, **kwargs)


def test_missing_column_names_the_header(tmp_path):
    path = write_csv(tmp_path / "reviews.csv", ["a", "b"])
    with pytest.raises(
        ValueError, match=r"line 1: no column 'body' in the header"
    ):
        list(CorpusReader(path, text_column="body"))


def test_fingerprint_counts_rows_and_follows_the_bytes(tmp_path):
    path = write_csv(tmp_path / "reviews.csv", ["a", "b", "c"])
    first = CorpusReader(path).fingerprint()
    assert first["rows_estimate"] == 3 and first["bytes"] == path.stat().st_size
    moved = path.rename(tmp_path / "moved.csv")
    assert CorpusReader(moved).fingerprint() == first
    write_csv(moved, ["a", "b", "d"])
    assert CorpusReader(moved).fingerprint()["sha256"] != first["sha256"]
