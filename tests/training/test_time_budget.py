"""The time budget callback: the first batch (tracing) is not counted."""

import types

import pytest

from attention_tf.training import time_budget
from attention_tf.training.time_budget import TimeBudget


def test_stops_once_the_budget_after_the_first_batch_is_spent(monkeypatch):
    clock = iter([0.0, 50.0, 55.0, 59.0, 61.0])
    monkeypatch.setattr(time_budget.time, "perf_counter", lambda: next(clock))
    budget = TimeBudget(10.0)
    budget.set_model(types.SimpleNamespace(stop_training=False))
    budget.on_train_begin()
    budget.on_train_batch_end(0)  # t=50: tracing, not counted
    assert budget.first_batch_seconds == 50.0 and budget.seconds == 0.0
    budget.on_train_batch_end(1)  # t=55
    budget.on_train_batch_end(2)  # t=59
    assert not budget.model.stop_training
    budget.on_train_batch_end(3)  # t=61: 11 s after the first batch
    assert budget.model.stop_training and budget.seconds == 11.0
    budget.on_epoch_end(0)
    assert budget.epochs == 1


def test_rejects_a_budget_that_is_not_positive():
    with pytest.raises(ValueError, match="seconds"):
        TimeBudget(0)
