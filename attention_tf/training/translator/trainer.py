"""Trains a `BahdanauTranslator` from a recipe and writes the run folder.

`train_translator` orchestrates: load and split the pairs, fit the
preprocessor, build and fit the model, choose the beam settings on the
validation split, score on the test split, write the outputs:

- `model.keras` and `translator.json` (preprocessor and decoding
  settings): all that `Translator.load` and `attention-tf translate` need;
- `metrics.json`: cased detokenised sacreBLEU (13a, with its signature) and
  chrF of greedy and beam decoding, the earlier lowercased BLEU, date exact
  match, speeds, sizes, times;
- `samples.txt` (sources, references, outputs) and `alignments.png`.

A folder that already holds a trained translator is left alone unless
`overwrite=True`: a new run never silently replaces a trained model.
"""

import dataclasses
import os

import numpy as np

from attention_tf.data import parallel_text
from attention_tf.models.bahdanau.bahdanau_translator_preprocessor import (
    BahdanauTranslatorPreprocessor,
)
from attention_tf.models.bahdanau.translator import (
    MODEL_FILE,
    SETTINGS_FILE,
    Translator,
)
from attention_tf.training.translator import evaluation
from attention_tf.training.translator.alignment_plot import plot_alignments
from attention_tf.training.translator.data import load_translation_data
from attention_tf.utils.atomic_files import (
    write_json_atomically,
    write_text_atomically,
)


def check_out_folder(out, overwrite=False):
    """Refuses an `out` that is a file, or holds a translator to keep."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise ValueError(f"--out {out!r} is a file, not a folder.")
    existing = [
        name
        for name in (MODEL_FILE, SETTINGS_FILE)
        if os.path.exists(os.path.join(out, name))
    ]
    if existing and not overwrite:
        raise ValueError(
            f"{out!r} already holds a trained translator ({existing[0]}); "
            "it is left as it is. Choose another --out, or pass --overwrite "
            "to replace it."
        )


def train_translator(recipe, out, data=None, runtime=None, overwrite=False):
    """Runs `recipe` (a `TranslatorConfig`); returns the metrics dict.

    Args:
        recipe: A `TranslatorConfig`.
        out: Output folder.
        data: The spa-eng file (see `spa_eng.resolve_path`).
        runtime: A `Runtime` (default: one device, float32).
        overwrite: Replace a translator already in `out`.
    """
    import keras

    from attention_tf.training.runtime import Runtime

    check_out_folder(out, overwrite)
    runtime = runtime or Runtime()
    keras.utils.set_random_seed(recipe.seed)
    data = load_translation_data(recipe, data)
    preprocessor = _adapt_preprocessor(recipe, data.train)
    sources, targets, dropped = preprocessor.training_pairs(data.train)
    print(
        f"Training on {len(sources)} pairs ({dropped} dropped: empty or "
        f"over the length limits), validating on {len(data.validation)}, "
        f"testing on {len(data.test)}; budget {recipe.minutes:.1f} min, at "
        f"most {recipe.epochs} epochs; {runtime.describe()}.",
        flush=True,
    )
    model, budget = _fit(recipe, preprocessor, sources, targets, runtime)
    if not runtime.is_chief:
        return {}
    translator = _translator(recipe, model, preprocessor)
    metrics, outputs = _evaluate(translator, recipe, data)
    metrics.update(
        train_seconds=round(budget.seconds, 1),
        first_batch_seconds=round(budget.first_batch_seconds, 1),
        epochs=budget.epochs,
        num_train=len(sources),
        num_train_dropped=dropped,
        **_data_metrics(recipe, data, preprocessor),
    )
    _write_outputs(translator, metrics, outputs, data.test, out)
    return metrics


def _adapt_preprocessor(recipe, train_pairs):
    """The recipe's tokenizers, trained on `train_pairs`, and length limits."""
    return BahdanauTranslatorPreprocessor.adapt(
        train_pairs,
        recipe.source_model,
        recipe.source_vocabulary_size,
        recipe.target_model,
        recipe.target_vocabulary_size,
        recipe.max_source_length,
        recipe.max_target_length,
    )


