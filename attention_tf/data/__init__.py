"""Loading and preparing texts: IMDB, the user's files, ids and batches.

The loaders need only Python; `TextStandardizer` (TensorFlow string ops)
is imported on first use.
"""

from attention_tf.data.imdb import IMDB_ENV_VAR, load_imdb
from attention_tf.data.labelled_files import load_labelled_texts
from attention_tf.optional import lazy_names

__getattr__, _tensorflow_names = lazy_names(
    __name__,
    {"TextStandardizer": "attention_tf.data.text_standardizer"},
)

__all__ = [
    "IMDB_ENV_VAR",
    "load_imdb",
    "load_labelled_texts",
    *_tensorflow_names,
]
