import io
import os
import tarfile

import pytest

from attention_tf.data import imdb
from attention_tf.data.imdb import load_imdb

PER_CLASS = 3


def _reviews():
    files = {"aclImdb/README": "readme", "aclImdb/train/urls_pos.txt": "x"}
    for split in ("train", "test"):
        for folder in ("neg", "pos"):
            for i in range(PER_CLASS):
                files[
                    f"aclImdb/{split}/{folder}/{i}_{7 if folder == 'pos' else 2}.txt"
                ] = f"{split} {folder} review {i}<br />caf\u00e9"
    for i in range(2):
        files[f"aclImdb/train/unsup/{i}_0.txt"] = f"unlabelled {i}"
    return files


def _write_archive(path, files):
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _write_folder(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(params=["archive", "folder"])
def imdb_path(request, tmp_path):
    if request.param == "archive":
        return _write_archive(tmp_path / "imdb.tar.gz", _reviews())
    return _write_folder(tmp_path, _reviews())


def test_loads_splits_labels_and_text(imdb_path):
    data = load_imdb(imdb_path, expected_per_class=PER_CLASS)
    assert data.train_labels == [0] * 3 + [1] * 3
    assert data.test_labels == [0] * 3 + [1] * 3
    assert data.train_texts[0] == "train neg review 0<br />caf\u00e9"
    assert data.test_texts[-1] == "test pos review 2<br />caf\u00e9"
    assert data.unlabelled_texts == []


def test_loads_unlabelled_on_request(imdb_path):
    data = load_imdb(imdb_path, include_unlabelled=True, expected_per_class=3)
    assert data.unlabelled_texts == ["unlabelled 0", "unlabelled 1"]


def test_default_count_rejects_a_small_copy(imdb_path):
    with pytest.raises(ValueError, match="12500 reviews in each"):
        load_imdb(imdb_path)


def test_missing_review_is_a_structure_error(tmp_path):
    files = _reviews()
    del files["aclImdb/test/pos/1_7.txt"]
    path = _write_archive(tmp_path / "imdb.tar.gz", files)
    with pytest.raises(ValueError, match="'test/pos': 2"):
        load_imdb(path, expected_per_class=PER_CLASS)


def test_not_an_archive(tmp_path):
    path = tmp_path / "imdb.tar.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="Cannot read the IMDB archive"):
        load_imdb(path, expected_per_class=PER_CLASS)


def test_missing_path(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_imdb(tmp_path / "nowhere.tar.gz")


def test_environment_variable_is_used(tmp_path, monkeypatch):
    path = _write_archive(tmp_path / "imdb.tar.gz", _reviews())
    monkeypatch.setenv(imdb.IMDB_ENV_VAR, str(path))
    assert len(load_imdb(expected_per_class=PER_CLASS).train_texts) == 6


def test_no_network_and_no_copy_says_how_to_pass_one(monkeypatch):
    monkeypatch.delenv(imdb.IMDB_ENV_VAR, raising=False)
    calls = []

    def offline(**kwargs):
        calls.append(kwargs)
        raise OSError("network unreachable")

    monkeypatch.setattr("keras.utils.get_file", offline)
    with pytest.raises(ValueError, match="--data PATH.*ATTENTION_TF_IMDB"):
        load_imdb()
    assert calls[0]["origin"] == imdb.IMDB_URL
    assert calls[0]["md5_hash"] == "7c2ac02c03563afcf9b574c7e56c153a"


def test_archive_is_read_without_extracting(tmp_path):
    path = _write_archive(tmp_path / "imdb.tar.gz", _reviews())
    load_imdb(path, expected_per_class=PER_CLASS)
    assert os.listdir(tmp_path) == ["imdb.tar.gz"]


def _with_urls(files):
    files = dict(files)
    # Review ids 0 and 1 share a movie; 2 has its own; one line has no id.
    files["aclImdb/train/urls_pos.txt"] = (
        "http://www.imdb.com/title/tt0000001/usercomments\n"
        "http://www.imdb.com/title/tt0000001/usercomments\n"
        "http://www.imdb.com/title/tt0000002/usercomments\n"
    )
    files["aclImdb/train/urls_neg.txt"] = (
        "http://www.imdb.com/title/tt0000003/usercomments\n"
        "not a url\n"
        "http://www.imdb.com/title/tt0000001/usercomments\n"
    )
    return files


@pytest.mark.parametrize("layout", ["archive", "folder"])
def test_train_movies_come_from_the_url_lists(tmp_path, layout):
    if layout == "archive":
        path = _write_archive(tmp_path / "imdb.tar.gz", _with_urls(_reviews()))
    else:
        path = _write_folder(tmp_path, _with_urls(_reviews()))
    data = load_imdb(path, expected_per_class=PER_CLASS)
    # Training order: neg ids 0-2, then pos ids 0-2.
    assert data.train_movies == [
        "tt0000003",
        "neg:1",
        "tt0000001",
        "tt0000001",
        "tt0000001",
        "tt0000002",
    ]


def test_without_both_url_lists_there_are_no_movies(imdb_path):
    assert (
        load_imdb(imdb_path, expected_per_class=PER_CLASS).train_movies is None
    )


def test_short_url_list_names_file_and_review(tmp_path):
    files = _with_urls(_reviews())
    files["aclImdb/train/urls_pos.txt"] = "http://www.imdb.com/title/tt1/\n"
    path = _write_archive(tmp_path / "imdb.tar.gz", files)
    with pytest.raises(ValueError, match="urls_pos.txt has 1 lines.*id 1"):
        load_imdb(path, expected_per_class=PER_CLASS)
