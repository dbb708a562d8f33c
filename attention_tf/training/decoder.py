"""`attention-tf train-decoder` and `attention-tf translate`.

Trains a `BahdanauTranslator` on Tatoeba Spanish-English or the synthetic
date task, then writes to the output folder:

- `model.keras`, `source_vocabulary.txt`, `target_vocabulary.txt` and
  `decoder.json` (lengths and task), all that `translate` needs;
- `metrics.json`: BLEU of greedy and beam decoding on the held-out test set,
  date exact match, speeds, sizes;
- `alignments.png`: source x target attention of a few test sentences;
- `samples.txt`: source, reference, greedy and beam output.

BLEU: sacreBLEU `corpus_bleu` with `tokenize="none"` and one reference per
sentence, on lowercased, NFKC-normalised text with punctuation split into
tokens (`attention_tf.data.parallel_text.standardize`), for the hypotheses
and the references alike. Unknown words in a hypothesis stay `[UNK]` and
count as errors.
"""

import json
import os
import time
import warnings

import numpy as np

from attention_tf.data import parallel_text
from attention_tf.training.atomic_files import (
    write_atomically,
    write_text_atomically,
)
from attention_tf.training.runtime import Runtime, add_runtime_arguments

# Model sizes and training settings per task. `minutes` caps training time.
PRESETS = {
    "dates": dict(
        model=dict(
            embedding_dim=32,
            encoder_units=64,
            decoder_units=64,
            attention_units=32,
            output_units=64,
        ),
        num_train=20000,
        num_test=2000,
        batch_size=64,
        learning_rate=3e-3,
        epochs=12,
        minutes=1.0,
        max_source_tokens=None,
        max_target_tokens=None,
        max_source_length=16,
        max_target_length=8,
    ),
    "spa-eng": dict(
        model=dict(
            embedding_dim=128,
            encoder_units=192,
            decoder_units=256,
            attention_units=128,
            output_units=256,
            dropout=0.1,
        ),
        num_train=None,
        num_test=2000,
        batch_size=64,
        learning_rate=2e-3,
        epochs=30,
        minutes=30.0,
        max_source_tokens=16000,
        max_target_tokens=10000,
        max_source_length=40,
        max_target_length=40,
    ),
}
QUICK = {
    "dates": dict(epochs=4),
    "spa-eng": dict(num_train=20000, minutes=1.0, epochs=1),
}
DATASETS = tuple(PRESETS)
BEAM_WIDTH = 4
EVAL_BATCH_SIZE = 200


def register(subparsers):
    train = subparsers.add_parser(
        "train-decoder",
        help="Train the Bahdanau encoder-decoder (Spanish-English or dates).",
    )
    train.add_argument("--dataset", choices=DATASETS, default="spa-eng")
    train.add_argument(
        "--data",
        help="spa-eng.zip / spa.txt.gz (default: "
        "$ATTENTION_TF_SPA_ENG, else download).",
    )
    train.add_argument("--out", default=os.path.join("runs", "decoder"))
    train.add_argument(
        "--quick", action="store_true", help="Small, fast run (smoke test)."
    )
    train.add_argument(
        "--direction", choices=("spa-eng", "eng-spa"), default="spa-eng"
    )
    train.add_argument("--cell", choices=("gru", "lstm"), default="gru")
    train.add_argument(
        "--minutes",
        type=float,
        help="Training time budget (default: per dataset).",
    )
    train.add_argument("--epochs", type=int, help="Most epochs.")
    train.add_argument(
        "--beam",
        type=int,
        default=BEAM_WIDTH,
        help="Beam width for the test metrics.",
    )
    train.add_argument("--seed", type=int, default=1234)
    add_runtime_arguments(train)
    train.set_defaults(func=run_training)

    translate = subparsers.add_parser(
        "translate", help="Translate text with a trained decoder."
    )
    translate.add_argument(
        "--model", required=True, help="Output folder of train-decoder."
    )
    translate.add_argument("text", nargs="+", help="Sentences to translate.")
    translate.add_argument(
        "--beam",
        type=int,
        default=0,
        help="Beam width; 0 or 1 for greedy decoding.",
    )
    translate.add_argument("--plot", help="Write the attention heatmap here.")
    translate.set_defaults(func=run_translate)


# === Data ===


