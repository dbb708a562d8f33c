"""`attention-tf classify`: a trained classifier's labels for texts or files.

Texts on the command line are printed one per line; `--input` classifies a
whole corpus into an output folder (`attention_tf.bulk.classify_files`).
"""

import keras
import tensorflow as tf

from attention_tf.bulk.batch_classifier import top_words
from attention_tf.bulk.classify_files import classify_files
from attention_tf.bulk.classify_job import RUNNERS, ClassifyJob
from attention_tf.bulk.shard_files import SHARD_FORMATS
from attention_tf.layers.attention_heads import head_mean
from attention_tf.models.document_classifier import EndToEndClassifier

_FILE_FLAGS = (
    "text_column",
    "id_column",
    "encoding",
    "format",
    "batch_size",
    "runner",
    "workers",
    "cpus_per_worker",
    "address",
)


def register(subparsers):
    """Adds the `classify` subcommand."""
    _register_classify(subparsers)


def _register_classify(subparsers):
    classify = subparsers.add_parser(
        "classify",
        help="Classify texts, or a whole corpus of files, with a trained "
        "model.",
        description="Classify the texts given, or every row of --input into "
        "--output: prediction parts (part-NNNNN.jsonl), errors.jsonl (rows "
        "that could not be classified, with their line and why) and "
        "summary.json. Killed, the same command resumes; finished, it "
        "leaves the output as it is.",
    )
    classify.add_argument(
        "--model",
        required=True,
        help="A training output folder, or its model.keras.",
    )
    classify.add_argument(
        "--top",
        type=int,
        help="Attended words to show (default: 5 for texts given, none in "
        "a corpus's predictions).",
    )
    classify.add_argument(
        "texts", nargs="*", help="Texts to classify (or use --input)."
    )
    _add_file_arguments(classify.add_argument_group("a corpus of files"))
    classify.set_defaults(func=classify_command)


def _add_file_arguments(group):
    defaults = ClassifyJob("", "")
    group.add_argument(
        "--input",
        help="A .csv, .tsv, .jsonl, .txt (one text a line) or .parquet "
        "file, or a folder of .txt files (one text each).",
    )
    group.add_argument("--output", help="The output folder.")
    group.add_argument(
        "--text-column",
        default=defaults.text_column,
        help="CSV/TSV column or JSON key holding the texts (default: "
        "%(default)s).",
    )
    group.add_argument(
        "--id-column",
        help="Column holding each row's id (default: the row's record "
        "number, from 0).",
    )
    group.add_argument(
        "--encoding",
        default=defaults.encoding,
        help="The input's text encoding, such as latin-1 (default: "
        "%(default)s).",
    )
    group.add_argument(
        "--format",
        choices=SHARD_FORMATS,
        default=defaults.format,
        help="Prediction parts' format (default: %(default)s; parquet needs "
        "pyarrow).",
    )
    group.add_argument(
        "--batch-size",
        type=int,
        default=defaults.batch_size,
        help="Texts per batch of the longest texts; shorter ones batch more "
        "(default: %(default)s).",
    )
    group.add_argument(
        "--runner",
        choices=RUNNERS,
        default=defaults.runner,
        help="local (default): this process; ray: a Ray Data pipeline.",
    )
    group.add_argument(
        "--workers",
        type=int,
        default=defaults.workers,
        help="Ray actors, each loading the model once (default: %(default)s).",
    )
    group.add_argument(
        "--cpus-per-worker",
        type=int,
        default=defaults.cpus_per_worker,
        help="CPUs (TensorFlow threads) per Ray actor (default: %(default)s).",
    )
    group.add_argument(
        "--address",
        help="A running Ray cluster (such as auto, or HEAD_IP:6379); "
        "default: a local Ray started for the job.",
    )


def classify_command(args):
    """Classifies the texts given, or the corpus of `--input`."""
    if bool(args.texts) == bool(args.input):
        raise ValueError(
            "classify takes texts, or --input (and --output): "
            + ("not both." if args.texts else "give one.")
        )
    if args.input is None:
        return _print_texts(args)
    if args.output is None:
        raise ValueError("--input needs --output: the folder to write to.")
    summary = classify_files(
        args.model,
        args.input,
        args.output,
        top=0 if args.top is None else args.top,
        **{name: getattr(args, name) for name in _FILE_FLAGS},
    )
    print(
        f"{summary['predictions']:,} predictions and {summary['errors']:,} "
        f"errors in {args.output} ({summary['rows_per_second']:,.0f} rows/s)."
    )
    return 0


def _print_texts(args):
    """Prints label, probability and top attended words for each text."""
    model = EndToEndClassifier.load(args.model)
    vocabulary = model.vectorizer.get_vocabulary()
    probabilities, ids, weights = (
        keras.ops.convert_to_numpy(output)
        for output in model(
            tf.constant(args.texts),
            return_attention_scores=True,
        )[:3]
    )
    # Several heads: a word's weight is its mean over them.
    weights = head_mean(ids, weights)[0]
    count = 5 if args.top is None else args.top
    for text, p, row_ids, row_weights in zip(
        args.texts, probabilities, ids, weights
    ):
        top = top_words(vocabulary, row_ids, row_weights, count)
        label = int(p.argmax())
        print(
            f"{model.class_names[label]}\t{p[label]:.4f}\t"
            + (
                ", ".join(f"{w['word']} ({w['weight']:.2f})" for w in top)
                or "(no known words)"
            )
            + f"\t{text[:60]!r}"
        )
    return 0
