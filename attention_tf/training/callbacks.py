"""Training callbacks that survive a killed run: one job each.

A run killed mid-way and started again resumes from its last completed
epoch (`restore_backup`) and must end as an uninterrupted run would. Keras'
`EarlyStopping` and `ModelCheckpoint` forget their best epoch on restart,
and `BackupAndRestore` can pair one epoch's weights with another's epoch
number when killed between its two writes; these keep their state on disk.

Pass them to `fit` in this order, so that each epoch's record is on disk
before the backup commits the epoch:
`[EpochHistory, EpochOrderUpdate, DropoutSeedReset, BestWeights,
PatienceStopping, EpochBackup]`.
"""

import json
import os
import time

import keras
import numpy as np

from attention_tf.utils.atomic_files import (
    write_atomically,
    write_json_atomically,
)

# The logs an epoch's record keeps.
_LOGGED = ("loss", "accuracy", "val_loss", "val_accuracy")


def best_entry(entries):
    """The record with the lowest validation loss (the earliest on ties).

    Validation loss, not accuracy: on a few thousand texts accuracy moves
    in small steps and often ties, and it can keep rising while the model
    grows overconfident (and its loss worse).
    """
    return min(entries, key=lambda entry: (entry["val_loss"], entry["epoch"]))


class EpochHistory(keras.callbacks.Callback):
    """Each epoch's metrics and timings, kept in a JSON file.

    An entry holds `loss`, `accuracy`, `val_loss`, `val_accuracy`, `epoch`
    (0-based), `seconds` (the whole epoch) and `train_seconds` (without
    validation). Entries of epochs that a resumed run redoes are replaced.

    Args:
        path: The JSON file; read at construction if it exists.
    """

    def __init__(self, path):
        super().__init__()
        self.path = path
        self.entries = []
        if os.path.exists(path):
            with open(path, encoding="utf-8") as file:
                self.entries = json.load(file)
        self._epoch_start = self._train_end = None

    def on_epoch_begin(self, epoch, logs=None):
        self.entries = [e for e in self.entries if e["epoch"] < epoch]
        self._epoch_start = self._train_end = time.perf_counter()

    def on_test_begin(self, logs=None):
        self._train_end = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        entry = {k: float(v) for k, v in (logs or {}).items() if k in _LOGGED}
        entry.update(
            epoch=epoch,
            seconds=time.perf_counter() - self._epoch_start,
            train_seconds=self._train_end - self._epoch_start,
        )
        self.entries.append(entry)
        write_json_atomically(self.path, self.entries)


class BestWeights(keras.callbacks.Callback):
    """Saves the weights whenever the latest epoch is the best so far.

    Args:
        path: The `.weights.h5` file, replaced atomically.
        history: The run's `EpochHistory`, which must run first.
    """

    def __init__(self, path, history):
        super().__init__()
        self.path = path
        self.history = history

    def on_epoch_end(self, epoch, logs=None):
        if best_entry(self.history.entries)["epoch"] == epoch:
            write_atomically(
                self.path, self.model.save_weights, suffix=".weights.h5"
            )


class PatienceStopping(keras.callbacks.Callback):
    """Stops after `patience` epochs without a lower validation loss.

    Counts from the best epoch in `history`, which a resumed run reads back,
    so it stops where the uninterrupted run would.

    Args:
        history: The run's `EpochHistory`, which must run first.
        patience: Epochs without improvement before stopping (>= 1).
    """

    def __init__(self, history, patience):
        super().__init__()
        self.history = history
        self.patience = patience

    def on_epoch_end(self, epoch, logs=None):
        if epoch - best_entry(self.history.entries)["epoch"] >= self.patience:
            self.model.stop_training = True


class EpochOrderUpdate(keras.callbacks.Callback):
    """Tells an `EpochOrder` which epoch starts, before its data is read."""

    def __init__(self, order):
        super().__init__()
        self.order = order

    def on_epoch_begin(self, epoch, logs=None):
        self.order.epoch = epoch


class DropoutSeedReset(keras.callbacks.Callback):
    """Restarts every seed generator from (its seed, the epoch) each epoch.

    Seed generator states are not in the weights a backup saves; setting
    them from the epoch gives a resumed run the same dropout masks as an
    uninterrupted one.
    """

    def on_train_begin(self, logs=None):
        self._states = [
            (variable, variable.numpy()[0])
            for variable in self.model.variables
            if "seed_generator_state" in variable.path
        ]

    def on_epoch_begin(self, epoch, logs=None):
        for variable, seed in self._states:
            variable.assign(np.array([seed, epoch * 1_000_000], "int64"))


class EpochBackup(keras.callbacks.Callback):
    """Saves weights and optimizer state after each epoch, for resuming.

    Each epoch's weights go to a new file, and one atomic rename of
    `training_metadata.json`, which names that file and the next epoch,
    commits both: a kill at any point leaves a matching pair. Resume with
    `restore_backup` before `fit(..., initial_epoch=...)`.

    Args:
        directory: The backup folder.
    """

    def __init__(self, directory):
        super().__init__()
        self.directory = directory

    def on_epoch_end(self, epoch, logs=None):
        name = f"epoch-{epoch + 1}.weights.h5"
        write_atomically(
            os.path.join(self.directory, name),
            self.model.save_weights,
            suffix=".weights.h5",
        )
        write_json_atomically(
            _metadata_path(self.directory),
            {"epoch": epoch + 1, "weights": name},
        )
        for old in os.listdir(self.directory):
            if old.startswith("epoch-") and old != name:
                os.remove(os.path.join(self.directory, old))


def restore_backup(model, directory):
    """Loads an `EpochBackup` into a compiled, built `model`.

    Returns:
        The epoch to resume from (0 when `directory` holds no backup).
    """
    path = _metadata_path(directory)
    if not os.path.exists(path):
        return 0
    with open(path, encoding="utf-8") as file:
        metadata = json.load(file)
    # The optimizer's variables must exist before its state loads.
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    model.load_weights(os.path.join(directory, metadata["weights"]))
    return metadata["epoch"]


def _metadata_path(directory):
    return os.path.join(directory, "training_metadata.json")