def load_task(dataset, data=None, direction="spa-eng", seed=1234, quick=False):
    """`(train_pairs, test_pairs, settings)` of raw `(source, target)` texts."""
    if dataset not in PRESETS:
        raise ValueError(
            f"`dataset` must be one of {DATASETS}. Received: {dataset!r}"
        )
    settings = dict(PRESETS[dataset], **(QUICK[dataset] if quick else {}))
    if dataset == "dates":
        from attention_tf.data import dates

        pairs = dates.generate(
            settings["num_train"] + settings["num_test"], seed=seed
        )
        # Held-out *dates*: no test date appears in training in any format.
        train, test = parallel_text.split_pairs(
            pairs, settings["num_test"], seed, key=lambda pair: pair[1]
        )
    else:
        from attention_tf.data import spa_eng

        pairs = spa_eng.load_pairs(data, direction)
        train, test = parallel_text.split_pairs(
            pairs,
            settings["num_test"],
            seed,
            key=lambda pair: parallel_text.standardize(pair[0]),
        )
        if settings["num_train"]:
            order = np.random.default_rng(seed).permutation(len(train))
            train = [train[i] for i in order[: settings["num_train"]]]
    return train, test, settings


class Codec:
    """Both vocabularies and the length limits: text <-> token ids."""

    def __init__(
        self,
        source_vocabulary,
        target_vocabulary,
        max_source_length,
        max_target_length,
    ):
        self.source = parallel_text.make_vectorizer(
            None, vocabulary=source_vocabulary
        )
        self.target = parallel_text.make_vectorizer(
            None, vocabulary=target_vocabulary
        )
        self.target_words = np.array(self.target.get_vocabulary())
        self.max_source_length = max_source_length
        self.max_target_length = max_target_length
        self.start_id = int(
            np.flatnonzero(self.target_words == parallel_text.START_TOKEN)[0]
        )
        self.end_id = int(
            np.flatnonzero(self.target_words == parallel_text.END_TOKEN)[0]
        )

    @classmethod
    def adapt(cls, train_pairs, settings):
        sources = [parallel_text.standardize(s) for s, _ in train_pairs]
        targets = [
            parallel_text.with_start_end(parallel_text.standardize(t))
            for _, t in train_pairs
        ]
        source = parallel_text.make_vectorizer(
            sources, settings["max_source_tokens"]
        )
        target = parallel_text.make_vectorizer(
            targets, settings["max_target_tokens"]
        )
        return cls(
            source.get_vocabulary(),
            target.get_vocabulary(),
            settings["max_source_length"],
            settings["max_target_length"],
        )

    def encode_sources(self, texts, warn=True):
        """Padded source ids; over-long sentences are cut with a warning."""
        standardized = [parallel_text.standardize(t) for t in texts]
        for text, tokens in zip(texts, standardized):
            if not tokens:
                raise ValueError(f"Empty input: {text!r} has no tokens.")
        sequences = parallel_text.vectorize(self.source, standardized)
        too_long = sum(len(s) > self.max_source_length for s in sequences)
        if too_long and warn:
            warnings.warn(
                f"{too_long} input(s) longer than {self.max_source_length} "
                "tokens were truncated.",
                stacklevel=2,
            )
        return parallel_text.pad(
            [s[: self.max_source_length] for s in sequences]
        )

    def encode_targets(self, texts):
        return parallel_text.vectorize(
            self.target,
            [
                parallel_text.with_start_end(parallel_text.standardize(t))
                for t in texts
            ],
        )

    def decode_targets(self, ids):
        """Token lists up to (without) the end token."""
        sentences = []
        for row in np.asarray(ids):
            stop = np.flatnonzero(row == self.end_id)
            row = row[: stop[0]] if len(stop) else row[row != 0]
            sentences.append(list(self.target_words[row]))
        return sentences

    def save(self, folder):
        for name, vectorizer in (
            ("source", self.source),
            ("target", self.target),
        ):
            write_text_atomically(
                os.path.join(folder, f"{name}_vocabulary.txt"),
                "\n".join(vectorizer.get_vocabulary()) + "\n",
            )

    @classmethod
    def load(cls, folder, max_source_length, max_target_length):
        vocabularies = []
        for name in ("source", "target"):
            with open(
                os.path.join(folder, f"{name}_vocabulary.txt"), encoding="utf-8"
            ) as handle:
                vocabularies.append(handle.read().split("\n")[:-1])
        return cls(*vocabularies, max_source_length, max_target_length)


