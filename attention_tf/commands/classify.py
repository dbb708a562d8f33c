"""`attention-tf classify`: a trained classifier's labels for texts."""

import keras
import tensorflow as tf

from attention_tf.explain.attended_words import attended_words
from attention_tf.layers.attention_heads import head_mean
from attention_tf.models.document_classifier import EndToEndClassifier


def register(subparsers):
    """Adds the `classify` subcommand."""
    _register_classify(subparsers)


def _register_classify(subparsers):
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
    classify.set_defaults(func=classify_command)


def classify_command(args):
    """Prints label, probability and top attended words for each text."""
    model = EndToEndClassifier.load(args.model)
    vocabulary = model.vectorizer.get_vocabulary()
    probabilities, ids, weights = (
        keras.ops.convert_to_numpy(output)
        for output in model(
            tf.constant(args.texts),
            return_attention_scores=True,
        )[:3]
    )
    # Several heads: a word's weight is its mean over them.
    weights = head_mean(ids, weights)[0]
    for text, p, row_ids, row_weights in zip(
        args.texts, probabilities, ids, weights
    ):
        words = attended_words(vocabulary, row_ids, row_weights)
        if words and isinstance(words[0], list):
            words = [pair for sentence in words for pair in sentence]
        top = sorted(words, key=lambda pair: -pair[1])[: args.top]
        label = int(p.argmax())
        print(
            f"{model.class_names[label]}\t{p[label]:.4f}\t"
            + (
                ", ".join(f"{w} ({a:.2f})" for w, a in top)
                or "(no known words)"
            )
            + f"\t{text[:60]!r}"
        )
    return 0
