"""The IMDB Large Movie Review Dataset (Maas et al. 2011), from raw text.

The loader reads the original layout, `aclImdb/{train,test}/{pos,neg}/
<id>_<rating>.txt` (and `train/unsup/` for the 50,000 unlabelled reviews),
either from the `.tar.gz` archive in one streaming pass, without extracting
it, or from an extracted folder. It checks the structure (12,500 reviews per
split and class) rather than a checksum, so rebuilt copies of the archive
load too.
"""

import collections
import os
import re
import tarfile

IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
IMDB_MD5 = "7c2ac02c03563afcf9b574c7e56c153a"
IMDB_ENV_VAR = "ATTENTION_TF_IMDB"
IMDB_CLASS_NAMES = ("neg", "pos")
REVIEWS_PER_SPLIT_AND_CLASS = 12_500

# `aclImdb/<split>/<folder>/<id>_<rating>.txt`, with any leading folders.
_REVIEW_PATH = re.compile(
    r"(?:^|/)aclImdb/(train|test)/(pos|neg|unsup)/(\d+)_(\d+)\.txt$"
)
# `aclImdb/train/urls_<class>.txt`: line i is the movie of review id i.
_URLS_PATH = re.compile(r"(?:^|/)aclImdb/train/urls_(pos|neg)\.txt$")
_MOVIE_ID = re.compile(r"/title/(tt\d+)")

ImdbData = collections.namedtuple(
    "ImdbData",
    [
        "train_texts",
        "train_labels",
        "test_texts",
        "test_labels",
        "unlabelled_texts",
        "train_movies",
    ],
)
ImdbData.__doc__ = """IMDB reviews: lists of strings and of 0 (neg) / 1 (pos).

Reviews are sorted by split, class and id, so a load is repeatable.
`unlabelled_texts` is empty unless asked for. `train_movies` names the
movie of each training review (an IMDb title id such as "tt0453418", from
the archive's `train/urls_*.txt`), or is `None` when those lists are
missing: the published split keeps every movie's reviews on one side, and
a validation split can do the same.
"""


def load_imdb(path=None, include_unlabelled=False, expected_per_class=None):
    """Loads the labelled IMDB reviews (and optionally the unlabelled ones).

    Args:
        path: A `.tar.gz` archive or an extracted folder (holding `aclImdb/`
            or being it). `None` looks it up: the `ATTENTION_TF_IMDB`
            environment variable, then the Keras cache, then a download.
        include_unlabelled: Also return the 50,000 `train/unsup` reviews.
        expected_per_class: Reviews expected in each of train/pos,
            train/neg, test/pos and test/neg. Defaults to 12,500; tests
            pass the size of their fixture.

    Returns:
        An `ImdbData` tuple.

    Raises:
        ValueError: if the path does not exist, or the data does not have
            the expected structure.
    """
    if expected_per_class is None:
        expected_per_class = REVIEWS_PER_SPLIT_AND_CLASS
    path = resolve_imdb_path(path)
    if os.path.isdir(path):
        reviews, urls = _read_folder(path, include_unlabelled)
    else:
        reviews, urls = _read_archive(path, include_unlabelled)
    _check_structure(reviews, expected_per_class, path, include_unlabelled)
    data = {}
    for split in ("train", "test"):
        texts, labels = [], []
        for label, folder in enumerate(IMDB_CLASS_NAMES):
            for _, text in sorted(reviews[(split, folder)]):
                texts.append(text)
                labels.append(label)
        data[split] = texts, labels
    unlabelled = [text for _, text in sorted(reviews[("train", "unsup")])]
    movies = _train_movies(reviews, urls, path)
    return ImdbData(*data["train"], *data["test"], unlabelled, movies)


def resolve_imdb_path(path=None):
    """Finds the IMDB data: `path`, the environment variable, or a download.

    Raises:
        ValueError: if `path` (or the environment variable) names a missing
            file, or no copy can be found or downloaded.
    """
    if path is None:
        path = os.environ.get(IMDB_ENV_VAR) or None
        source = f"${IMDB_ENV_VAR}"
    else:
        source = "path"
    if path is not None:
        path = os.path.expanduser(os.fspath(path))
        if not os.path.exists(path):
            raise ValueError(
                f"No IMDB data at {source}={path!r}: the file or folder does "
                "not exist."
            )
        return path
    return _download()