# === Training ===


def run_training(args):
    # First: a multi-worker strategy must start before TensorFlow runs.
    with Runtime(args.strategy, args.mixed_precision) as runtime:
        return _train(args, runtime)


def _train(args, runtime):
    import keras

    from attention_tf.models.bahdanau_translator import BahdanauTranslator

    keras.utils.set_random_seed(args.seed)
    train_pairs, test_pairs, settings = load_task(
        args.dataset, args.data, args.direction, args.seed, args.quick
    )
    if args.minutes is not None:
        settings["minutes"] = args.minutes
    if args.epochs is not None:
        settings["epochs"] = args.epochs
    codec = Codec.adapt(train_pairs, settings)
    sources = parallel_text.vectorize(
        codec.source, [parallel_text.standardize(s) for s, _ in train_pairs]
    )
    targets = codec.encode_targets([t for _, t in train_pairs])
    # Training drops the few pairs over the length limits (the test keeps
    # them, truncated).
    keep = [
        i
        for i, (s, t) in enumerate(zip(sources, targets))
        if 0 < len(s) <= codec.max_source_length
        and len(t) <= codec.max_target_length + 1
    ]
    dropped_pairs = len(sources) - len(keep)
    sources = [sources[i] for i in keep]
    targets = [targets[i] for i in keep]

    rng = np.random.default_rng(args.seed)
    dataset = _batches_dataset(sources, targets, settings["batch_size"], rng)
    budget = _TimeBudget(settings["minutes"] * 60.0)
    print(
        f"Training on {len(sources)} pairs ({dropped_pairs} dropped: empty "
        f"or over the length limits), testing on {len(test_pairs)}; "
        f"budget {settings['minutes']:.1f} min, at most "
        f"{settings['epochs']} epochs; {runtime.describe()}.",
        flush=True,
    )
    with runtime.scope():
        model = BahdanauTranslator(
            codec.source.vocabulary_size(),
            codec.target.vocabulary_size(),
            codec.start_id,
            codec.end_id,
            cell_type=args.cell,
            **settings["model"],
        )
        model.compile(
            optimizer=keras.optimizers.Adam(
                settings["learning_rate"], clipnorm=1.0
            ),
            loss=keras.losses.SparseCategoricalCrossentropy(
                from_logits=True, ignore_class=0
            ),
        )
        runtime.prepare(model).fit(
            dataset,
            epochs=settings["epochs"],
            callbacks=[budget],
            shuffle=False,
            verbose=2,
        )
    if not runtime.is_chief:
        return 0

    os.makedirs(args.out, exist_ok=True)
    write_atomically(
        os.path.join(args.out, "model.keras"), model.save, suffix=".keras"
    )
    codec.save(args.out)
    write_text_atomically(
        os.path.join(args.out, "decoder.json"),
        json.dumps(
            {
                "dataset": args.dataset,
                "direction": args.direction,
                "max_source_length": codec.max_source_length,
                "max_target_length": codec.max_target_length,
            },
            indent=2,
        )
        + "\n",
    )

    metrics = evaluate(
        model, codec, test_pairs, args.dataset, args.beam, args.out
    )
    metrics.update(
        dataset=args.dataset,
        direction=args.direction if args.dataset == "spa-eng" else None,
        train_seconds=round(budget.seconds, 1),
        epochs=budget.epochs,
        num_train=len(sources),
        num_train_dropped=dropped_pairs,
        num_test=len(test_pairs),
        command=_command_line(args),
    )
    write_text_atomically(
        os.path.join(args.out, "metrics.json"),
        json.dumps(metrics, indent=2) + "\n",
    )
    print(json.dumps(metrics, indent=2))
    return 0


def _command_line(args):
    words = ["attention-tf", "train-decoder"]
    for name, value in sorted(vars(args).items()):
        if name in ("func", "command") or value in (None, False):
            continue
        words.append("--" + name.replace("_", "-"))
        if value is not True:
            words.append(str(value))
    return " ".join(words)


