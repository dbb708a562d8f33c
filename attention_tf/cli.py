"""The `attention-tf` command line: one subcommand per task.

Each task module registers its own subcommands with `register(subparsers)`,
setting `func` to the function that runs them.
"""

import argparse
import sys

# Task modules that register subcommands; each is imported only when the
# command line is parsed.
_TASK_MODULES = (
    "attention_tf.training.decoder",
    "attention_tf.training.doc_classifier",
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
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in _TASK_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv=None):
    """Runs one subcommand; bad input raises `ValueError`."""
    args = build_parser().parse_args(argv)
    return args.func(args)


def run():
    """The console script: bad input prints one line, not a traceback."""
    try:
        return main()
    except ValueError as error:
        print(f"attention-tf: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(run())
