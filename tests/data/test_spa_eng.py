"""Tests for the Tatoeba spa-eng loader and the shared parallel-text helpers."""

import gzip
import unicodedata
import zipfile

import numpy as np
import pytest

from attention_tf.data import parallel_text, spa_eng

LINES = [
    "Go.\tVe.",
    "Go.\tVete.",
    "Where is the library?\t¿Dónde está la biblioteca?",
    "I'm here.\tEstoy aquí.",
    "Run!\t¡Corre!",
]


@pytest.fixture
def files(tmp_path):
    text = "\n".join(LINES) + "\n"
    zipped = tmp_path / "spa-eng.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("spa-eng/_about.txt", "about")
        archive.writestr("spa-eng/spa.txt", text)
    gzipped = tmp_path / "spa.txt.gz"
    gzipped.write_bytes(gzip.compress(text.encode("utf-8")))
    plain = tmp_path / "spa.txt"
    plain.write_text(text, encoding="utf-8")
    return zipped, gzipped, plain


def test_every_format_loads_the_same_pairs(files):
    loaded = [spa_eng.load_pairs(str(path)) for path in files]
    assert loaded[0] == loaded[1] == loaded[2]
    assert loaded[0][2] == (
        "¿Dónde está la biblioteca?",
        "Where is the library?",
    )
    english_first = spa_eng.load_pairs(str(files[0]), direction="eng-spa")
    assert english_first[0] == ("Go.", "Ve.")


def test_environment_variable(files, monkeypatch):
    monkeypatch.setenv(spa_eng.ENVIRONMENT_VARIABLE, str(files[2]))
    assert len(spa_eng.load_pairs()) == len(LINES)


def test_bad_input(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        spa_eng.load_pairs(str(tmp_path / "missing.zip"))
    bad = tmp_path / "bad.txt"
    bad.write_text("only english\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Line 1"):
        spa_eng.load_pairs(str(bad))
    with pytest.raises(ValueError, match="direction"):
        spa_eng.load_pairs(str(bad), direction="fra-eng")


def test_standardize_normalises_unicode_and_splits_punctuation():
    decomposed = unicodedata.normalize("NFD", "¿Dónde está?")
    assert decomposed != "¿Dónde está?"
    assert (
        parallel_text.standardize(decomposed)
        == parallel_text.standardize("¿Dónde está?")
        == "¿ dónde está ?"
    )
    assert (
        parallel_text.standardize("I'm fine, thanks…")
        == "i'm fine , thanks . . ."
    )
    with pytest.raises(ValueError, match="string"):
        parallel_text.standardize(None)


def test_split_is_deterministic_and_keeps_sources_apart():
    pairs = [(f"s{i % 40}", f"t{i}") for i in range(200)]
    train, test = parallel_text.split_pairs(pairs, test_size=30, seed=3)
    assert (train, test) == parallel_text.split_pairs(pairs, 30, seed=3)
    assert len(test) >= 30 and len(train) + len(test) == 200
    assert not {s for s, _ in train} & {s for s, _ in test}
    with pytest.raises(ValueError, match="test_size"):
        parallel_text.split_pairs(pairs, test_size=200)


def test_bucketed_batches_pad_to_their_own_length():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 30, size=100)
    sources = [np.arange(1, n + 1) for n in lengths]
    targets = [np.array([2] + [5] * (n % 7) + [3]) for n in lengths]
    batches = parallel_text.bucketed_batches(sources, targets, 16, rng)
    assert sum(len(b[1]) for b in batches) == 100
    padded = sum(b[0][0].size for b in batches)
    assert padded < 100 * 29 * 0.6  # far less than padding all to the longest
    for (source, target_in), target_out in batches:
        assert (source[:, -1] != 0).any()  # no all-padding column
        assert (target_in[:, 0] == 2).all()
        np.testing.assert_array_equal(target_in[:, 1:], target_out[:, :-1])
    with pytest.raises(ValueError, match="differ"):
        parallel_text.bucketed_batches(sources, targets[:3], 16, rng)


def test_undecodable_byte_names_file_line_and_byte(tmp_path):
    path = tmp_path / "pairs.txt"
    path.write_bytes(
        "Go.\tVe.\nHello.\tHola.\nCoffee.\tCafé.\n".encode("latin-1")
    )
    with pytest.raises(
        ValueError,
        match=r"pairs.txt, line 3: byte 0xe9 at column 12 is not valid utf-8",
    ):
        spa_eng.load_pairs(str(path))
    pairs = spa_eng.load_pairs(str(path), encoding="latin-1")
    assert pairs[2] == ("Café.", "Coffee.")


def test_only_line_feeds_and_carriage_returns_end_lines(tmp_path):
    # str.splitlines would also split at U+2028 inside a sentence.
    path = tmp_path / "pairs.txt"
    path.write_bytes("A\u2028B.\tC.\r\nGo.\tVe.\r\n".encode("utf-8"))
    assert spa_eng.load_pairs(str(path)) == [
        ("C.", "A\u2028B."),
        ("Ve.", "Go."),
    ]
