"""Raw strings in, probabilities (and attention) out: the saved model."""

import keras
import tensorflow as tf

# Imported for its registration: older files name it only in a config.
from attention_tf.models import document_classifier_preprocessor  # noqa: F401


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
        texts: String tensor `[batch]`.
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
        self.classifier(tf.zeros((1,) * rank, "int64"))
        self.built = True

    def call(self, texts, return_attention_scores=False):
        ids = self.preprocessor(texts)
        if not return_attention_scores:
            return self.classifier(ids)
        outputs = self.classifier(ids, return_attention_scores=True)
        return (outputs[0], ids) + tuple(outputs[1:])

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
