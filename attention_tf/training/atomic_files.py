"""Files written whole or not at all: a temporary file, then a rename."""

import json
import os
import tempfile


def write_atomically(path, write, suffix=""):
    """Calls `write(temporary_path)`, then renames the result to `path`.

    A run killed mid-write leaves the previous `path` (or none), never a
    half-written file. `suffix` keeps an extension that writers check, such
    as ".keras".
    """
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=".tmp-", suffix=suffix, dir=directory
    )
    os.close(handle)
    try:
        write(temporary)
        # mkstemp makes the file private; give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def write_json_atomically(path, data):
    """Writes `data` as indented JSON to `path`, atomically."""

    def write(temporary):
        with open(temporary, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=2, sort_keys=True)
            file.write("\n")

    write_atomically(path, write)


def write_text_atomically(path, text):
    """Writes the string `text` to `path` (UTF-8), atomically."""

    def write(temporary):
        with open(temporary, "w", encoding="utf-8") as file:
            file.write(text)

    write_atomically(path, write)


def save_figure(path, figure, dpi=100):
    """Saves a Matplotlib `figure` to `path` as PNG, atomically."""
    write_atomically(
        path, lambda temporary: figure.savefig(temporary, format="png", dpi=dpi)
    )
