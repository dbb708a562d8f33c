"""`attention-tf export`: a trained classifier as a SavedModel or ONNX graph.

`--format savedmodel` (the default): the SavedModel's `serving_default` signature takes a `[batch]` string tensor
`texts` and returns `probabilities` `[batch, num_classes]`, the `token_ids`
the classifier saw and the word `attention` weights over them (and
`sentence_attention` for a hierarchical model), and `class_names` `[batch,
num_classes]`: the label of each probability column, on every row. It needs only TensorFlow to
serve: `tf.saved_model.load(path).signatures["serving_default"]`.
SavedModel export is TensorFlow-only by nature (the string preprocessing
runs in TensorFlow's graph), whatever the Keras backend used for training.

`--format onnx`: `model.onnx` (input `token_ids` int64 `[batch, time]`,
right-padded with 0; outputs `probabilities` and `attention` `[batch,
time]`), with `vocabulary.txt` (line i is token id i) and
`preprocessing.json` (the standardisation, split, cap and padding rules),
so that a client in any language tokenises as the model did. See
`attention_tf.onnx_classifier`.
"""

import inspect
import json
import os
import shutil
import tempfile

import keras
import tensorflow as tf

from attention_tf.models import EndToEndClassifier
from attention_tf.models.text_standardizer import REPLACEMENTS
from attention_tf.optional import import_optional
from attention_tf.training.doc_classifier import load_classifier

FORMATS = ("savedmodel", "onnx")


def register(subparsers):
    """Adds the `export` subcommand."""
    export = subparsers.add_parser(
        "export",
        help="Export a trained classifier as a SavedModel or ONNX graph.",
        description=__doc__.split("\n\n")[1]
        + "\n\n"
        + __doc__.split("\n\n")[2],
    )
    export.add_argument(
        "--model",
        required=True,
        help="A training output folder, or its model.keras.",
    )
    export.add_argument(
        "--out", required=True, help="Folder to write (must not exist)."
    )
    export.add_argument(
        "--format",
        choices=FORMATS,
        default="savedmodel",
        help="savedmodel (TensorFlow serving, raw strings in) or onnx "
        "(token ids in, any ONNX runtime). Default: savedmodel.",
    )
    export.set_defaults(func=_export_command)


def export_classifier(model, out):
    """Writes `model` (an `EndToEndClassifier`) as a SavedModel in `out`.

    The folder appears whole or not at all: the SavedModel is written next
    to it and renamed into place.
    """
    _check_exportable(model)

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
    return _write_folder(
        out, lambda staging: archive.write_out(staging, **options)
    )


def export_onnx(model, out):
    """Writes `model` (an `EndToEndClassifier`) as ONNX in the folder `out`.

    1. `model.onnx`: the classifier, from token ids (see
       `attention_tf.onnx_classifier`).
    2. `vocabulary.txt`: one token a line; line i is token id i.
    3. `preprocessing.json`: how raw text becomes `token_ids`.

    The folder appears whole or not at all.
    """
    _check_exportable(model)
    onnx_classifier = import_optional(
        "attention_tf.onnx_classifier", "`export --format onnx`", "onnx"
    )
    preprocessor = model.preprocessor
    sentences = None
    if preprocessor.hierarchical:
        sentences = (
            preprocessor.sentence_boundary_ids,
            preprocessor.max_sentences,
            preprocessor.max_words,
        )
    graph = onnx_classifier.classifier_to_onnx(
        model.classifier,
        max_length=preprocessor.max_length,
        sentences=sentences,
    )
    vocabulary = preprocessor.vectorizer.get_vocabulary()

    def write(folder):
        with open(os.path.join(folder, "model.onnx"), "wb") as file:
            file.write(graph.SerializeToString())
        with open(os.path.join(folder, "vocabulary.txt"), "w") as file:
            file.write("".join(f"{token}\n" for token in vocabulary))
        with open(os.path.join(folder, "preprocessing.json"), "w") as file:
            json.dump(preprocessing_rules(model), file, indent=2)

    return _write_folder(out, write)


def preprocessing_rules(model):
    """The text-to-ids rules of `model`, as a JSON-ready dict."""
    preprocessor = model.preprocessor
    rules = {
        "input": "token_ids: int64 [batch, time], right-padded with 0, "
        "time >= 1",
        "standardize": [
            "lower-case (Unicode)",
            *(
                f"replace RE2 /{pattern}/ with {replacement!r}"
                for pattern, replacement in REPLACEMENTS
            ),
            "strip spaces at both ends",
        ],
        "replacements": [list(pair) for pair in REPLACEMENTS],
        "split": "on single spaces (after standardising)",
        "vocabulary": "vocabulary.txt (line i is token id i)",
        "padding_id": 0,
        "out_of_vocabulary_id": 1,
        "max_length": preprocessor.max_length,
        "class_names": model.class_names,
        "outputs": {
            "probabilities": "[batch, classes], in class_names order",
            "attention": "[batch, time]: the weight of each token id "
            "(word weights for a hierarchical model; the mean over heads "
            "for a model with several); 0 at padding and beyond the caps",
        },
    }
    if preprocessor.hierarchical:
        rules["sentences"] = {
            "boundary_ids": preprocessor.sentence_boundary_ids,
            "max_sentences": preprocessor.max_sentences,
            "max_words": preprocessor.max_words,
            "rule": "a sentence ends after a boundary id; the graph splits "
            "the ids itself and drops sentences and words beyond the caps",
        }
    return rules


def _check_exportable(model):
    if not isinstance(model, EndToEndClassifier):
        raise ValueError(
            "`export` takes an end-to-end document classifier (model.keras "
            "from `attention-tf train-doc-classifier`). Received: "
            f"{type(model).__name__}"
        )


def _write_folder(out, write):
    """Runs `write(folder)` on a staging folder renamed to `out` at the end."""
    out = os.path.abspath(out)
    if os.path.exists(out):
        raise ValueError(f"The export folder already exists: {out}")
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".export-", dir=parent)
    try:
        write(staging)
        os.replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def _export_command(args):
    model = load_classifier(args.model)
    if args.format == "onnx":
        out = export_onnx(model, args.out)
        print(f"ONNX model written to {os.path.join(out, 'model.onnx')}")
        return 0
    out = export_classifier(model, args.out)
    print(f"SavedModel written to {out} (signature: serving_default)")
    return 0
