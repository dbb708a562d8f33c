"""`attention-tf train-translator` and `attention-tf translate`.

The command line only parses: `train-translator` turns its flags into a
`TranslatorConfig` (a named preset changed with `dataclasses.replace`) and
hands it to `train_translator`; `translate` loads a `Translator`.
"""

import dataclasses
import itertools
import os
import sys

from attention_tf.training.runtime import Runtime, add_runtime_arguments
from attention_tf.training.translator.config import (
    CELL_TYPES,
    DATASETS,
    DIRECTIONS,
    preset,
)

# Sentences read from stdin are translated this many at a time.
STDIN_BATCH = 64


def register(subparsers):
    """Adds the `train-translator` and `translate` subcommands."""
    _register_train(subparsers)
    _register_translate(subparsers)


def _register_train(subparsers):
    # `train-decoder`: the command's first name, kept working.
    train = subparsers.add_parser(
        "train-translator",
        aliases=["train-decoder"],
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
    train.add_argument("--direction", choices=DIRECTIONS, default="spa-eng")
    train.add_argument("--cell", choices=CELL_TYPES, default="gru")
    train.add_argument(
        "--minutes", type=float, help="Training time budget (default: preset)."
    )
    train.add_argument("--epochs", type=int, help="Most epochs (at least 1).")
    train.add_argument(
        "--test-size",
        type=int,
        help="Held-out test pairs (default: 2,000, or a tenth of a smaller "
        "file).",
    )
    train.add_argument(
        "--beam",
        type=int,
        help="Beam width for the test metrics (default: chosen on the "
        "validation split for spa-eng, 4 for dates).",
    )
    train.add_argument(
        "--overwrite",
        action="store_true",
        help="Replace a translator already trained in --out.",
    )
    train.add_argument("--seed", type=int, default=1234)
    add_runtime_arguments(train)
    train.set_defaults(func=run_training)


def _register_translate(subparsers):
    translate = subparsers.add_parser(
        "translate",
        help="Translate sentences (arguments, or stdin lines) with a "
        "trained decoder.",
    )
    translate.add_argument(
        "--model", required=True, help="Output folder of train-translator."
    )
    translate.add_argument(
        "text",
        nargs="*",
        help="Sentences to translate; none: one per line from stdin.",
    )
    translate.add_argument(
        "--beam",
        type=int,
        help="Beam width, 1 for greedy (default: the run's chosen width).",
    )
    translate.add_argument(
        "--plot", help="Write the first sentence's attention heatmap here."
    )
    translate.set_defaults(func=run_translate)


def recipe_from_args(args):
    """The preset of `args.dataset`, changed by the flags given."""
    changes = {"direction": args.direction, "cell_type": args.cell}
    changes["seed"] = args.seed
    for flag, field in (
        ("minutes", "minutes"),
        ("epochs", "epochs"),
        ("test_size", "test_size"),
    ):
        if getattr(args, flag) is not None:
            changes[field] = getattr(args, flag)
    if args.beam is not None:
        # A width given by hand is used as is, not tuned.
        changes.update(beam_width=args.beam, beam_widths=())
    return dataclasses.replace(preset(args.dataset, args.quick), **changes)


def run_training(args):
    import json

    from attention_tf.training.translator.trainer import (
        check_out_folder,
        train_translator,
    )

    recipe = recipe_from_args(args)
    check_out_folder(args.out, args.overwrite)
    # First: a multi-worker strategy must start before TensorFlow runs.
    with Runtime(args.strategy, args.mixed_precision) as runtime:
        metrics = train_translator(
            recipe, args.out, args.data, runtime, args.overwrite
        )
    print(json.dumps(metrics, indent=2))
    return 0


def run_translate(args):
    from attention_tf.models.bahdanau.translator import Translator
    from attention_tf.training.translator.alignment_plot import plot_alignments

    translator = Translator.load(args.model)
    if args.text:
        results = translator.translate(args.text, beam=args.beam)
        for result in results:
            print(result.text)
    else:
        results = _translate_stdin(translator, args.beam)
    if args.plot and results:
        plot_alignments(results[:1], args.plot)
    return 0


def _translate_stdin(translator, beam):
    """Translates stdin line by line in batches; an empty line stays empty.

    Returns the first batch's results (for `--plot`).
    """
    lines = (line.strip() for line in sys.stdin)
    first_results, first_line = None, 1
    while batch := list(itertools.islice(lines, STDIN_BATCH)):
        results = _print_batch(translator, batch, beam, first_line)
        if first_results is None:
            first_results = results
        first_line += len(batch)
    return first_results or []


def _print_batch(translator, lines, beam, first_line):
    texts = [line for line in lines if line]
    try:
        results = translator.translate(texts, beam=beam) if texts else []
    except ValueError as error:
        raise ValueError(
            f"stdin lines {first_line}-{first_line + len(lines) - 1}: {error}"
        ) from error
    outputs = iter(results)
    for line in lines:
        print(next(outputs).text if line else "", flush=True)
    return results
