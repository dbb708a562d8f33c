"""A run's `state/` folder: what it was trained on, and its resume files.

`settings.json` holds the run's fingerprint: its settings and a hash of
its data. A rerun resumes the state only if both are unchanged; state left
by other settings or data is refused in one line, unless it holds no
training progress yet (a run that failed while loading, say), in which
case it is cleared.
"""

import dataclasses
import hashlib
import json
import os
import shutil

from attention_tf.utils.atomic_files import write_json_atomically

# Settings that change where outputs go or how they are shown, not what
# is learned; `encoding` only decides how the data decodes, and the data's
# hash covers the decoded texts.
_NOT_FINGERPRINTED = (
    "out",
    "attention_examples",
    "strategy",
    "preset",
    "encoding",
)


def fingerprint(config, columns, added_settings=None):
    """The settings of `config` and a SHA-256 of the data `columns`.

    Args:
        config: A dataclass of settings (such as `DocumentClassifierConfig`).
        columns: Lists of texts and labels, in order, as JSON can hold them.
        added_settings: `{name: value}` of settings added to `config` after
            runs were started; at that value a setting is left out, so that
            those runs keep their fingerprint and still resume.
    """
    added_settings = added_settings or {}
    settings = {
        key: value
        for key, value in dataclasses.asdict(config).items()
        if key not in _NOT_FINGERPRINTED
        and not (key in added_settings and added_settings[key] == value)
    }
    # The data counts by its contents: a moved file is the same data.
    settings.pop("data", None)
    digest = hashlib.sha256()
    for column in columns:
        digest.update(json.dumps(column, ensure_ascii=False).encode("utf-8"))
    return {"settings": settings, "data_sha256": digest.hexdigest()}


class RunState:
    """The resume files of the run writing to `out`.

    Args:
        out: The run's output folder; the state lives in `out/state`.
    """

    def __init__(self, out):
        self.directory = os.path.join(out, "state")
        self.settings_path = os.path.join(self.directory, "settings.json")
        self.history_path = os.path.join(self.directory, "history.json")
        self.best_weights_path = os.path.join(self.directory, "best.weights.h5")
        self.backup_dir = os.path.join(self.directory, "backup")
        self.word_vectors_path = os.path.join(
            self.directory, "word_vectors.npz"
        )

    def previous(self):
        """The fingerprint the state was written for, or `None`."""
        if not os.path.exists(self.settings_path):
            return None
        with open(self.settings_path, encoding="utf-8") as file:
            return json.load(file)

    def has_progress(self):
        """Whether any training result (history, vectors, backup) exists."""
        return any(
            os.path.exists(path)
            for path in (
                self.history_path,
                self.word_vectors_path,
                self.backup_dir,
                self.best_weights_path,
            )
        )

    def claim(self, run_fingerprint):
        """Makes the state this run's: resumes, clears or refuses it."""
        previous = self.previous()
        if previous != run_fingerprint and self.has_progress():
            raise ValueError(
                f"{self.directory!r} holds the resume state of a run with "
                f"other {_difference(previous, run_fingerprint)}. Delete "
                "it, or pass another --out."
            )
        if previous != run_fingerprint:
            shutil.rmtree(self.directory, ignore_errors=True)
        write_json_atomically(self.settings_path, run_fingerprint)


def _difference(previous, current):
    if not previous or set(previous) != set(current):
        return "settings (written by an older version)"
    if previous["settings"] != current["settings"]:
        changed = sorted(
            key
            for key in set(previous["settings"]) | set(current["settings"])
            if previous["settings"].get(key) != current["settings"].get(key)
        )
        return "settings (" + ", ".join(changed) + ")"
    return "data (the texts or labels changed)"
