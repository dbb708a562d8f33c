"""Each resumable-training callback on its own, on a tiny model."""

import json
import os

import keras
import numpy as np
import pytest

from attention_tf.data.length_buckets import EpochOrder
from attention_tf.training.callbacks import (
    BestWeights,
    DropoutSeedReset,
    EpochBackup,
    EpochHistory,
    EpochOrderUpdate,
    PatienceStopping,
    best_entry,
    restore_backup,
)


def _model(seed=0, dropout=0.0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(dropout),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(64, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("int32")


def _entries(val_losses):
    return [
        {"epoch": e, "val_loss": v, "val_accuracy": 0.5, "loss": v}
        for e, v in enumerate(val_losses)
    ]


def test_best_entry_is_the_lowest_validation_loss_earliest_on_ties():
    assert best_entry(_entries([0.5, 0.3, 0.3, 0.4]))["epoch"] == 1


def test_history_records_each_epoch_and_survives_a_restart(tmp_path):
    path = str(tmp_path / "history.json")
    x, y = _data()
    history = EpochHistory(path)
    _model().fit(
        x, y, validation_data=(x, y), epochs=3, callbacks=[history], verbose=0
    )
    with open(path) as file:
        saved = json.load(file)
    assert [e["epoch"] for e in saved] == [0, 1, 2]
    for entry in saved:
        assert set(entry) == {
            "loss",
            "accuracy",
            "val_loss",
            "val_accuracy",
            "epoch",
            "seconds",
            "train_seconds",
        }
        assert 0 < entry["train_seconds"] <= entry["seconds"]
    # A restarted run reads the file; epochs it redoes replace their record.
    resumed = EpochHistory(path)
    assert resumed.entries == saved
    resumed.on_epoch_begin(1)
    assert [e["epoch"] for e in resumed.entries] == [0]


def test_best_weights_are_those_of_the_best_epoch(tmp_path):
    model = _model()
    history = EpochHistory(str(tmp_path / "history.json"))
    path = str(tmp_path / "best.weights.h5")
    callback = BestWeights(path, history)
    callback.set_model(model)
    snapshots = []
    for epoch, val_loss in enumerate([0.5, 0.3, 0.4]):
        model.layers[0].kernel.assign(np.full((4, 8), epoch, "float32"))
        snapshots.append(model.get_weights())
        history.entries.append(_entries([0.0] * epoch + [val_loss])[epoch])
        callback.on_epoch_end(epoch)
    restored = _model(seed=1)
    restored.load_weights(path)
    for actual, expected in zip(restored.get_weights(), snapshots[1]):
        np.testing.assert_array_equal(actual, expected)
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".tmp-")]


@pytest.mark.parametrize(
    "val_losses, patience, stops",
    [
        ([0.5, 0.4], 1, False),
        ([0.5, 0.6], 1, True),
        ([0.5, 0.6], 2, False),
        ([0.5, 0.6, 0.55], 2, True),
    ],
)
def test_patience_counts_from_the_best_epoch_in_history(
    val_losses, patience, stops
):
    history = EpochHistory("unused.json")
    # As a resumed run would have read them from disk.
    history.entries = _entries(val_losses)
    callback = PatienceStopping(history, patience)
    callback.set_model(_model())
    callback.model.stop_training = False
    callback.on_epoch_end(len(val_losses) - 1)
    assert callback.model.stop_training is stops


def test_epoch_order_follows_the_epoch():
    order = EpochOrder(10, seed=3)
    callback = EpochOrderUpdate(order)
    callback.on_epoch_begin(4)
    assert order.epoch == 4
    expected = np.random.default_rng([3, 4]).permutation(10)
    assert list(order()) == list(expected)


def test_dropout_masks_depend_only_on_seed_and_epoch():
    x = np.ones((8, 4), "float32")
    masks = []
    for extra_calls in (0, 5):
        model = _model(seed=2, dropout=0.5)
        dropout = model.layers[1]
        # A different past: the seed generator has advanced further.
        for _ in range(extra_calls):
            dropout(x, training=True)
        callback = DropoutSeedReset()
        callback.set_model(model)
        callback.on_train_begin()
        callback.on_epoch_begin(3)
        masks.append(keras.ops.convert_to_numpy(dropout(x, training=True)))
    np.testing.assert_array_equal(masks[0], masks[1])
    assert (masks[0] == 0).any()


def test_backup_restores_weights_optimizer_and_epoch(tmp_path):
    directory = str(tmp_path / "backup")
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=2, callbacks=[EpochBackup(directory)], verbose=0)
    assert sorted(os.listdir(directory)) == [
        "epoch-2.weights.h5",
        "training_metadata.json",
    ]
    fresh = _model(seed=5)
    assert restore_backup(fresh, directory) == 2
    for actual, expected in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(actual, expected)
    assert int(fresh.optimizer.iterations.numpy()) == int(
        model.optimizer.iterations.numpy()
    )
    # Resuming trains the remaining epochs only.
    resumed = EpochHistory(str(tmp_path / "history.json"))
    fresh.fit(x, y, epochs=3, initial_epoch=2, callbacks=[resumed], verbose=0)
    assert [e["epoch"] for e in resumed.entries] == [2]


def test_no_backup_starts_at_epoch_zero(tmp_path):
    assert restore_backup(_model(), str(tmp_path / "none")) == 0
