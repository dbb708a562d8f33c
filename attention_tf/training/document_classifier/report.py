"""What a trained document classifier looked at: attention HTML, curves."""

import collections

import keras
import numpy as np
import tensorflow as tf

from attention_tf.explain.attended_words import attended_words
from attention_tf.layers.attention_heads import head_mean, per_head
from attention_tf.training.callbacks import best_entry
from attention_tf.training.document_classifier.inputs import truncated_share
from attention_tf.utils.atomic_files import save_figure

# What a finished training produced, for `run_metrics`.
TrainingOutcome = collections.namedtuple(
    "TrainingOutcome",
    [
        "history",
        "test_loss",
        "test_accuracy",
        "word_vector_seconds",
        "vocab_size",
    ],
)


def write_learning_curves(path, history):
    """Plots loss and accuracy per epoch (training and validation) to PNG.

    Args:
        path: The `.png` file.
        history: A list of per-epoch dicts with `loss`, `accuracy`,
            `val_loss` and `val_accuracy`.
    """
    # A bare Figure, not pyplot: it leaves the caller's backend alone (a
    # notebook keeps showing its own plots inline).
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    epochs = [entry["epoch"] + 1 for entry in history]
    figure = Figure(figsize=(10, 4))
    axes = figure.subplots(1, 2)
    for axis, metric in zip(axes, ("loss", "accuracy")):
        axis.plot(epochs, [e[metric] for e in history], "o-", label="train")
        axis.plot(
            epochs,
            [e[f"val_{metric}"] for e in history],
            "o-",
            label="validation",
        )
        axis.set_xlabel("epoch")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_title(metric)
        axis.legend()
    figure.tight_layout()
    save_figure(path, figure)


def attention_examples(model, test, count):
    """`attention_html` examples for `count` evenly spaced test texts.

    Args:
        model: An `EndToEndClassifier`.
        test: A split with `texts` and integer `labels`.
        count: Most texts to show (evenly spaced, so every class appears).

    With several heads, `words` (and `sentence_weights`) hold the mean
    over heads and `heads` each head's own.
    """
    picks = np.linspace(0, len(test.texts) - 1, min(count, len(test.texts)))
    picks = sorted(set(int(i) for i in picks))
    outputs = model(
        tf.constant([test.texts[i] for i in picks]),
        return_attention_scores=True,
    )
    outputs = [keras.ops.convert_to_numpy(o) for o in outputs]
    probabilities, ids = outputs[:2]
    weights = outputs[2:]
    heads = per_head(ids, *weights)
    mean = head_mean(ids, *weights)
    vocabulary = model.vectorizer.get_vocabulary()
    examples = []
    for row, i in enumerate(picks):
        prediction = int(np.argmax(probabilities[row]))
        example = {
            "label": int(test.labels[i]),
            "prediction": prediction,
            "probability": float(probabilities[row, prediction]),
            **_attended(vocabulary, ids[row], *mean, row),
        }
        if len(heads) > 1:
            example["heads"] = [
                _attended(vocabulary, ids[row], *head, row) for head in heads
            ]
        examples.append(example)
    return examples


def _attended(vocabulary, ids, word_weights, sentence_weights, row):
    """`words` (and `sentence_weights`) of batch row `row` of the weights."""
    weights = {"words": attended_words(vocabulary, ids, word_weights[row])}
    if sentence_weights is not None:
        kept = (ids != 0).any(axis=-1)
        weights["sentence_weights"] = [
            float(w) for w in sentence_weights[row][kept]
        ]
    return weights


def run_metrics(config, data, tokens, batches, outcome):
    """The `metrics.json` record of a finished training.

    Args:
        config: The run's `DocumentClassifierConfig`.
        data: Its `DocumentData`.
        tokens: Its `TokenIds` by split name.
        batches: Its `Batches`.
        outcome: Its `TrainingOutcome`.
    """
    history = outcome.history
    best = best_entry(history)
    train_steps_seconds = sum(entry["train_seconds"] for entry in history)
    real_tokens = int(sum(len(ids) for ids in tokens["train"].ids))
    # Training time includes learning the word vectors.
    train_seconds = outcome.word_vector_seconds + sum(
        entry["seconds"] for entry in history
    )
    return {
        "test_accuracy": outcome.test_accuracy,
        "test_loss": outcome.test_loss,
        "val_accuracy": float(best["val_accuracy"]),
        "val_loss": float(best["val_loss"]),
        "best_epoch": best["epoch"] + 1,
        "epochs": len(history),
        "train_seconds": round(train_seconds, 1),
        "word_vector_seconds": round(outcome.word_vector_seconds, 1),
        "real_tokens_per_second": round(
            real_tokens * len(history) / max(train_steps_seconds, 1e-9)
        ),
        "padding_share": round(batches.padding_share, 4),
        "truncated_share": round(truncated_share(tokens, config.max_length), 4),
        "num_train": len(data.train.texts),
        "num_validation": len(data.validation.texts),
        "num_test": len(data.test.texts),
        "num_unlabelled": len(data.unlabelled),
        "validation_grouped_by": data.validation_grouped_by,
        "skipped_rows": data.skipped_rows,
        "vocab_size": outcome.vocab_size,
        "max_length": config.max_length,
        "bucket_lengths": batches.bucket_lengths,
        "bucket_batch_sizes": batches.bucket_batch_sizes,
        "architecture": config.architecture,
        "backend": keras.backend.backend(),
        "quick": config.quick,
        "seed": config.seed,
        "class_names": data.class_names,
        "recipe": config.recipe(),
    }
