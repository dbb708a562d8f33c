"""A classifier's attention per word, and as a page of shaded texts.

`attended_words` pairs each token a classifier read with its weight;
`attention_html` renders texts with every word shaded by that weight (the
training report, the walkthrough and `attention-tf classify` use both).
"""

import html

import numpy as np

from attention_tf.utils.atomic_files import write_text_atomically
from attention_tf.utils.html_shading import shaded_words


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
            HAN, `sentence_weights`; with several heads, `heads`: one dict
            of `words` (and `sentence_weights`) per head, each shown as its
            own labelled copy of the text.
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
        heads = example.get("heads")
        if heads is None:
            parts.append(_weighted_text(example))
        for head, weights in enumerate(heads or (), 1):
            parts.append(f"<p class='head'><b>Head {head}</b></p>")
            parts.append(_weighted_text(weights))
        parts.append("</div>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _weighted_text(weights):
    """One text's words (and HAN sentences) shaded by `weights`' dict."""
    sentence_weights = weights.get("sentence_weights")
    if sentence_weights is None:
        return f"<p>{_shade(weights['words'])}</p>"
    top = max(max(sentence_weights, default=0.0), 1e-12)
    return "\n".join(
        f"<span class='s' style='border-color:rgba(0,0,255,"
        f"{weight / top:.3f})' title='{weight:.3f}'>"
        f"{_shade(words)}</span>"
        for words, weight in zip(weights["words"], sentence_weights)
    )


def _shade(pairs):
    return shaded_words([word for word, _ in pairs], [w for _, w in pairs])
