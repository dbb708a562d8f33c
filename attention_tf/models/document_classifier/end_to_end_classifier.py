"""Raw strings in, probabilities (and attention) out: the saved model."""

import os
import zipfile

import keras
import numpy as np
import tensorflow as tf

# Imported for its registration: older files name it only in a config.
from attention_tf.models.document_classifier import (  # noqa: F401
    document_classifier_preprocessor,
)


@keras.saving.register_keras_serializable(package="attention_tf")
class EndToEndClassifier(keras.Model):
    """A document classifier with its preprocessing: raw strings in.

    1. `preprocessor` (a `DocumentClassifierPreprocessor`, the one the
       classifier was trained with) turns the strings into token ids.
    2. `classifier` returns the probabilities and attention weights.

    An empty text becomes one padding step: its weights are all zero and
    its probabilities come from the output bias, never NaN.

    Every part is a registered Keras object, so the model saves to
    `.keras` and loads with `keras.saving.load_model(path,
    safe_mode=True)`, without `custom_objects` once `attention_tf` is
    imported. Files saved before the preprocessor existed (with the
    standardizer, vectorizer and caps in the model's own config) load too.

    Args:
        preprocessor: A `DocumentClassifierPreprocessor`.
        classifier: A `BiLSTMAttentionClassifier` or
            `HierarchicalAttentionClassifier`.
        class_names: The label of each output, in order.
        **kwargs: Base `keras.Model` arguments.

    Call arguments:
        texts: A batch of texts: a string tensor `[batch]`, a list of
            strings, or a NumPy string or object array. `predict` takes the
            same, and returns `[0, num_classes]` for an empty batch.
        return_attention_scores: Also return the attention weights.

    Returns:
        Probabilities `[batch, num_classes]`; with
        `return_attention_scores=True`, a tuple that adds the token ids fed
        to the classifier and its attention weights (word weights
        `[batch, time]`, or word and sentence weights for HAN).
    """

    def __init__(self, preprocessor, classifier, class_names, **kwargs):
        super().__init__(**kwargs)
        # Tracked first, as in files saved before the preprocessor existed:
        # their vocabulary loads from where those files keep it.
        self.standardizer = preprocessor.standardizer
        self.vectorizer = preprocessor.vectorizer
        self.preprocessor = preprocessor
        self.classifier = classifier
        self.class_names = list(class_names)

    def build(self, input_shape=None):
        # Builds the classifier's weights so that loading can restore them.
        rank = 3 if self.preprocessor.hierarchical else 2
        self.classifier(np.zeros((1,) * rank, "int64"))
        self.built = True

    def __call__(self, texts, *args, **kwargs):
        # Keras takes a Python list for several inputs; here it is a batch.
        texts = as_text_batch(texts)
        if keras.backend.backend() == "tensorflow":
            return super().__call__(texts, *args, **kwargs)
        # Other backends hold no strings: the preprocessing runs eagerly in
        # TensorFlow, the classifier on the backend's arrays.
        if not self.built:
            self.build()
        return self.call(texts, *args, **kwargs)

    def predict(self, x, *args, batch_size=32, **kwargs):
        if tf.is_tensor(x):
            x = x.numpy()
        if not isinstance(x, (str, bytes, list, tuple, np.ndarray)):
            return super().predict(x, *args, **kwargs)  # A dataset.
        texts = text_array(x)
        if not len(texts):
            # `predict` has no batch to run on, so no output to return.
            return np.zeros((0, len(self.class_names)), "float32")
        if keras.backend.backend() != "tensorflow":
            return np.concatenate(
                [
                    keras.ops.convert_to_numpy(self(texts[i : i + batch_size]))
                    for i in range(0, len(texts), batch_size)
                ]
            )
        # Keras' array adapter takes arrays of `str` objects only.
        return super().predict(texts, *args, batch_size=batch_size, **kwargs)

    def call(self, texts, return_attention_scores=False):
        # The recurrent layers fail on a batch of no texts: an empty text
        # appended (and dropped from the outputs) gives them a row to run.
        count = tf.shape(texts)[0]
        texts = tf.concat([texts, tf.constant([""])], axis=0)
        ids = self.preprocessor(texts)
        if keras.backend.backend() != "tensorflow":
            count, ids = int(count), keras.ops.convert_to_tensor(ids.numpy())
        if not return_attention_scores:
            return self.classifier(ids)[:count]
        outputs = self.classifier(ids, return_attention_scores=True)
        outputs = (outputs[0], ids) + tuple(outputs[1:])
        return tuple(output[:count] for output in outputs)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "preprocessor": keras.saving.serialize_keras_object(
                    self.preprocessor
                ),
                "classifier": keras.saving.serialize_keras_object(
                    self.classifier
                ),
                "class_names": self.class_names,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "preprocessor" not in config:
            config["preprocessor"] = _preprocessor_of_old_config(config)
        config["preprocessor"] = keras.saving.deserialize_keras_object(
            config["preprocessor"]
        )
        config["classifier"] = keras.saving.deserialize_keras_object(
            config["classifier"]
        )
        return cls(**config)

    @classmethod
    def load(cls, path):
        """The classifier of a training run folder, or of its model.keras.

        Raises:
            ValueError: No file there, a damaged file, or another kind of
                model (a translator's, say), in words a user can act on.
        """
        if os.path.isdir(path):
            path = os.path.join(path, "model.keras")
        if not os.path.isfile(path):
            raise ValueError(f"No saved model at {path!r}: train one first.")
        # A .keras file is a zip archive; a cut-off copy has lost its index.
        if not zipfile.is_zipfile(path):
            raise ValueError(
                f"{path!r} is not a readable .keras file (truncated or "
                f"corrupt, {os.path.getsize(path)} bytes): train again or "
                "copy it again."
            )
        model = keras.saving.load_model(path, safe_mode=True)
        if not isinstance(model, cls):
            raise ValueError(
                f"{path!r} holds a {type(model).__name__}, not a document "
                "classifier: pass the output of `attention-tf "
                "train-doc-classifier`."
            )
        return model


