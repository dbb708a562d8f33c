"""Trains the attention document classifier: load, preprocess, fit, report.

Trains a BiLSTM + attention (or HAN) document classifier on IMDB or on the
user's labelled texts, and saves an end-to-end model that takes raw strings.

Output folder: `model.keras`, `metrics.json`, `attention.html`,
`learning_curves.png`, and `state/` (resume state, kept for inspection).
A run killed mid-way and started again with the same command resumes from
its last completed epoch and ends with the same result; a finished run
started again leaves its outputs as they are.
"""

import json
import os
import sys

import keras
import tensorflow as tf

from attention_tf.explain.attended_words import write_attention_html
from attention_tf.models.document_classifier import EndToEndClassifier
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
from attention_tf.training.document_classifier.config import ADDED_SETTINGS
from attention_tf.training.document_classifier.data import load_document_data
from attention_tf.training.document_classifier.inputs import (
    describe_tokens,
    make_batches,
    tokenize,
    with_unlabelled,
    word_frequencies,
)
from attention_tf.training.document_classifier.model import (
    adversarial_trainer,
    build_classifier,
    build_preprocessor,
    compile_classifier,
    inference_copy,
)
from attention_tf.training.document_classifier.report import (
    TrainingOutcome,
    attention_examples,
    run_metrics,
    write_learning_curves,
)
from attention_tf.training.run_state import RunState, fingerprint
from attention_tf.training.runtime import Runtime
from attention_tf.training.word_vectors import cached_word_vectors
from attention_tf.utils.atomic_files import (
    write_atomically,
    write_json_atomically,
)


def train_doc_classifier(config):
    """Runs one training from a `DocumentClassifierConfig`; returns 0."""
    # First: a multi-worker strategy must start before TensorFlow runs.
    with Runtime(config.strategy, config.mixed_precision) as runtime:
        return _train(config, runtime)


def _train(config, runtime):
    keras.utils.set_random_seed(config.seed)
    state = RunState(config.out)
    # An unusable --out fails now, not after loading the data.
    os.makedirs(state.directory, exist_ok=True)
    data = load_document_data(config)
    print(data.describe())
    run_fingerprint = fingerprint(config, _columns(data), ADDED_SETTINGS)
    if _finished(config.out, state, run_fingerprint):
        return 0
    state.claim(run_fingerprint)

    preprocessor = build_preprocessor(
        config, data.train.texts + data.unlabelled
    )
    tokens = tokenize(data, preprocessor)
    print(describe_tokens(tokens, preprocessor))
    word_vectors, word_vector_seconds = cached_word_vectors(
        state.word_vectors_path,
        config,
        tokens["train"].ids,
        data.unlabelled,
        preprocessor,
    )
    batches = make_batches(config, tokens, preprocessor)
    print(batches.describe())
    batches, frequencies = _adversarial_inputs(
        config, data, tokens, preprocessor, batches
    )
    print(f"Runtime: {runtime.describe()}.")
    # Built, compiled, trained and evaluated in the strategy's scope.
    with runtime.scope():
        classifier = _compiled_classifier(
            config,
            preprocessor,
            len(data.class_names),
            (word_vectors, frequencies),
            batches,
        )
        history = _fit(config, state, runtime, classifier, batches)
        if not runtime.is_chief:
            return 0
        classifier.load_weights(state.best_weights_path)
        test_loss, test_accuracy = classifier.evaluate(
            batches.datasets["test"], verbose=0
        )
    outcome = TrainingOutcome(
        history.entries,
        float(test_loss),
        float(test_accuracy),
        word_vector_seconds,
        preprocessor.vectorizer.vocabulary_size(),
    )
    model = EndToEndClassifier(
        preprocessor, inference_copy(classifier), data.class_names
    )
    metrics = run_metrics(config, data, tokens, batches, outcome)
    _write_outputs(config, model, data, metrics, history.entries)
    print(
        f"Test accuracy {test_accuracy:.4f} (loss {test_loss:.4f}) after "
        f"{metrics['epochs']} epochs, {metrics['train_seconds']:.0f} s of "
        f"training; outputs in {config.out}"
    )
    return 0


