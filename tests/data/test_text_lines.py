"""`iter_lines` streams a file in chunks with the rules of a whole read."""

import io
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attention_tf.data import text_lines
from attention_tf.data.delimited_rows import DelimitedRows
from attention_tf.data.text_lines import decode_lines, iter_lines


def whole_file_lines(data, encoding):
    """The rules read the slow way: decode everything, then split."""
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    text = data.decode(codec, errors="surrogateescape")
    return io.StringIO(text, newline="").readlines()


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(
            [
                b"a",
                b"\n",
                b"\r",
                b"\r\n",
                b"\xe9",
                b"\xc3\xa9",
                b"\xef\xbb\xbf",
                b"\xe2\x82",
                b" ",
            ]
        ),
        max_size=40,
    ),
    chunk=st.integers(1, 7),
    encoding=st.sampled_from(["utf-8", "latin-1"]),
)
def test_chunks_split_lines_as_a_whole_read_does(pieces, chunk, encoding):
    data = b"".join(pieces)
    old = text_lines._CHUNK_BYTES
    text_lines._CHUNK_BYTES = chunk
    try:
        lines, problems = decode_lines(data, "x.txt", encoding)
    finally:
        text_lines._CHUNK_BYTES = old
    assert lines == whole_file_lines(data, encoding)
    assert set(problems) == {
        index
        for index, line in enumerate(lines)
        if text_lines._ESCAPED_BYTE.search(line)
    }


def test_problem_names_line_column_and_byte(tmp_path, monkeypatch):
    monkeypatch.setattr(text_lines, "_CHUNK_BYTES", 3)
    path = tmp_path / "notes.txt"
    path.write_bytes(b"fine\r\ncaf\xe9 au lait\rend")
    assert list(iter_lines(path)) == [
        ("fine\r\n", None),
        (
            "caf\udce9 au lait\r",
            "byte 0xe9 at column 4 is not valid utf-8: save the file as "
            "UTF-8, or give its encoding (such as latin-1).",
        ),
        ("end", None),
    ]


def test_bytes_that_cannot_be_kept_name_their_line(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes("one\ntwo\n".encode("utf-16-le") + b"\x00")
    with pytest.raises(ValueError, match=r"notes.txt, line 3: bytes"):
        list(iter_lines(path, "utf-16-le"))


def test_delimited_rows_stream_in_flat_memory(tmp_path):
    path = tmp_path / "big.csv"
    row = "a text of some length, quoted " * 4
    with open(path, "w") as file:
        file.write("text,label\n")
        for index in range(40_000):
            file.write(f'"{row}{index}",pos\n')
    assert path.stat().st_size > 4_000_000
    tracemalloc.start()
    try:
        count = sum(1 for _ in DelimitedRows(path, ",").rows("text", "label"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 40_000
    assert peak < 1_000_000, peak