def _preprocessor_of_old_config(config):
    """The preprocessor config that an older file's model config implies."""
    settings = {
        key: config.pop(key, None)
        for key in (
            "standardizer",
            "vectorizer",
            "max_length",
            "max_sentences",
            "max_words",
            "sentence_boundary_ids",
        )
    }
    settings["sentence_boundary_ids"] = settings["sentence_boundary_ids"] or []
    return {
        "module": None,
        "class_name": "attention_tf>DocumentClassifierPreprocessor",
        "config": {"name": "preprocessor", **settings},
        "registered_name": "attention_tf>DocumentClassifierPreprocessor",
    }


def as_text_batch(texts):
    """A `[batch]` string tensor from a list, NumPy array or tensor of texts.

    Raises:
        ValueError: for a single string, a batch that is not
            one-dimensional, or an element that is not a string.
        TypeError: for a tensor that does not hold strings. (SavedModel
            writing traces Keras' default signature with a float input and
            tolerates only this error.)
    """
    if isinstance(texts, keras.KerasTensor) or tf.is_tensor(texts):
        if texts.dtype != tf.string:
            raise TypeError(
                f"Expected a string tensor of texts. Received dtype "
                f"{texts.dtype}"
            )
        return texts
    texts = text_array(texts)
    # An empty list alone would make a float tensor.
    return tf.constant(texts.tolist() if len(texts) else [], tf.string)


def text_array(texts):
    """A 1-D NumPy object array of `str` from a batch of texts.

    Bytes are decoded as UTF-8, as TensorFlow's string ops read them.
    """
    if isinstance(texts, (str, bytes)):
        raise ValueError(
            "Expected a batch of texts (a list or 1-D array of strings). "
            f"Received a single string: {texts[:40]!r}; wrap it in a list."
        )
    array = np.asarray(texts, dtype=object)
    if array.ndim != 1:
        raise ValueError(
            f"Expected a 1-D batch of texts. Received shape {array.shape}"
        )
    for index, text in enumerate(array):
        if isinstance(text, bytes):
            array[index] = text.decode("utf-8", errors="replace")
        elif not isinstance(text, str):
            raise ValueError(
                f"Expected every text to be a string. Text {index} is "
                f"{type(text).__name__}: {text!r}"
            )
    return array
