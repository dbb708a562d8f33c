"""A callback that stops training once a time budget is spent."""

import time

import keras


class TimeBudget(keras.callbacks.Callback):
    """Stops `fit` after `seconds` of training, checked after every batch.

    The clock starts when the first batch ends: that batch also traces and
    compiles the training step, which takes from seconds to a minute
    depending on the machine's load and says nothing about training.

    Attributes:
        seconds: Training time so far, the first batch left out.
        first_batch_seconds: Time of the first batch (tracing included).
        epochs: Epochs completed.
    """

    def __init__(self, seconds):
        super().__init__()
        if not seconds > 0:
            raise ValueError(
                f"`seconds` must be positive. Received: seconds={seconds!r}"
            )
        self.budget = seconds
        self.seconds, self.first_batch_seconds, self.epochs = 0.0, 0.0, 0
        self.start = None

    def on_train_begin(self, logs=None):
        self.begin, self.start = time.perf_counter(), None

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        if self.start is None:
            self.start, self.first_batch_seconds = now, now - self.begin
        self.seconds = now - self.start
        if self.seconds > self.budget:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        self.epochs = epoch + 1
