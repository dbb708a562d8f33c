"""`attention-tf export`: a trained classifier as a TensorFlow SavedModel.

The SavedModel's `serving_default` signature takes a `[batch]` string tensor
`texts` and returns `probabilities` `[batch, num_classes]`, the `token_ids`
the classifier saw and the word `attention` weights over them (and
`sentence_attention` for a hierarchical model), and `class_names` `[batch,
num_classes]`: the label of each probability column, on every row. It needs only TensorFlow to
serve: `tf.saved_model.load(path).signatures["serving_default"]`.
SavedModel export is TensorFlow-only by nature (the string preprocessing
runs in TensorFlow's graph), whatever the Keras backend used for training.
"""

import os
import shutil
import tempfile

import keras
import tensorflow as tf

from attention_tf.models import EndToEndClassifier
from attention_tf.training.doc_classifier import load_classifier


def register(subparsers):
    """Adds the `export` subcommand."""
    export = subparsers.add_parser(
        "export",
        help="Export a trained classifier as a TensorFlow SavedModel.",
        description=__doc__.split("\n\n")[1],
    )
    export.add_argument(
        "--model",
        required=True,
        help="A training output folder, or its model.keras.",
    )
    export.add_argument(
        "--out", required=True, help="Folder for the SavedModel."
    )
    export.set_defaults(func=_export_command)


def export_classifier(model, out):
    """Writes `model` (an `EndToEndClassifier`) as a SavedModel in `out`.

    The folder appears whole or not at all: the SavedModel is written next
    to it and renamed into place.
    """
    if not isinstance(model, EndToEndClassifier):
        raise ValueError(
            "`export` takes an end-to-end document classifier (model.keras "
            "from `attention-tf train-doc-classifier`). Received: "
            f"{type(model).__name__}"
        )
    out = os.path.abspath(out)
    if os.path.exists(out):
        raise ValueError(f"The export folder already exists: {out}")

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
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".export-", dir=parent)
    try:
        archive.write_out(staging, verbose=False)
        os.replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def _export_command(args):
    out = export_classifier(load_classifier(args.model), args.out)
    print(f"SavedModel written to {out} (signature: serving_default)")
    return 0
