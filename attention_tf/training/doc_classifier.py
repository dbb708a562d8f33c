"""`attention-tf train-doc-classifier` and `attention-tf classify`.

Trains a BiLSTM + attention (or HAN) document classifier on IMDB or on the
user's labelled texts, and saves an end-to-end model that takes raw strings.

Output folder: `model.keras`, `metrics.json`, `attention.html`,
`learning_curves.png`, and `state/` (resume state, kept for inspection).
A run killed mid-way and started again with the same command resumes from
its last completed epoch and ends with the same result.
"""

import json
import os
import sys
import time

import keras
import numpy as np
import tensorflow as tf

from attention_tf.data.imdb import IMDB_CLASS_NAMES, load_imdb
from attention_tf.data.labelled_files import load_labelled_texts
from attention_tf.data.length_buckets import (
    EpochOrder,
    bucket_batch_sizes,
    bucket_lengths,
    bucketed_dataset,
    padding_share,
)
from attention_tf.data.sentences import split_into_sentences
from attention_tf.data.vectorization import adapt_vectorizer, texts_to_token_ids
from attention_tf.models import (
    BiLSTMAttentionClassifier,
    EndToEndClassifier,
    HierarchicalAttentionClassifier,
)
from attention_tf.training.atomic_files import (
    write_atomically,
    write_json_atomically,
)
from attention_tf.training.doc_classifier_report import (
    attended_words,
    write_attention_html,
    write_learning_curves,
)
from attention_tf.training.runtime import Runtime, add_runtime_arguments
from attention_tf.training.word_vectors import train_word_vectors

# Recipes: (quick smoke run, default full run). Changing any of these
# changes the results in README.md.
_QUICK = dict(
    train_size=6000,
    test_size=4000,
    validation_size=600,
    max_tokens=10000,
    max_length=256,
    embedding_dim=64,
    lstm_units=32,
    attention_units=32,
    epochs=3,
    learning_rate=3e-3,
    unlabelled_size=6000,
    word_vector_epochs=5,
)
_FULL = dict(
    train_size=None,
    test_size=None,
    validation_size=2500,
    max_tokens=30000,
    max_length=600,
    embedding_dim=128,
    lstm_units=64,
    attention_units=64,
    epochs=3,
    learning_rate=2e-3,
    unlabelled_size=None,
    word_vector_epochs=5,
)
_NUM_BUCKETS = 12
_BATCH_SIZE = 32
# Batches of short texts are filled up to this many padded tokens (at
# least `--batch-size` texts); see `bucket_batch_sizes`.
_BATCH_TOKENS = None
_HAN_MAX_SENTENCES = 32
_HAN_MAX_WORDS = 48
_ATTENTION_EXAMPLES = 20


