"""What a trained document classifier looked at: attention HTML, curves."""

import html

import numpy as np

from attention_tf.training.atomic_files import (
    write_atomically,
    write_text_atomically,
)


def attended_words(vocabulary, token_ids, weights):
    """Pairs each non-padding token of one text with its attention weight.

    Args:
        vocabulary: The vectorizer's vocabulary (id -> word).
        token_ids: Ids `[time]`, or `[sentences, words]` for HAN.
        weights: Word weights with the same shape as `token_ids`.

    Returns:
        A list of `(word, weight)` tuples; for HAN, a list per sentence.
    """
    token_ids, weights = np.asarray(token_ids), np.asarray(weights)
    if token_ids.ndim == 2:
        return [
            attended_words(vocabulary, ids, w)
            for ids, w in zip(token_ids, weights)
            if (ids != 0).any()
        ]
    return [
        (vocabulary[i], float(w)) for i, w in zip(token_ids, weights) if i != 0
    ]


def write_attention_html(path, examples, class_names):
    """Writes `attention_html(examples, class_names)` to `path`."""
    write_text_atomically(path, attention_html(examples, class_names))


def attention_html(examples, class_names, title="Attention over test reviews"):
    """Texts with each word shaded by its attention weight, as HTML.

    Args:
        examples: Dicts with `words` (from `attended_words`), `label`
            (`None` when unknown), `prediction`, `probability` and, for
            HAN, `sentence_weights`.
        class_names: Label names, indexed by `label` and `prediction`.
        title: The page's heading.

    Returns:
        A standalone HTML document (it also displays inside a notebook).
    """
    parts = [
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>",
        "body{font-family:sans-serif;max-width:60em;margin:auto}",
        ".doc{border-bottom:1px solid #ccc;padding:1em 0}",
        ".s{display:block;border-left:6px solid;padding-left:.5em}",
        ".ok{color:#060}.bad{color:#a00}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<p>Each word is shaded by its attention weight relative to the "
        "text's largest weight; for the hierarchical model, the bar left "
        "of each sentence shows the sentence weight.</p>",
    ]
    for example in examples:
        label = example["label"]
        correct = label is None or label == example["prediction"]
        truth = "unknown" if label is None else class_names[label]
        parts.append(
            "<div class='doc'><p><b>True:</b> "
            f"{html.escape(truth)} &middot; "
            f"<b class='{'ok' if correct else 'bad'}'>Predicted:</b> "
            f"{html.escape(class_names[example['prediction']])} "
            f"(p={example['probability']:.3f})</p>"
        )
        sentence_weights = example.get("sentence_weights")
        if sentence_weights is None:
            parts.append(f"<p>{_shade(example['words'])}</p></div>")
            continue
        top = max(max(sentence_weights, default=0.0), 1e-12)
        for words, weight in zip(example["words"], sentence_weights):
            parts.append(
                f"<span class='s' style='border-color:rgba(0,0,255,"
                f"{weight / top:.3f})' title='{weight:.3f}'>"
                f"{_shade(words)}</span>"
            )
        parts.append("</div>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _shade(words):
    top = max((w for _, w in words), default=0.0) or 1.0
    return " ".join(
        f"<span style='background:rgba(255,140,0,{weight / top:.3f})' "
        f"title='{weight:.4f}'>{html.escape(word)}</span>"
        for word, weight in words
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

    def save(temporary):
        figure.savefig(temporary, format="png", dpi=100)

    write_atomically(path, save)
