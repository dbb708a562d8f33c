"""TensorFlow string layers and tokenizers: text in, token ids out.

`TextStandardizer` (lower-case, split punctuation), the vectorizer helpers
and the sentence splitter run TensorFlow string ops, so they live inside
saved end-to-end models and run the same in training and serving.
`SentencePieceTokenizer` is the translator's subword tokenizer (the
`translate` extra). Everything here is imported on first use.
"""

from attention_tf.utils.optional import lazy_names

__getattr__, _tensorflow_names = lazy_names(
    __name__,
    {"TextStandardizer": "attention_tf.preprocessing.text_standardizer"},
)

__all__ = [*_tensorflow_names]
