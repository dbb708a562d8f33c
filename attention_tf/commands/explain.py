"""`attention-tf explain` and `attention-tf faithfulness`."""

import json
import os
import sys

import numpy as np

from attention_tf.explain.attribution_methods import IG_STEPS
from attention_tf.explain.model_loading import load_classifier
from attention_tf.utils.atomic_files import (
    write_json_atomically,
    write_text_atomically,
)

DEFAULT_LIMIT = 200


def register(subparsers):
    """Adds the `explain` and `faithfulness` subcommands."""
    explain = subparsers.add_parser(
        "explain",
        help="Attention, integrated gradients and leave-one-out per word.",
    )
    _add_model_arguments(explain)
    explain.add_argument(
        "--out", default="explanation.html", help="The HTML page to write."
    )
    explain.add_argument("--json", help="Also write the numbers here.")
    explain.add_argument("texts", nargs="+", help="Texts to explain.")
    explain.set_defaults(func=explain_command)

    faithfulness = subparsers.add_parser(
        "faithfulness",
        help="ERASER comprehensiveness / sufficiency of each attribution.",
    )
    _add_model_arguments(faithfulness)
    faithfulness.add_argument(
        "--data",
        required=True,
        help="An IMDB .tar.gz (its test split is used), or held-out texts: "
        ".csv/.tsv/.jsonl, or one folder per class (e.g. aclImdb/test).",
    )
    faithfulness.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        help="Texts drawn at random (seeded) from the data; 0 for all.",
    )
    faithfulness.add_argument(
        "--out",
        default=os.path.join("runs", "faithfulness"),
        help="Folder for faithfulness.json and faithfulness.png.",
    )
    faithfulness.add_argument("--seed", type=int, default=0)
    faithfulness.add_argument("--text-column", default="text")
    faithfulness.set_defaults(func=faithfulness_command)


def _add_model_arguments(parser):
    parser.add_argument(
        "--model",
        required=True,
        help="A train-doc-classifier output folder, or its model.keras.",
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=IG_STEPS,
        help="Integrated-gradients steps (trapezoidal rule intervals).",
    )


def _explainer(args):
    from attention_tf.explain.classifier_explainer import ClassifierExplainer

    return ClassifierExplainer(load_classifier(args.model), steps=args.steps)


def _check_steps(args):
    if args.steps < 1:
        raise ValueError(f"--steps must be >= 1. Received: {args.steps}")


def explain_command(args):
    from attention_tf.explain.report import explanation_html

    _check_steps(args)
    results = _explainer(args).explain(args.texts)
    write_text_atomically(args.out, explanation_html(args.texts, results))
    if args.json:
        write_json_atomically(args.json, {"results": results})
    for result in results:
        check = result["integrated_gradients_check"]
        print(
            f"{result['label']}\t{len(result['words'])} words\t"
            f"completeness gap {check['completeness_gap']:+.4f}"
            + ("" if check["complete"] else " (over tolerance: add --steps)")
        )
    print(f"Wrote {args.out}" + (f" and {args.json}" if args.json else ""))
    return 0


def faithfulness_command(args):
    from attention_tf.explain.faithfulness import evaluate_faithfulness
    from attention_tf.explain.report import (
        faithfulness_table,
        write_faithfulness_plot,
    )

    _check_steps(args)
    if args.limit < 0:
        raise ValueError(f"--limit must be >= 0. Received: {args.limit}")
    texts = held_out_texts(args.data, args.limit, args.seed, args.text_column)
    explainer = _explainer(args)

    def progress(done):
        if done % 10 == 0 or done == len(texts):
            print(f"{done}/{len(texts)} texts", file=sys.stderr, flush=True)

    results = evaluate_faithfulness(explainer, texts, args.seed, progress)
    results.update(model=os.path.abspath(args.model), data=args.data)
    results["seed"] = args.seed
    write_json_atomically(os.path.join(args.out, "faithfulness.json"), results)
    write_faithfulness_plot(os.path.join(args.out, "faithfulness.png"), results)
    print(faithfulness_table(results))
    print(
        json.dumps({"texts": results["texts"], **results["completeness_gap"]})
    )
    print(f"Wrote {args.out}/faithfulness.json and faithfulness.png")
    return 0


def held_out_texts(path, limit, seed, text_column="text"):
    """Texts to score: IMDB's test split, or all texts of the user's file.

    With `limit`, that many drawn at random (seeded), in their file order.
    """
    if path.endswith((".tar.gz", ".tgz")):
        from attention_tf.data.imdb import load_imdb

        texts = load_imdb(path).test_texts
    else:
        from attention_tf.data.labelled_files import load_labelled_texts

        texts = load_labelled_texts(path, text_column=text_column).texts
    if limit and limit < len(texts):
        picks = np.random.default_rng(seed).choice(len(texts), limit, False)
        texts = [texts[i] for i in sorted(picks)]
    return list(texts)
