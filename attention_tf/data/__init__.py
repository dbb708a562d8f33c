"""Loading and preparing texts: IMDB, the user's files, ids and batches."""

from attention_tf.data.imdb import IMDB_ENV_VAR, load_imdb
from attention_tf.data.labelled_files import load_labelled_texts
from attention_tf.data.text_standardizer import TextStandardizer

__all__ = [
    "IMDB_ENV_VAR",
    "TextStandardizer",
    "load_imdb",
    "load_labelled_texts",
]