def _download():
    import keras

    try:
        return keras.utils.get_file(
            fname="aclImdb_v1.tar.gz",
            origin=IMDB_URL,
            md5_hash=IMDB_MD5,
            cache_subdir="datasets",
        )
    except Exception as error:  # noqa: BLE001 - any failure means no copy.
        raise ValueError(
            "Could not find or download the IMDB dataset "
            f"({type(error).__name__}: {error}). Pass a local copy of "
            "aclImdb_v1.tar.gz (or its extracted folder) with "
            f"`--data PATH`, or set the {IMDB_ENV_VAR} environment variable "
            "to it."
        ) from error


def _new_reviews():
    splits = [(s, f) for s in ("train", "test") for f in IMDB_CLASS_NAMES]
    return {folder: [] for folder in splits + [("train", "unsup")]}


def _read_archive(path, include_unlabelled):
    reviews, urls = _new_reviews(), {}
    try:
        # "r|gz" reads the archive as a stream: one pass, no seeking.
        with tarfile.open(path, mode="r|gz") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                match = _URLS_PATH.search(member.name)
                if match:
                    data = archive.extractfile(member).read()
                    urls[match.group(1)] = _decode(data, member.name)
                    continue
                key = _review_key(member.name, include_unlabelled)
                if key is None:
                    continue
                data = archive.extractfile(member).read()
                reviews[key[:2]].append((key[2], _decode(data, member.name)))
    except (tarfile.TarError, OSError, EOFError) as error:
        raise ValueError(
            f"Cannot read the IMDB archive {path!r} as a .tar.gz file: {error}"
        ) from error
    return reviews, urls


def _read_folder(path, include_unlabelled):
    reviews = _new_reviews()
    root = path
    if os.path.isdir(os.path.join(path, "aclImdb")):
        root = os.path.join(path, "aclImdb")
    for folder in reviews:
        directory = os.path.join(root, *folder)
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            key = _review_key(
                "aclImdb/" + "/".join(folder) + "/" + name, include_unlabelled
            )
            if key is None:
                continue
            with open(os.path.join(directory, name), "rb") as file:
                data = file.read()
            reviews[folder].append((key[2], _decode(data, name)))
    urls = {}
    for folder in IMDB_CLASS_NAMES:
        name = os.path.join(root, "train", f"urls_{folder}.txt")
        if os.path.isfile(name):
            with open(name, "rb") as file:
                urls[folder] = _decode(file.read(), name)
    return reviews, urls


def _train_movies(reviews, urls, path):
    """The movie of each training review, in `load_imdb`'s order, or None."""
    if set(urls) != set(IMDB_CLASS_NAMES):
        return None
    movies = []
    for folder in IMDB_CLASS_NAMES:
        lines = urls[folder].splitlines()
        for review_id, _ in sorted(reviews[("train", folder)]):
            if review_id >= len(lines):
                raise ValueError(
                    f"{path!r}: aclImdb/train/urls_{folder}.txt has "
                    f"{len(lines)} lines, but there is a review with id "
                    f"{review_id}."
                )
            match = _MOVIE_ID.search(lines[review_id])
            # A line without a title id stands for a movie of its own.
            movies.append(match.group(1) if match else f"{folder}:{review_id}")
    return movies


def _review_key(name, include_unlabelled):
    match = _REVIEW_PATH.search(name)
    if match is None:
        return None
    split, folder, review_id, _ = match.groups()
    if folder == "unsup" and (split != "train" or not include_unlabelled):
        return None
    return split, folder, int(review_id)


def _decode(data, name):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"IMDB review {name!r} is not UTF-8: {error}"
        ) from None


def _check_structure(reviews, expected, path, include_unlabelled):
    counts = {
        "/".join(folder): len(items)
        for folder, items in reviews.items()
        if folder[1] != "unsup"
    }
    wrong = {name: n for name, n in counts.items() if n != expected}
    if wrong:
        raise ValueError(
            f"{path!r} does not look like the IMDB dataset: expected "
            f"{expected} reviews in each of train/pos, train/neg, test/pos "
            f"and test/neg (aclImdb/<split>/<class>/<id>_<rating>.txt). "
            f"Found: {counts}"
        )
    if include_unlabelled and not reviews[("train", "unsup")]:
        raise ValueError(
            f"{path!r} has no unlabelled reviews (aclImdb/train/unsup/)."
        )