def _adversarial_inputs(config, data, tokens, preprocessor, batches):
    """Unlabelled batches (VAT) and word frequencies (`config.adversarial`).

    Returns:
        `(batches, frequencies)`: the training batches with unlabelled
        batches zipped in when `config.vat_weight`, and the occurrences of
        each id in the training and unlabelled texts (`None` without
        adversarial training).
    """
    if not config.adversarial:
        return batches, None
    pool = list(tokens["train"].ids)
    pool += preprocessor.token_id_lists(data.unlabelled)[0]
    if config.vat_weight:
        batches = with_unlabelled(config, batches, pool, preprocessor)
        print(
            f"Virtual adversarial training on {len(pool)} unlabelled texts "
            "(training texts included)."
        )
    vocabulary_size = preprocessor.vectorizer.vocabulary_size()
    return batches, word_frequencies(pool, vocabulary_size)


def _compiled_classifier(config, preprocessor, num_classes, vectors, batches):
    """The classifier to train (in its `AdversarialTrainer` if any).

    `vectors`: `(word_vectors, word_frequencies)`; the embeddings start
    from the word vectors if any.
    """
    word_vectors, frequencies = vectors
    classifier = build_classifier(
        config, preprocessor.vectorizer.vocabulary_size(), num_classes
    )
    if word_vectors is not None:
        classifier.embedding.embeddings.assign(word_vectors)
    if config.adversarial:
        classifier = adversarial_trainer(config, classifier, frequencies)
    steps_per_epoch = int(batches.datasets["train"].cardinality())
    return compile_classifier(classifier, config, steps_per_epoch)


def _fit(config, state, runtime, classifier, batches):
    """Trains from the last backup (if any); returns the `EpochHistory`."""
    history = EpochHistory(state.history_path)
    initial_epoch = restore_backup(classifier, state.backup_dir)
    # A resumed run that had already stopped trains no further.
    history.entries = [e for e in history.entries if e["epoch"] < initial_epoch]
    if history.entries and (
        initial_epoch >= config.epochs
        or initial_epoch - 1 - best_entry(history.entries)["epoch"]
        >= config.patience
    ):
        return history
    runtime.prepare(classifier).fit(
        batches.datasets["train"],
        validation_data=batches.datasets["validation"],
        epochs=config.epochs,
        initial_epoch=initial_epoch,
        # The pipeline shuffles (seeded, per epoch); fit cannot shuffle it.
        shuffle=False,
        callbacks=[
            history,
            EpochOrderUpdate(batches.order),
            DropoutSeedReset(),
            BestWeights(state.best_weights_path, history),
            PatienceStopping(history, config.patience),
            EpochBackup(state.backup_dir),
        ],
        # The progress bar in a terminal, one line per epoch in a log.
        verbose=1 if sys.stdout.isatty() else 2,
    )
    return history


def _write_outputs(config, model, data, metrics, history):
    """Model, attention page and curves; `metrics.json` last (it marks a
    finished run)."""
    model(tf.constant(["build"]))
    write_atomically(
        os.path.join(config.out, "model.keras"), model.save, suffix=".keras"
    )
    write_attention_html(
        os.path.join(config.out, "attention.html"),
        attention_examples(model, data.test, config.attention_examples),
        data.class_names,
    )
    write_learning_curves(
        os.path.join(config.out, "learning_curves.png"),
        history,
    )
    write_json_atomically(os.path.join(config.out, "metrics.json"), metrics)


def _finished(out, state, run_fingerprint):
    """Whether `out` holds this very run, finished; says so if it does."""
    path = os.path.join(out, "metrics.json")
    if not os.path.exists(path) or state.previous() != run_fingerprint:
        return False
    with open(path, encoding="utf-8") as file:
        metrics = json.load(file)
    print(
        f"{out} already holds this run, finished (test accuracy "
        f"{metrics['test_accuracy']:.4f}); its outputs are left as they "
        "are. Pass another --out to train again."
    )
    return True


def _columns(data):
    """The data as JSON-able columns, for the run's fingerprint."""
    columns = [data.class_names, data.unlabelled]
    for split in (data.train, data.validation, data.test):
        columns += [split.texts, [int(label) for label in split.labels]]
    return columns
