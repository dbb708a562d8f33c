"""Raw strings to the token ids a document classifier reads."""

import keras
import tensorflow as tf

from attention_tf.preprocessing.sentences import split_into_sentences
from attention_tf.preprocessing.tensorflow_string_layer import (
    TensorFlowStringLayer,
)
from attention_tf.preprocessing.vectorization import (
    adapt_vectorizer,
    texts_to_token_ids,
)


@keras.saving.register_keras_serializable(package="attention_tf")
class DocumentClassifierPreprocessor(TensorFlowStringLayer):
    """Turns raw strings into the ids a document classifier reads.

    The same preprocessor prepares the training batches and runs inside the
    saved `EndToEndClassifier`, so training and serving cannot differ:

    1. `standardizer` cleans the raw strings (`TextStandardizer`).
    2. `vectorizer` (an adapted `TextVectorization`) maps words to ids.
    3. Only the first `max_length` ids are kept (`token_ids`).
    4. Flat classifiers get the ids `[batch, time]`, at least one (padding)
       step long; hierarchical ones (`max_words` set) get them split into
       sentences `[batch, sentences, words]` (`model_input`).

    Steps 1-3 run once per text before training (to bucket texts by
    length); step 4 runs in the training pipeline on each batch.

    Args:
        standardizer: A `TextStandardizer` layer.
        vectorizer: An adapted `keras.layers.TextVectorization` whose
            token id 0 is padding.
        max_length: Token cap per text, or `None`.
        max_sentences: Sentence cap for hierarchical classifiers.
        max_words: Words per sentence for hierarchical classifiers; set it
            (and `sentence_boundary_ids`) to split texts into sentences.
        sentence_boundary_ids: Token ids that end a sentence.
        **kwargs: Base `keras.layers.Layer` arguments.

    Call arguments:
        texts: String tensor `[batch]`.

    Returns:
        Int tensor `[batch, time]`, or `[batch, sentences, words]` with
        `max_words` set. Padding is 0.

    Example:

    >>> preprocessor = DocumentClassifierPreprocessor.from_texts(
    ...     ["A fine film. Loved it!", "Dull."], max_tokens=20, max_length=8
    ... )
    >>> tuple(preprocessor(tf.constant(["fine film!", ""])).shape)
    (2, 3)
    """

    def __init__(
        self,
        standardizer,
        vectorizer,
        max_length=None,
        max_sentences=None,
        max_words=None,
        sentence_boundary_ids=(),
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.standardizer = standardizer
        self.vectorizer = vectorizer
        self.max_length = max_length
        self.max_sentences = max_sentences
        self.max_words = max_words
        self.sentence_boundary_ids = [int(i) for i in sentence_boundary_ids]

    @classmethod
    def from_texts(
        cls, texts, max_tokens, max_length, max_sentences=None, max_words=None
    ):
        """Adapts the vocabulary on `texts` (training texts only).

        With `max_words`, runs of `.`, `!` and `?` in the vocabulary end
        sentences.
        """
        standardizer, vectorizer = adapt_vectorizer(texts, max_tokens)
        boundary_ids = ()
        if max_words is not None:
            boundary_ids = [
                i
                for i, word in enumerate(vectorizer.get_vocabulary())
                if word and set(word) <= set(".!?")
            ]
        return cls(
            standardizer,
            vectorizer,
            max_length=max_length,
            max_sentences=max_sentences,
            max_words=max_words,
            sentence_boundary_ids=boundary_ids,
            name="preprocessor",
        )

    @property
    def hierarchical(self):
        return self.max_words is not None

    def token_ids(self, texts):
        """Steps 1-3: right-padded ids `[batch, time]` of a string tensor."""
        ids = self.vectorizer(self.standardizer(texts))
        if self.max_length is not None:
            ids = ids[:, : self.max_length]
        return ids

    def token_id_lists(self, texts):
        """Steps 1-3 on a list of strings, as NumPy, for bucketing.

        Returns:
            A list of 1-D `int32` arrays without padding (at most
            `max_length` long), and the untruncated lengths.
        """
        return texts_to_token_ids(
            texts, self.standardizer, self.vectorizer, self.max_length
        )

    def model_input(self, token_ids, sentence_multiple=1):
        """Step 4: right-padded ids to the classifier's input.

        Args:
            token_ids: Int tensor `[batch, time]`.
            sentence_multiple: Pads the sentence axis to a multiple of this,
                so that training batches come in few shapes.
        """
        if self.hierarchical:
            return split_into_sentences(
                token_ids,
                self.sentence_boundary_ids,
                self.max_sentences,
                self.max_words,
                sentence_multiple=sentence_multiple,
            )
        # One padding step for empty texts, so the LSTM has a step to run.
        width = tf.shape(token_ids)[1]
        return tf.pad(token_ids, [[0, 0], [0, tf.maximum(1 - width, 0)]])

    def call(self, texts):
        return self.model_input(self.token_ids(texts))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "standardizer": keras.saving.serialize_keras_object(
                    self.standardizer
                ),
                "vectorizer": keras.saving.serialize_keras_object(
                    self.vectorizer
                ),
                "max_length": self.max_length,
                "max_sentences": self.max_sentences,
                "max_words": self.max_words,
                "sentence_boundary_ids": self.sentence_boundary_ids,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("standardizer", "vectorizer"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)
