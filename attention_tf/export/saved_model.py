"""A trained classifier as a TensorFlow SavedModel: raw strings in.

The SavedModel's `serving_default` signature takes a `[batch]` string
tensor `texts` and returns `probabilities` `[batch, num_classes]`, the
`token_ids` the classifier saw and the word `attention` weights over them
(and `sentence_attention` for a hierarchical model), and `class_names`
`[batch, num_classes]`: the label of each probability column, on every row.
It needs only TensorFlow to serve:
`tf.saved_model.load(path).signatures["serving_default"]`. SavedModel
export is TensorFlow-only by nature (the string preprocessing runs in
TensorFlow's graph), whatever the Keras backend used for training.
"""

import inspect

import keras
import tensorflow as tf

from attention_tf.models.document_classifier import EndToEndClassifier
from attention_tf.utils.atomic_files import write_folder_atomically


def export_classifier(model, out):
    """Writes `model` (an `EndToEndClassifier`) as a SavedModel in `out`.

    The folder appears whole or not at all: the SavedModel is written next
    to it and renamed into place.
    """
    check_exportable(model)

    def serve(texts):
        probabilities, token_ids, *weights = model(
            texts, return_attention_scores=True
        )
        outputs = {
            "probabilities": probabilities,
            "token_ids": token_ids,
            "attention": weights[0],
        }
        if len(weights) > 1:
            outputs["sentence_attention"] = weights[1]
        # One row per text, as serving outputs are batched (the layout of
        # TensorFlow's classification signature's `classes`).
        names = tf.constant(model.class_names)[tf.newaxis]
        outputs["class_names"] = tf.tile(names, [tf.shape(texts)[0], 1])
        return outputs

    if not model.built:
        model.build()
    archive = keras.export.ExportArchive()
    archive.track(model)
    # The vocabulary's hash table is a TensorFlow resource, not a Keras
    # variable, and a reloaded model does not track it: add it by hand.
    for layer in model._flatten_layers():
        if getattr(layer, "lookup_table", None) is not None:
            archive.track(layer.lookup_table)
    archive.add_endpoint(
        "serve",
        serve,
        input_signature=[tf.TensorSpec([None], tf.string, name="texts")],
    )
    # `verbose` (silence the endpoint summary) arrived after Keras 3.5.
    quiet = "verbose" in inspect.signature(archive.write_out).parameters
    options = {"verbose": False} if quiet else {}
    return write_folder_atomically(
        out, lambda staging: archive.write_out(staging, **options)
    )


def check_exportable(model):
    if not isinstance(model, EndToEndClassifier):
        raise ValueError(
            "`export` takes an end-to-end document classifier (model.keras "
            "from `attention-tf train-doc-classifier`). Received: "
            f"{type(model).__name__}"
        )
