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
`attention_tf.export.onnx_classifier`.
"""

import os

from attention_tf.export.onnx_folder import export_onnx
from attention_tf.export.saved_model import export_classifier
from attention_tf.models.document_classifier import EndToEndClassifier

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


def _export_command(args):
    model = EndToEndClassifier.load(args.model)
    if args.format == "onnx":
        out = export_onnx(model, args.out)
        print(f"ONNX model written to {os.path.join(out, 'model.onnx')}")
        return 0
    out = export_classifier(model, args.out)
    print(f"SavedModel written to {out} (signature: serving_default)")
    return 0