def register(subparsers):
    """Adds the `train-doc-classifier` and `classify` subcommands."""
    train = subparsers.add_parser(
        "train-doc-classifier",
        help="Train the attention document classifier (IMDB by default).",
        description=__doc__.split("\n\n")[1],
    )
    train.add_argument(
        "--data",
        help="IMDB .tar.gz or extracted folder, or your own data: a .csv, "
        ".tsv or .jsonl file, or one folder per class. Default: "
        "$ATTENTION_TF_IMDB, the Keras cache, or a download of IMDB.",
    )
    train.add_argument("--out", default=os.path.join("runs", "doc-classifier"))
    train.add_argument(
        "--quick",
        action="store_true",
        help="A small subset and model: a two-minute smoke run.",
    )
    train.add_argument(
        "--architecture", choices=("bilstm", "han"), default="bilstm"
    )
    train.add_argument("--seed", type=int, default=1337)
    train.add_argument("--epochs", type=int, help="Maximum epochs.")
    train.add_argument(
        "--patience",
        type=int,
        default=1,
        help="Epochs without validation gain before stopping.",
    )
    train.add_argument(
        "--batch-size",
        type=int,
        default=_BATCH_SIZE,
        help="Texts per batch (the least, with --batch-tokens).",
    )
    train.add_argument(
        "--batch-tokens",
        type=int,
        default=_BATCH_TOKENS,
        help="Fill batches of short texts up to this many padded tokens.",
    )
    train.add_argument("--max-tokens", type=int, help="Vocabulary size.")
    train.add_argument("--max-length", type=int, help="Token cap per text.")
    train.add_argument("--learning-rate", type=float)
    train.add_argument(
        "--word-vector-epochs",
        type=int,
        help="word2vec epochs over the training (and, for IMDB, unlabelled) "
        "text to start the embeddings from; 0 starts them at random.",
    )
    train.add_argument("--text-column", default="text")
    train.add_argument("--label-column", default="label")
    train.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="Skip malformed rows of your own data (and count them) "
        "instead of stopping.",
    )
    train.add_argument(
        "--encoding",
        default="utf-8",
        help="Text encoding of your own data files (such as latin-1).",
    )
    train.add_argument(
        "--test-share",
        type=float,
        default=0.2,
        help="Share of your own data held out for the test set.",
    )
    add_runtime_arguments(train)
    train.set_defaults(func=train_doc_classifier)

    classify = subparsers.add_parser(
        "classify", help="Classify texts with a trained model."
    )
    classify.add_argument(
        "--model",
        required=True,
        help="A training output folder, or its model.keras.",
    )
    classify.add_argument(
        "--top", type=int, default=5, help="Attended words to show."
    )
    classify.add_argument("texts", nargs="+")
    classify.set_defaults(func=classify_texts)


def train_doc_classifier(args):
    """Runs one training from parsed arguments; returns the exit status."""
    # First: a multi-worker strategy must start before TensorFlow runs.
    with Runtime(args.strategy, args.mixed_precision) as runtime:
        return _train(args, runtime)