def _translator(recipe, model, preprocessor):
    """The trained `Translator`, with the recipe's decoding settings."""
    return Translator(
        model,
        preprocessor,
        recipe.beam_width,
        recipe.alpha,
        info={
            "dataset": recipe.dataset,
            "direction": recipe.direction
            if recipe.dataset == "spa-eng"
            else None,
        },
    )


def _data_metrics(recipe, data, preprocessor):
    """Split sizes, vocabularies, target round trip, and the recipe itself."""
    return dict(
        num_validation=len(data.validation),
        num_test=len(data.test),
        source_vocabulary_size=preprocessor.source_vocabulary_size,
        target_vocabulary_size=preprocessor.target_vocabulary_size,
        target_round_trip=round_trip_share(preprocessor, data.train),
        recipe=dataclasses.asdict(recipe),
    )


def compiled_translator(
    recipe, source_vocabulary_size, target_vocabulary_size, start, end
):
    """The `BahdanauTranslator` of `recipe`, compiled as it is trained."""
    import keras

    from attention_tf.models.bahdanau.bahdanau_translator import (
        BahdanauTranslator,
    )

    model = BahdanauTranslator(
        source_vocabulary_size,
        target_vocabulary_size,
        start,
        end,
        **recipe.model_arguments,
    )
    model.compile(
        optimizer=keras.optimizers.Adam(recipe.learning_rate, clipnorm=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(
            from_logits=True, ignore_class=0
        ),
    )
    return model


def _fit(recipe, preprocessor, sources, targets, runtime):
    from attention_tf.training.time_budget import TimeBudget

    rng = np.random.default_rng(recipe.seed)
    dataset = _batches_dataset(sources, targets, recipe.batch_size, rng)
    budget = TimeBudget(recipe.minutes * 60.0)
    with runtime.scope():
        model = compiled_translator(
            recipe,
            preprocessor.source_vocabulary_size,
            preprocessor.target_vocabulary_size,
            preprocessor.start_token_id,
            preprocessor.end_token_id,
        )
        runtime.prepare(model).fit(
            dataset,
            epochs=recipe.epochs,
            callbacks=[budget],
            shuffle=False,
            verbose=2,
        )
    return model, budget


def _evaluate(translator, recipe, data):
    """Chooses the beam settings on validation, then scores the test set."""
    tuning = {}
    if data.validation and recipe.beam_widths:
        width, alpha, table = evaluation.choose_beam(
            translator,
            data.validation,
            recipe.beam_widths,
            recipe.alphas or (recipe.alpha,),
        )
        translator.beam_width, translator.alpha = width, alpha
        tuning = {"validation_bleu_cased_by_beam_width_alpha": table}
    metrics, outputs = evaluation.evaluate(
        translator, data.test, recipe.dataset
    )
    metrics.update(tuning)
    return metrics, outputs


def round_trip_share(preprocessor, pairs):
    """Share of training targets that detokenise back exactly as written."""
    targets = [t for _, t in pairs]
    tokenizer = preprocessor.target_tokenizer
    back = tokenizer.detokenize(tokenizer.tokenize(targets))
    return round(float(np.mean([a == b for a, b in zip(back, targets)])), 6)


def _write_outputs(translator, metrics, outputs, test_pairs, out):
    translator.save(out)
    write_text_atomically(
        os.path.join(out, "samples.txt"),
        evaluation.samples_text(test_pairs, outputs),
    )
    plot_alignments(
        [outputs["greedy"][i] for i in evaluation.spread(len(test_pairs), 4)],
        os.path.join(out, "alignments.png"),
    )
    # Last: a metrics.json marks a finished run.
    write_json_atomically(os.path.join(out, "metrics.json"), metrics)


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
