"""The `attention-tf` command line: one subcommand per task.

Each task module registers its own subcommands with `register(subparsers)`,
setting `func` to the function that runs them.
"""

import argparse
import contextlib
import os
import sys
import tempfile

# Task modules that register subcommands; each is imported only when the
# command line is parsed.
_TASK_MODULES = (
    "attention_tf.training.decoder",
    "attention_tf.commands.doc_classifier",
    "attention_tf.training.export",
)
# Set to 1 (or pass --verbose) to see TensorFlow's start-up logs.
VERBOSE_ENV_VAR = "ATTENTION_TF_VERBOSE"


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
    argv = sys.argv[1:] if argv is None else argv
    verbose = argv[:1] == ["--verbose"] or os.environ.get(VERBOSE_ENV_VAR)
    try:
        if not verbose:
            _import_backend_quietly()
        return main(argv)
    except (ValueError, OSError) as error:
        print(f"attention-tf: error: {_one_line(error)}", file=sys.stderr)
        return 2


def _one_line(error):
    if isinstance(error, OSError) and error.strerror:
        where = f": {error.filename!r}" if error.filename else ""
        return f"{error.strerror}{where}"
    return " ".join(str(error).split())


def _import_backend_quietly():
    """Imports TensorFlow without its native start-up logs.

    The logs (no CUDA driver, cuInit failed) go to the process' stderr
    before Python can filter them, and users read them as errors. They are
    captured while importing and shown only if the import fails.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _captured_stderr() as captured:
        try:
            import tensorflow  # noqa: F401
        except BaseException:
            captured.replay = True
            raise


@contextlib.contextmanager
def _captured_stderr():
    """Sends file descriptor 2 to a temporary file for the duration."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        state = argparse.Namespace(replay=False)
        try:
            yield state
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            if state.replay:
                capture.seek(0)
                sys.stderr.write(capture.read().decode(errors="replace"))


if __name__ == "__main__":
    sys.exit(run())