def _train(args, runtime):
    recipe = dict(_QUICK if args.quick else _FULL)
    for key in (
        "epochs",
        "max_tokens",
        "max_length",
        "learning_rate",
        "word_vector_epochs",
    ):
        if getattr(args, key) is not None:
            recipe[key] = getattr(args, key)
    _check_positive(args, recipe)
    keras.utils.set_random_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    state_dir = os.path.join(args.out, "state")
    _check_same_run(state_dir, args, recipe)

    data = _load_data(args, recipe)
    train, validation, test = data["train"], data["validation"], data["test"]
    print(
        f"Data: {len(train[0])} train, {len(validation[0])} validation, "
        f"{len(test[0])} test texts, {len(data['unlabelled'])} unlabelled; "
        + (
            f"validation holds whole {data['validation_grouped_by']}s; "
            if data["validation_grouped_by"]
            else ""
        )
        + f"classes {data['class_names']}"
        + (
            f"; skipped {data['skipped_rows']} bad rows"
            if data["skipped_rows"]
            else ""
        )
    )

    standardizer, vectorizer = adapt_vectorizer(
        train[0] + data["unlabelled"], recipe["max_tokens"]
    )
    vocabulary = vectorizer.get_vocabulary()
    max_length = recipe["max_length"]
    splits = {}
    for name, (texts, labels) in (
        ("train", train),
        ("validation", validation),
        ("test", test),
    ):
        ids, lengths = texts_to_token_ids(
            texts, standardizer, vectorizer, max_length
        )
        splits[name] = ids, np.asarray(labels, "int32"), lengths
    train_lengths = splits["train"][2]
    truncated_share = float(np.mean(train_lengths > max_length))
    print(
        f"Vocabulary {len(vocabulary)} words; cap {max_length} tokens "
        f"truncates {truncated_share:.1%} of training texts "
        f"(median length {int(np.median(train_lengths))})."
    )

    word_vectors, word_vector_seconds = _word_vectors(
        state_dir,
        recipe,
        splits["train"][0],
        data["unlabelled"],
        standardizer,
        vectorizer,
        args.seed,
    )

    buckets = bucket_lengths(train_lengths, _NUM_BUCKETS, max_length)
    order = EpochOrder(len(splits["train"][0]), args.seed)
    boundary_ids = [
        i
        for i, word in enumerate(vocabulary)
        if word and set(word) <= set(".!?")
    ]
    datasets = {}
    for name, (ids, labels, _) in splits.items():
        dataset = _to_model_input(
            bucketed_dataset(
                ids,
                labels,
                args.batch_size,
                buckets,
                order if name == "train" else None,
                batch_tokens=args.batch_tokens,
            ),
            args.architecture,
            boundary_ids,
        )
        # A known length gives the progress bar its total from epoch 1.
        batches = sum(1 for _ in dataset)
        datasets[name] = dataset.apply(
            tf.data.experimental.assert_cardinality(batches)
        )
    train_padding = padding_share(
        bucketed_dataset(*splits["train"][:2], args.batch_size, buckets)
    )
    batch_sizes = bucket_batch_sizes(
        buckets, args.batch_size, args.batch_tokens
    )
    print(
        f"Buckets {buckets}, texts per batch {batch_sizes}: "
        f"{train_padding:.1%} padding."
    )

    print(f"Runtime: {runtime.describe()}.")
    # Built, compiled, trained and evaluated in the strategy's scope.
    with runtime.scope():
        classifier = _build_classifier(
            args.architecture, len(vocabulary), len(data["class_names"]), recipe
        )
        # BackupAndRestore needs the weights to exist before `fit`.
        classifier(
            np.zeros((1,) * (3 if args.architecture == "han" else 2), "int32")
        )
        if word_vectors is not None:
            classifier.embedding.embeddings.assign(word_vectors)
        steps = int(datasets["train"].cardinality())
        schedule = keras.optimizers.schedules.CosineDecay(
            recipe["learning_rate"],
            decay_steps=steps * recipe["epochs"],
            alpha=0.0,
        )
        classifier.compile(
            optimizer=keras.optimizers.Adam(schedule, clipnorm=1.0),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        run_state = _RunState(state_dir, args.patience, order)
        runtime.prepare(classifier).fit(
            datasets["train"],
            validation_data=datasets["validation"],
            epochs=recipe["epochs"],
            # The pipeline shuffles (seeded, per epoch); fit cannot shuffle it.
            shuffle=False,
            callbacks=[
                run_state,
                _AtomicBackupAndRestore(os.path.join(state_dir, "backup")),
            ],
            # The progress bar in a terminal, one line per epoch in a log.
            verbose=1 if sys.stdout.isatty() else 2,
        )
        if not runtime.is_chief:
            return 0
        history = run_state.history
        best = run_state.best_entry()
        classifier.load_weights(run_state.best_weights_path)
        test_loss, test_accuracy = classifier.evaluate(
            datasets["test"], verbose=0
        )
    # Training time includes learning the word vectors.
    train_seconds = word_vector_seconds + sum(
        entry["seconds"] for entry in history
    )
    train_steps_seconds = sum(entry["train_seconds"] for entry in history)
    real_tokens = int(sum(len(ids) for ids in splits["train"][0]))

    model = _end_to_end(
        args.architecture,
        standardizer,
        vectorizer,
        classifier,
        data["class_names"],
        max_length,
        boundary_ids,
    )
    _save_model(model, os.path.join(args.out, "model.keras"))
    metrics = {
        "test_accuracy": float(test_accuracy),
        "test_loss": float(test_loss),
        "val_accuracy": float(best["val_accuracy"]),
        "val_loss": float(best["val_loss"]),
        "best_epoch": best["epoch"] + 1,
        "epochs": len(history),
        "train_seconds": round(train_seconds, 1),
        "word_vector_seconds": round(word_vector_seconds, 1),
        "real_tokens_per_second": round(
            real_tokens * len(history) / max(train_steps_seconds, 1e-9)
        ),
        "padding_share": round(train_padding, 4),
        "truncated_share": round(truncated_share, 4),
        "num_train": len(train[0]),
        "num_validation": len(validation[0]),
        "num_test": len(test[0]),
        "num_unlabelled": len(data["unlabelled"]),
        "validation_grouped_by": data["validation_grouped_by"],
        "skipped_rows": data["skipped_rows"],
        "vocab_size": len(vocabulary),
        "max_length": max_length,
        "bucket_lengths": buckets,
        "bucket_batch_sizes": batch_sizes,
        "architecture": args.architecture,
        "quick": bool(args.quick),
        "seed": args.seed,
        "class_names": data["class_names"],
        "recipe": recipe,
    }
    _write_report(args.out, model, test, data["class_names"], history)
    write_json_atomically(os.path.join(args.out, "metrics.json"), metrics)
    print(
        f"Test accuracy {test_accuracy:.4f} (loss {test_loss:.4f}) after "
        f"{len(history)} epochs, {train_seconds:.0f} s of training; "
        f"outputs in {args.out}"
    )
    return 0


def load_classifier(path):
    """Loads the end-to-end classifier from a run folder or its model.keras."""
    if os.path.isdir(path):
        path = os.path.join(path, "model.keras")
    if not os.path.isfile(path):
        raise ValueError(f"No saved model at {path!r}: train one first.")
    return keras.saving.load_model(path, safe_mode=True)


def classify_texts(args):
    """Prints label, probability and top attended words for each text."""
    model = load_classifier(args.model)
    vocabulary = model.vectorizer.get_vocabulary()
    outputs = model(tf.constant(args.texts), return_attention_scores=True)
    probabilities, ids, weights = (o.numpy() for o in outputs[:3])
    for text, p, row_ids, row_weights in zip(
        args.texts, probabilities, ids, weights
    ):
        words = attended_words(vocabulary, row_ids, row_weights)
        if words and isinstance(words[0], list):
            words = [pair for sentence in words for pair in sentence]
        top = sorted(words, key=lambda pair: -pair[1])[: args.top]
        label = int(np.argmax(p))
        print(
            f"{model.class_names[label]}\t{p[label]:.4f}\t"
            + (
                ", ".join(f"{w} ({a:.2f})" for w, a in top)
                or "(no known words)"
            )
            + f"\t{text[:60]!r}"
        )
    return 0


class _RunState(keras.callbacks.Callback):
    """History, best weights and early stopping, kept on disk.

    In memory, `EarlyStopping` and `ModelCheckpoint` forget their best
    epoch when a killed run restarts; this keeps it in `history.json`, so a
    resumed run stops and selects the same epoch as an uninterrupted one.
    It must run before `BackupAndRestore` at the end of each epoch.
    """

    def __init__(self, directory, patience, order):
        super().__init__()
        self.directory = directory
        self.patience = patience
        self.order = order
        self.history_path = os.path.join(directory, "history.json")
        self.best_weights_path = os.path.join(directory, "best.weights.h5")
        self.history = []
        if os.path.exists(self.history_path):
            with open(self.history_path, encoding="utf-8") as file:
                self.history = json.load(file)

    def best_entry(self):
        # Validation loss, not accuracy: on 2,500 texts accuracy moves in
        # steps of 0.04% and often ties, and it can keep rising while the
        # model grows overconfident (and its loss worse).
        return min(self.history, key=lambda e: (e["val_loss"], e["epoch"]))

    def on_train_begin(self, logs=None):
        # Dropout seed states are not in the weights that BackupAndRestore
        # saves; restarting them from (initial seed, epoch) at every epoch
        # gives a resumed run the same dropout masks.
        self._seed_states = [
            (v, v.numpy()[0])
            for v in self.model.variables
            if "seed_generator_state" in v.path
        ]

    def on_epoch_begin(self, epoch, logs=None):
        # Epochs after the restored backup are redone.
        self.history = [e for e in self.history if e["epoch"] < epoch]
        self.order.epoch = epoch
        for state, seed in self._seed_states:
            state.assign(np.array([seed, epoch * 1_000_000], "int64"))
        self._epoch_start = self._train_end = time.perf_counter()

    def on_test_begin(self, logs=None):
        self._train_end = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        from attention_tf.training.atomic_files import (
            write_atomically,
            write_json_atomically,
        )

        now = time.perf_counter()
        entry = {
            k: float(v)
            for k, v in (logs or {}).items()
            if k in ("loss", "accuracy", "val_loss", "val_accuracy")
        }
        entry.update(
            epoch=epoch,
            seconds=now - self._epoch_start,
            train_seconds=self._train_end - self._epoch_start,
        )
        improved = not self.history or entry["val_loss"] < min(
            e["val_loss"] for e in self.history
        )
        self.history.append(entry)
        if improved:
            write_atomically(
                self.best_weights_path,
                self.model.save_weights,
                suffix=".weights.h5",
            )
        write_json_atomically(self.history_path, self.history)
        if epoch - self.best_entry()["epoch"] >= self.patience:
            self.model.stop_training = True


class _AtomicBackupAndRestore(keras.callbacks.BackupAndRestore):
    """`BackupAndRestore` whose weights and epoch always match.

    The base class overwrites its weights file, then its epoch file; a kill
    between the two (or during the first) resumes the wrong epoch, or not
    at all. Here each epoch's weights go to a new file, and one atomic
    rename of the metadata, which names that file, commits both.
    """

    def __init__(self, backup_dir):
        super().__init__(backup_dir, delete_checkpoint=False)

    def _save_model(self):
        name = f"epoch-{self._current_epoch}.weights.h5"
        write_atomically(
            os.path.join(self.backup_dir, name),
            self.model.save_weights,
            suffix=".weights.h5",
        )
        write_json_atomically(
            self._training_metadata_path,
            {"epoch": self._current_epoch, "weights": name},
        )
        for old in os.listdir(self.backup_dir):
            if old.startswith("epoch-") and old != name:
                os.remove(os.path.join(self.backup_dir, old))

    def _load_model(self):
        if not os.path.exists(self._training_metadata_path):
            return
        with open(self._training_metadata_path, encoding="utf-8") as file:
            metadata = json.load(file)
        # The optimizer's variables must exist before its state loads.
        if not self.model.optimizer.built:
            self.model.optimizer.build(self.model.trainable_variables)
        self.model.load_weights(
            os.path.join(self.backup_dir, metadata["weights"])
        )
        self.model._initial_epoch = metadata["epoch"]


def _check_same_run(state_dir, args, recipe):
    """Resumes only the same run: refuses state left by different settings."""
    settings = {
        "data": os.path.abspath(args.data) if args.data else None,
        "architecture": args.architecture,
        "seed": args.seed,
        "batch_size": args.batch_size,
        "batch_tokens": args.batch_tokens,
        "recipe": recipe,
    }
    path = os.path.join(state_dir, "settings.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as file:
            previous = json.load(file)
        if previous != settings:
            raise ValueError(
                f"{state_dir!r} holds the resume state of a run with other "
                f"settings ({previous}). Delete it, or pass another --out."
            )
    write_json_atomically(path, settings)


def _check_positive(args, recipe):
    for name, value in (
        ("--epochs", recipe["epochs"]),
        ("--max-tokens", recipe["max_tokens"]),
        ("--max-length", recipe["max_length"]),
        ("--batch-size", args.batch_size),
        (
            "--batch-tokens",
            1 if args.batch_tokens is None else args.batch_tokens,
        ),
        ("--patience", args.patience),
    ):
        if value < 1:
            raise ValueError(f"{name} must be >= 1. Received: {value}")
    if recipe["word_vector_epochs"] < 0:
        raise ValueError(
            "--word-vector-epochs must be >= 0. Received: "
            f"{recipe['word_vector_epochs']}"
        )
    if not 0 < recipe["learning_rate"]:
        raise ValueError(
            f"--learning-rate must be > 0. Received: {recipe['learning_rate']}"
        )
    if not 0 < args.test_share < 1:
        raise ValueError(
            f"--test-share must be in (0, 1). Received: {args.test_share}"
        )


def _is_imdb(path):
    if path is None:
        return True
    if os.path.isdir(path):
        return any(
            os.path.isdir(os.path.join(path, *parts))
            for parts in (("aclImdb",), ("train", "pos"))
        )
    return path.endswith((".tar.gz", ".tgz"))


def _load_data(args, recipe):
    """Train/validation/test splits as `(texts, labels)` pairs."""
    rng = np.random.default_rng(args.seed)
    use_unlabelled = (
        recipe["word_vector_epochs"] > 0 and recipe["unlabelled_size"] != 0
    )
    unlabelled, movies = [], None
    if _is_imdb(args.data):
        imdb = load_imdb(args.data, include_unlabelled=use_unlabelled)
        train = imdb.train_texts, imdb.train_labels
        test = imdb.test_texts, imdb.test_labels
        movies = imdb.train_movies
        unlabelled = imdb.unlabelled_texts
        class_names, skipped = list(IMDB_CLASS_NAMES), 0
    else:
        loaded = load_labelled_texts(
            args.data,
            args.text_column,
            args.label_column,
            args.skip_bad_rows,
            args.encoding,
        )
        texts, labels = loaded.texts, loaded.labels
        order = rng.permutation(len(texts))
        num_test = max(1, int(round(args.test_share * len(texts))))
        if len(texts) - num_test < 2:
            raise ValueError(
                f"{args.data!r} has {len(texts)} texts: too few to hold out a "
                "test set and still train."
            )
        test = _take((texts, labels), order[:num_test])
        train = _take((texts, labels), order[num_test:])
        class_names, skipped = loaded.class_names, loaded.skipped_rows
    if movies is not None:
        train = (*train, movies)
    train = _subset(train, recipe["train_size"], rng)
    test = _subset(test, recipe["test_size"], rng)
    num_validation = min(recipe["validation_size"], max(1, len(train[0]) // 10))
    validation, rest = _validation_split(
        len(train[0]), num_validation, train[2] if movies else None, rng
    )
    # Drawn last, so that the other splits do not depend on it.
    (unlabelled,) = _subset((unlabelled,), recipe["unlabelled_size"], rng)
    return {
        "train": _take(train[:2], rest),
        "validation": _take(train[:2], validation),
        "validation_grouped_by": "movie" if movies else None,
        "test": test,
        "unlabelled": list(unlabelled),
        "class_names": class_names,
        "skipped_rows": skipped,
    }


def _word_vectors(
    state_dir, recipe, train_ids, unlabelled, standardizer, vectorizer, seed
):
    """word2vec vectors for the embeddings (or `None`), and their seconds.

    Kept in the run's state folder, so a resumed run does not learn them
    again (and starts from the very same ones).
    """
    if recipe["word_vector_epochs"] == 0:
        return None, 0.0
    path = os.path.join(state_dir, "word_vectors.npz")
    if os.path.exists(path):
        with np.load(path) as saved:
            return saved["vectors"], float(saved["seconds"])
    start = time.perf_counter()
    unlabelled_ids, _ = texts_to_token_ids(unlabelled, standardizer, vectorizer)
    print(
        f"Learning word vectors on {len(train_ids)} training and "
        f"{len(unlabelled_ids)} unlabelled texts."
    )
    vectors = train_word_vectors(
        list(train_ids) + unlabelled_ids,
        vectorizer.vocabulary_size(),
        recipe["embedding_dim"],
        epochs=recipe["word_vector_epochs"],
        seed=seed,
    )
    seconds = time.perf_counter() - start
    write_atomically(
        path,
        lambda temp: np.savez(temp, vectors=vectors, seconds=seconds),
        suffix=".npz",
    )
    return vectors, seconds


def _validation_split(count, num_validation, groups, rng):
    """Indices of the validation texts and of the rest.

    With `groups` (the movie of each IMDB review), whole groups go to
    validation, in a seeded random order, until it holds `num_validation`
    texts or a few more: as in the published train/test split, no movie
    has reviews on both sides, so validation scores do not reward
    remembering a movie's other reviews.
    """
    if groups is None:
        order = rng.permutation(count)
        return order[:num_validation], order[num_validation:]
    members = {}
    for index, group in enumerate(groups):
        members.setdefault(group, []).append(index)
    names = sorted(members)
    validation = []
    for position in rng.permutation(len(names)):
        if len(validation) >= num_validation:
            break
        validation.extend(members[names[position]])
    if len(validation) >= count:
        raise ValueError(
            f"All {count} texts belong to {len(names)} movie(s): too few to "
            "hold out a validation set of whole movies."
        )
    chosen = set(validation)
    rest = [index for index in range(count) if index not in chosen]
    return validation, rest


def _take(split, indices):
    return tuple([column[i] for i in indices] for column in split)


def _subset(split, size, rng):
    if size is None or size >= len(split[0]):
        return split
    return _take(split, np.sort(rng.permutation(len(split[0]))[:size]))


def _to_model_input(dataset, architecture, boundary_ids):
    if architecture != "han":
        return dataset

    return dataset.map(
        lambda ids, labels: (
            split_into_sentences(
                ids,
                boundary_ids,
                _HAN_MAX_SENTENCES,
                _HAN_MAX_WORDS,
                sentence_multiple=4,
            ),
            labels,
        )
    )


def _build_classifier(architecture, vocabulary_size, num_classes, recipe):
    if architecture == "han":
        return HierarchicalAttentionClassifier(
            vocabulary_size,
            num_classes,
            embedding_dim=recipe["embedding_dim"],
            word_units=recipe["lstm_units"],
            sentence_units=recipe["lstm_units"],
            attention_units=recipe["attention_units"],
        )
    return BiLSTMAttentionClassifier(
        vocabulary_size,
        num_classes,
        embedding_dim=recipe["embedding_dim"],
        lstm_units=recipe["lstm_units"],
        attention_units=recipe["attention_units"],
        dropout=0.5,
        embedding_dropout=0.5,
    )


def _end_to_end(
    architecture,
    standardizer,
    vectorizer,
    classifier,
    class_names,
    max_length,
    boundary_ids,
):

    if architecture == "han":
        return EndToEndClassifier(
            standardizer,
            vectorizer,
            classifier,
            class_names,
            max_sentences=_HAN_MAX_SENTENCES,
            max_words=_HAN_MAX_WORDS,
            sentence_boundary_ids=boundary_ids,
        )
    return EndToEndClassifier(
        standardizer,
        vectorizer,
        classifier,
        class_names,
        max_length=max_length,
    )


def _save_model(model, path):
    model(tf.constant(["build"]))
    write_atomically(path, model.save, suffix=".keras")


def _write_report(out, model, test, class_names, history):
    texts, labels = test
    # Evenly spaced test texts, so both classes appear.
    picks = np.linspace(0, len(texts) - 1, min(_ATTENTION_EXAMPLES, len(texts)))
    picks = sorted(set(int(i) for i in picks))
    outputs = model(
        tf.constant([texts[i] for i in picks]), return_attention_scores=True
    )
    probabilities, ids, word_weights = (o.numpy() for o in outputs[:3])
    sentence_weights = outputs[3].numpy() if len(outputs) > 3 else None
    vocabulary = model.vectorizer.get_vocabulary()
    examples = []
    for row, i in enumerate(picks):
        prediction = int(np.argmax(probabilities[row]))
        example = {
            "words": attended_words(vocabulary, ids[row], word_weights[row]),
            "label": int(labels[i]),
            "prediction": prediction,
            "probability": float(probabilities[row, prediction]),
        }
        if sentence_weights is not None:
            kept = (ids[row] != 0).any(axis=-1)
            example["sentence_weights"] = [
                float(w) for w in sentence_weights[row][kept]
            ]
        examples.append(example)
    write_attention_html(
        os.path.join(out, "attention.html"), examples, class_names
    )
    write_learning_curves(os.path.join(out, "learning_curves.png"), history)