class _TimeBudget:
    """Stops training once the time budget is spent (checked every batch)."""

    def __new__(cls, seconds):
        import keras

        class TimeBudget(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.start = time.perf_counter()
                self.seconds, self.epochs = 0.0, 0

            def on_train_batch_end(self, batch, logs=None):
                self.seconds = time.perf_counter() - self.start
                if self.seconds > seconds:
                    self.model.stop_training = True

            def on_epoch_end(self, epoch, logs=None):
                self.epochs = epoch + 1

        return TimeBudget()


def _batches_dataset(sources, targets, batch_size, rng):
    """A `tf.data` pipeline of fresh length buckets every epoch."""
    import tensorflow as tf

    def generate():
        yield from parallel_text.bucketed_batches(
            sources, targets, batch_size, rng
        )

    spec = tf.TensorSpec([None, None], tf.int32)
    num_batches = -(-len(sources) // batch_size)
    # Under a multi-worker strategy every worker generates the same batches
    # (same seed) and keeps its share of each.
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = (
        tf.data.experimental.AutoShardPolicy.DATA
    )
    return (
        tf.data.Dataset.from_generator(
            generate, output_signature=((spec, spec), spec)
        )
        .apply(tf.data.experimental.assert_cardinality(num_batches))
        .prefetch(4)
        .with_options(options)
    )


# === Evaluation ===


def decode_all(model, source_ids, beam_width, max_length):
    """Decodes in batches of similar length; returns tokens, weights, seconds.

    The first batch is decoded twice so that tracing is not timed.
    """
    order = np.argsort([-(row != 0).sum() for row in source_ids], kind="stable")
    tokens, weights = [None] * len(source_ids), [None] * len(source_ids)

    def decode(batch):
        lengths = (batch != 0).sum(1)
        batch = batch[:, : max(1, lengths.max())]
        if beam_width > 1:
            out = model.beam_search(batch, beam_width, max_length)
        else:
            out = model.greedy_decode(batch, max_length)
        return _to_numpy(out[0]), _to_numpy(out[2])

    decode(source_ids[order[:EVAL_BATCH_SIZE]])
    start = time.perf_counter()
    for first in range(0, len(order), EVAL_BATCH_SIZE):
        rows = order[first : first + EVAL_BATCH_SIZE]
        batch_tokens, batch_weights = decode(source_ids[rows])
        for row, t, w in zip(rows, batch_tokens, batch_weights):
            tokens[row], weights[row] = t, w
    return tokens, weights, time.perf_counter() - start


def evaluate(model, codec, test_pairs, dataset, beam_width, out=None):
    """Test metrics; with `out`, also writes samples and alignment plots."""
    import sacrebleu

    sources = [s for s, _ in test_pairs]
    references = [parallel_text.standardize(t) for _, t in test_pairs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source_ids = codec.encode_sources(sources)
    metrics = {"beam_width": beam_width}
    outputs = {}
    for name, width in (("greedy", 1), ("beam", beam_width)):
        tokens, weights, seconds = decode_all(
            model, source_ids, width, codec.max_target_length
        )
        hypotheses = [" ".join(t) for t in codec.decode_targets(tokens)]
        outputs[name] = (hypotheses, weights, tokens)
        bleu = sacrebleu.corpus_bleu(
            hypotheses, [references], tokenize="none", force=True
        )
        metrics[f"bleu_{name}"] = round(bleu.score, 2)
        metrics[f"sentences_per_second_{name}"] = round(
            len(sources) / seconds, 1
        )
        if dataset == "dates":
            metrics[f"exact_match_{name}"] = round(
                float(
                    np.mean(
                        [
                            h.replace(" ", "") == r.replace(" ", "")
                            for h, r in zip(hypotheses, references)
                        ]
                    )
                ),
                4,
            )
    if dataset == "dates":
        metrics["exact_match"] = metrics["exact_match_greedy"]
        metrics["date_field_alignment"] = round(
            date_field_alignment(
                codec,
                sources,
                source_ids,
                outputs["greedy"][1],
                [t for _, t in test_pairs],
            ),
            4,
        )
    metrics["bleu_computation"] = (
        "sacrebleu.corpus_bleu(tokenize='none', one reference) on lowercased, "
        "NFKC, punctuation-split text; sacrebleu " + sacrebleu.__version__
    )
    if out:
        lines = []
        # Spread over the test set, which keeps the file's rough order by
        # length, so that samples and plots are not all the shortest ones.
        for i in _spread(len(test_pairs), 100):
            source, reference = test_pairs[i]
            lines += [
                f"source:    {source}",
                f"reference: {reference}",
                f"greedy:    {outputs['greedy'][0][i]}",
                f"beam:      {outputs['beam'][0][i]}",
                "",
            ]
        write_text_atomically(
            os.path.join(out, "samples.txt"), "\n".join(lines)
        )
        examples = []
        for i in _spread(len(test_pairs), 4):
            source_tokens = parallel_text.standardize(sources[i]).split()
            source_tokens = source_tokens[: codec.max_source_length]
            target_tokens = codec.decode_targets([outputs["greedy"][2][i]])[0]
            weights = outputs["greedy"][1][i]
            examples.append((source_tokens, target_tokens + ["[end]"], weights))
        plot_alignments(examples, os.path.join(out, "alignments.png"))
    return metrics


def _to_numpy(tensor):
    """NumPy from any backend (a PyTorch tensor may still require grad)."""
    import keras

    return keras.ops.convert_to_numpy(tensor)


def _spread(total, count):
    """Up to `count` indices spread evenly over `range(total)`."""
    if total <= count:
        return list(range(total))
    return sorted(set(np.linspace(0, total - 1, count + 2).astype(int)[1:-1]))


def date_field_alignment(codec, sources, source_ids, weights, isos):
    """Fraction of year/month/day output tokens whose attention argmax lands
    on a source token that carries that field."""
    from attention_tf.data import dates

    hits = total = 0
    for text, ids, w, iso in zip(sources, source_ids, weights, isos):
        tokens = parallel_text.standardize(text).split()[: len(ids)]
        fields = dates.field_tokens(iso)
        # Output layout: year - month - day [end].
        for position, field in ((0, "year"), (2, "month"), (4, "day")):
            total += 1
            hits += tokens[int(np.argmax(w[position]))] in fields[field]
    return hits / max(total, 1)


def plot_alignments(examples, path):
    """Heatmaps of `(source_tokens, target_tokens, weights)` examples."""
    # A bare Figure, not pyplot: it leaves the caller's backend alone (a
    # notebook keeps showing its own plots inline).
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4.5 * len(examples), 4.5))
    axes = figure.subplots(1, len(examples), squeeze=False)
    for axis, (source, target, weights) in zip(axes[0], examples):
        axis.imshow(
            weights[: len(target), : len(source)],
            cmap="viridis",
            vmin=0.0,
            vmax=1.0,
        )
        axis.set_xticks(range(len(source)), source, rotation=90)
        axis.set_yticks(range(len(target)), target)
        axis.set_xlabel("source")
        axis.set_ylabel("output")
    figure.tight_layout()
    write_atomically(
        path, lambda tmp: figure.savefig(tmp, format="png", dpi=100)
    )


# === Translation ===


def run_translate(args):
    translator = load_translator(args.model)
    results = translator(args.text, beam_width=args.beam)
    for tokens, _ in results:
        print(" ".join(tokens))
    if args.plot:
        source = parallel_text.standardize(args.text[0]).split()
        tokens, weights = results[0]
        source = source[: translator.codec.max_source_length]
        plot_alignments([(source, tokens + ["[end]"], weights)], args.plot)
    return 0


def load_translator(folder):
    """A function `texts, beam_width -> [(tokens, weights)]` from a run folder."""
    import keras

    import attention_tf.models.bahdanau_translator  # noqa: F401 (registers)

    path = os.path.join(folder, "model.keras")
    if not os.path.isfile(path):
        raise ValueError(f"No model.keras in {folder!r}: train one first.")
    model = keras.saving.load_model(path, safe_mode=True)
    with open(os.path.join(folder, "decoder.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    codec = Codec.load(
        folder, config["max_source_length"], config["max_target_length"]
    )

    known_words = set(codec.source.get_vocabulary())

    def translate(texts, beam_width=0):
        if not texts:
            raise ValueError("No text to translate.")
        source_ids = codec.encode_sources(texts)
        unknown = [
            word
            for text in texts
            for word in parallel_text.standardize(text).split()
            if word not in known_words
        ]
        if unknown:
            warnings.warn(
                f"Unknown words, read as [UNK]: {unknown}", stacklevel=2
            )
        if beam_width > 1:
            out = model.beam_search(
                source_ids, beam_width, codec.max_target_length
            )
        else:
            out = model.greedy_decode(source_ids, codec.max_target_length)
        tokens = codec.decode_targets(_to_numpy(out[0]))
        weights = _to_numpy(out[2])
        return [(t, w) for t, w in zip(tokens, weights)]

    translate.codec = codec
    return translate
