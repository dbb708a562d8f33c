"""A quiet start for the `attention-tf` command.

Importing TensorFlow prints native start-up logs (no CUDA driver, cuInit
failed) straight to the process' stderr, before Python can filter them;
users of the command read them as errors. The command captures them while
TensorFlow loads and shows them only if loading fails, or on request.
"""

import contextlib
import os
import sys
import tempfile

from attention_tf.utils.optional import tensorflow_installed

# Set to 1 (or pass --verbose first) to see the backend's start-up logs.
VERBOSE_ENV_VAR = "ATTENTION_TF_VERBOSE"
COMMAND = "attention-tf"


def quiet_backend_start(argv=None):
    """Loads TensorFlow quietly if this process is the `attention-tf` command.

    A no-op for library users, with `--verbose` as the first argument or
    `ATTENTION_TF_VERBOSE` set, once TensorFlow is loaded, and without
    TensorFlow (the commands that need it then say so).
    """
    argv = sys.argv if argv is None else argv
    if (
        os.path.basename(argv[0] if argv else "") != COMMAND
        or argv[1:2] == ["--verbose"]
        or os.environ.get(VERBOSE_ENV_VAR)
        or "tensorflow" in sys.modules
        or not tensorflow_installed()
    ):
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _captured_stderr() as captured:
        try:
            import tensorflow  # noqa: F401
        except BaseException:
            captured.append(True)
            raise


@contextlib.contextmanager
def _captured_stderr():
    """Sends file descriptor 2 to a temporary file; replays it on failure.

    Yields a list: append to it to have the captured output replayed.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    replay = []
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield replay
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            if replay:
                capture.seek(0)
                sys.stderr.write(capture.read().decode(errors="replace"))
