"""Loading and preparing texts: IMDB, the user's files, ids and batches.

The loaders need only Python. `TextStandardizer` lives in
`attention_tf.models` (it is part of every saved classifier); its name here
is kept for code that imported it from this package, and is imported on
first use (TensorFlow string ops).
"""

from attention_tf.data.imdb import IMDB_ENV_VAR, load_imdb
from attention_tf.data.labelled_files import load_labelled_texts
from attention_tf.utils.optional import lazy_names

__getattr__, _tensorflow_names = lazy_names(
    __name__,
    {"TextStandardizer": "attention_tf.preprocessing.text_standardizer"},
)

__all__ = [
    "IMDB_ENV_VAR",
    "load_imdb",
    "load_labelled_texts",
    *_tensorflow_names,
]
