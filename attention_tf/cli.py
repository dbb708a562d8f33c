"""The `attention-tf` command line: one subcommand per task.

Each task module registers its own subcommands with `register(subparsers)`,
setting `func` to the function that runs them.
"""

import argparse
import importlib
import sys

from attention_tf.utils.optional import MissingDependencyError
from attention_tf.utils.startup import VERBOSE_ENV_VAR

# Task modules that register subcommands (each imported only when the
# command line is parsed), with the extra each command needs beyond Keras.
# Without it a command still parses, then fails with one line naming the
# extra (tests/commands/test_cli.py checks these names against `register`).
_TASK_MODULES = {
    "attention_tf.commands.translator": {
        "train-translator": "train",
        "train-decoder": "train",
        "translate": "translate",
    },
    "attention_tf.commands.document_classifier": {
        "train-doc-classifier": "train",
    },
    "attention_tf.commands.classify": {"classify": "tensorflow"},
    "attention_tf.commands.export": {"export": "tensorflow"},
    "attention_tf.commands.explain": {
        "explain": "tensorflow",
        "faithfulness": "tensorflow",
    },
    "attention_tf.commands.serve": {"serve": "tensorflow,serve"},
}

# The extra that brings a dependency a command imports only when it runs
# (others: the command's own extra above).
_DEPENDENCY_EXTRAS = {
    "gensim": "train",
    "matplotlib": "train",
    "sacrebleu": "train",
    "sentencepiece": "translate",
    "starlette": "serve",
    "uvicorn": "serve",
}


def build_parser():
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
    for name, extras in _TASK_MODULES.items():
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            dependency = _third_party(error)
            for command, extra in extras.items():
                _register_unavailable(subparsers, command, dependency, extra)
        else:
            module.register(subparsers)
    return parser


def _register_unavailable(subparsers, command, dependency, extra):
    """A subcommand whose module cannot load: any arguments, one error.

    `prefix_chars` no flag uses, so `--help` and the command's own flags
    are taken as plain arguments and the user reads what to install.
    """
    unavailable = subparsers.add_parser(
        command,
        help=f"(needs {dependency}: pip install 'attention_tf[{extra}]')",
        add_help=False,
        prefix_chars="\0",
    )
    unavailable.add_argument("arguments", nargs="*")

    def fail(args):
        raise MissingDependencyError(command, dependency, extra)

    unavailable.set_defaults(func=fail)


def _third_party(error):
    """The missing top-level package `error` names; re-raises our own."""
    dependency = (error.name or "").split(".")[0]
    if dependency in ("", "attention_tf"):
        raise error
    return dependency


def main(argv=None):
    """Runs one subcommand; bad input raises `ValueError`."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ModuleNotFoundError as error:
        # A dependency the command imports only when it runs.
        dependency = _third_party(error)
        extras = {c: e for m in _TASK_MODULES.values() for c, e in m.items()}
        extra = _DEPENDENCY_EXTRAS.get(dependency, extras[args.command])
        raise MissingDependencyError(args.command, dependency, extra) from error


def run(argv=None):
    """The console script: bad input prints one line, not a traceback.

    User and system errors (`ValueError`, `OSError`: a missing file, a
    read-only folder; `MissingDependencyError`: an extra not installed)
    exit with status 2; anything else is a bug in this program and keeps
    its traceback.
    """
    try:
        return main(argv)
    except (ValueError, OSError, MissingDependencyError) as error:
        print(f"attention-tf: error: {_one_line(error)}", file=sys.stderr)
        return 2


def _one_line(error):
    if isinstance(error, OSError) and error.strerror:
        where = f": {error.filename!r}" if error.filename else ""
        return f"{error.strerror}{where}"
    return " ".join(str(error).split())


if __name__ == "__main__":
    sys.exit(run())
