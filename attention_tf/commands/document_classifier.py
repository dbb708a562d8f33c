"""`attention-tf train-doc-classifier`: parse the recipe, then train."""

import argparse
import dataclasses
import os

from attention_tf.training.document_classifier import trainer
from attention_tf.training.document_classifier.config import (
    ARCHITECTURES,
    PRESETS,
    DocumentClassifierConfig,
)
from attention_tf.training.runtime import add_runtime_arguments


def register(subparsers):
    """Adds the `train-doc-classifier` subcommand."""
    train = subparsers.add_parser(
        "train-doc-classifier",
        help="Train the attention document classifier (IMDB by default).",
        description=trainer.__doc__.split("\n\n")[1],
    )
    _add_run_arguments(train)
    _add_training_arguments(train)
    _add_adversarial_arguments(train)
    _add_user_data_arguments(train)
    add_runtime_arguments(train)
    add_attention_arguments(train)
    train.set_defaults(func=train_command)


def _add_run_arguments(train):
    """Where the data comes from, where the run goes, which recipe."""
    train.add_argument(
        "--data",
        help="IMDB .tar.gz or extracted folder, or your own data: a .csv, "
        ".tsv or .jsonl file, or one folder per class. Default: "
        "$ATTENTION_TF_IMDB, the Keras cache, or a download of IMDB.",
    )
    train.add_argument("--out", default=os.path.join("runs", "doc-classifier"))
    train.add_argument(
        "--quick",
        action="store_true",
        help="A small subset and model: a two-minute smoke run (the same "
        "as --preset quick).",
    )
    train.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        help="The recipe to start from (default: full); vat adds virtual "
        "adversarial training on the unlabelled reviews.",
    )
    train.add_argument("--architecture", choices=ARCHITECTURES)
    train.add_argument("--seed", type=int)


def _add_training_arguments(train):
    """Recipe settings that override the preset."""
    train.add_argument("--epochs", type=int, help="Maximum epochs.")
    train.add_argument(
        "--patience",
        type=int,
        help="Epochs without validation gain before stopping.",
    )
    train.add_argument(
        "--batch-size",
        type=int,
        help="Texts per batch (the least, with --batch-tokens).",
    )
    train.add_argument(
        "--batch-tokens",
        type=int,
        help="Fill batches of short texts up to this many padded tokens.",
    )
    train.add_argument("--max-tokens", type=int, help="Vocabulary size.")
    train.add_argument("--max-length", type=int, help="Token cap per text.")
    train.add_argument("--learning-rate", type=float)
    train.add_argument(
        "--word-vector-epochs",
        type=int,
        help="word2vec epochs over the training (and, for IMDB, unlabelled) "
        "text to start the embeddings from; 0 starts them at random.",
    )
    train.add_argument(
        "--freeze-embeddings",
        action=argparse.BooleanOptionalAction,
        help="Keep the word2vec embeddings fixed (--no-freeze-embeddings "
        "fine-tunes them).",
    )


def _add_adversarial_arguments(train):
    """(Virtual) adversarial training on the word vectors."""
    train.add_argument(
        "--vat-weight",
        type=float,
        help="Weight of the virtual adversarial loss on unlabelled batches "
        "(Miyato et al. 2017); 0 turns it off.",
    )
    train.add_argument(
        "--adversarial-weight",
        type=float,
        help="Weight of the adversarial loss on labelled batches; 0 turns "
        "it off.",
    )
    train.add_argument(
        "--perturbation-norm",
        type=float,
        help="Norm of each text's (virtual) adversarial perturbation.",
    )
    train.add_argument(
        "--normalize-embeddings",
        action=argparse.BooleanOptionalAction,
        help="Normalise the embeddings by word-frequency weighted mean and "
        "variance, as adversarial training needs.",
    )


def _add_user_data_arguments(train):
    """How to read the user's own labelled data."""
    train.add_argument("--text-column")
    train.add_argument("--label-column")
    train.add_argument(
        "--skip-bad-rows",
        action="store_true",
        default=None,
        help="Skip malformed rows of your own data (and count them) "
        "instead of stopping.",
    )
    train.add_argument(
        "--encoding",
        help="Text encoding of your own data files (default: utf-8; such "
        "as latin-1).",
    )
    train.add_argument(
        "--test-share",
        type=float,
        help="Share of your own data held out for the test set.",
    )


def add_attention_arguments(parser):
    """The attention layers' flags (`None` keeps the preset's value)."""
    parser.add_argument(
        "--attention-heads",
        type=int,
        help="Attention heads (context vectors) per attention layer; "
        "default 1.",
    )
    parser.add_argument(
        "--attention-dropout",
        type=float,
        help="Dropout rate on the attention weights; default 0.",
    )
    parser.add_argument(
        "--diversity-penalty",
        type=float,
        help="Weight of the penalty that pushes several heads to attend to "
        "different words (Lin et al. 2017); default 0.",
    )


def config_from_args(args):
    """The preset `--preset` (or `--quick`) picks, with every flag given.

    Flags left out are `None` and keep the preset's value; the config
    checks the result.
    """
    if args.quick and args.preset not in (None, "quick"):
        raise ValueError(
            f"--quick is --preset quick; --preset {args.preset} asks for "
            "another. Pass one of them."
        )
    overrides = {
        field.name: getattr(args, field.name)
        for field in dataclasses.fields(DocumentClassifierConfig)
        if getattr(args, field.name, None) is not None
    }
    preset = PRESETS["quick" if args.quick else args.preset or "full"]
    return dataclasses.replace(preset, **overrides)


def train_command(args):
    """Trains from parsed arguments; returns the exit status."""
    return trainer.train_doc_classifier(config_from_args(args))
