"""Files written whole or not at all: a temporary file, then a rename."""

import json
import os
import shutil
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
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def write_folder_atomically(out, write):
    """Calls `write(staging_folder)`, then renames that folder to `out`.

    The folder appears whole or not at all, with the permissions of any
    folder the user makes (mkdtemp's are private: a server running as
    another user could not read an export). `out` must not exist yet.

    Returns:
        The absolute path of `out`.
    """
    out = os.path.abspath(out)
    if os.path.exists(out):
        raise ValueError(f"The output folder already exists: {out}")
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".tmp-", dir=parent)
    try:
        os.chmod(staging, 0o777 & ~_umask())
        write(staging)
        os.replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def _umask():
    """The process' umask (reading it means setting it, then back)."""
    umask = os.umask(0)
    os.umask(umask)
    return umask


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
