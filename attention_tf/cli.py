"""The `attention-tf` command line: one subcommand per task.

Each task module registers its own subcommands with `register(subparsers)`,
setting `func` to the function that runs them.
"""

import argparse
import sys

from attention_tf.commands.startup import VERBOSE_ENV_VAR

# Task modules that register subcommands; each is imported only when the
# command line is parsed.
_TASK_MODULES = (
    "attention_tf.training.decoder",
    "attention_tf.commands.doc_classifier",
    "attention_tf.training.export",
    "attention_tf.explain.commands",
    "attention_tf.serving.commands",
)


def build_parser():
    import importlib

    parser = argparse.ArgumentParser(
        prog="attention-tf",
        description="Attention over variable-length sequences (Keras 3).",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help=f"Show the backend's start-up logs (also: {VERBOSE_ENV_VAR}=1).",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in _TASK_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv=None):
    """Runs one subcommand; bad input raises `ValueError`."""
    args = build_parser().parse_args(argv)
    return args.func(args)


def run(argv=None):
    """The console script: bad input prints one line, not a traceback.

    User and system errors (`ValueError`, `OSError`: a missing file, a
    read-only folder) exit with status 2; anything else is a bug in this
    program and keeps its traceback.
    """
    try:
        return main(argv)
    except (ValueError, OSError) as error:
        print(f"attention-tf: error: {_one_line(error)}", file=sys.stderr)
        return 2


def _one_line(error):
    if isinstance(error, OSError) and error.strerror:
        where = f": {error.filename!r}" if error.filename else ""
        return f"{error.strerror}{where}"
    return " ".join(str(error).split())


if __name__ == "__main__":
    sys.exit(run())
