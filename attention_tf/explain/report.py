"""The explanations and faithfulness results as HTML, a table and a plot."""

import html

from attention_tf.explain.faithfulness import FRACTIONS, RANKINGS
from attention_tf.utils.atomic_files import write_atomically
from attention_tf.utils.html_shading import GREEN, shaded_words

METHOD_TITLES = {
    "attention": "Attention",
    "integrated_gradients": "Integrated gradients",
    "leave_one_out": "Leave-one-out",
    "random": "Random",
}


def explanation_html(texts, results):
    """A standalone page: each text's words shaded by every method.

    Attention is shaded orange relative to the text's largest weight; the
    signed attributions green where they support the predicted class and
    red where they oppose it, relative to the largest magnitude. A model
    with several heads gets its mean attention (`attention`) and a row per
    head (`attention_heads`).
    """
    parts = [
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>",
        "<title>Attention and attributions</title><style>",
        "body{font-family:sans-serif;max-width:70em;margin:auto}",
        ".doc{border-bottom:1px solid #ccc;padding:1em 0}",
        "th{text-align:left;vertical-align:top;padding-right:1em;"
        "white-space:nowrap}td{line-height:1.7}</style></head><body>",
        "<h1>Attention and attributions</h1>",
        "<p>Orange: attention weight. Green / red: the attribution supports"
        " / opposes the predicted class. Shades are relative to each row's "
        "largest magnitude; hover a word for its value.</p>",
    ]
    for text, result in zip(texts, results):
        probability = result["probabilities"][result["label"]]
        parts.append(
            f"<div class='doc'><p><b>Predicted:</b> "
            f"{html.escape(result['label'])} (p={probability:.3f})"
            f"{_check_note(result)}</p><p><i>{html.escape(text)}</i></p>"
            "<table>"
        )
        rows = [
            (title, result[method])
            for method, title in METHOD_TITLES.items()
            if method in result
        ]
        # Several heads: a row per head after their mean.
        rows[1:1] = [
            (f"Attention, head {head}", values)
            for head, values in enumerate(result.get("attention_heads", ()), 1)
        ]
        for title, values in rows:
            parts.append(
                f"<tr><th>{title}</th><td>"
                f"{_shade(result['words'], values)}</td></tr>"
            )
        parts.append("</table></div>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _check_note(result):
    check = result.get("integrated_gradients_check")
    if check is None:
        return ""
    return (
        f" &middot; integrated gradients: {check['steps']} steps, "
        f"completeness gap {check['completeness_gap']:+.4f} "
        f"(tolerance {check['tolerance']})"
    )


def _shade(words, values):
    return shaded_words(words, values, positive=GREEN)


def faithfulness_table(results):
    """The AOPC results as a Markdown table."""
    lines = [
        "| Ranking | Comprehensiveness (higher is better) | "
        "Sufficiency (lower is better) |",
        "|---|---|---|",
    ]
    for name in RANKINGS:
        entry = results["methods"][name]
        lines.append(
            f"| {METHOD_TITLES[name]} | {entry['comprehensiveness']:.3f} | "
            f"{entry['sufficiency']:.3f} |"
        )
    return "\n".join(lines)


def write_faithfulness_plot(path, results):
    """Comprehensiveness and sufficiency per share of words, per ranking."""
    # A bare Figure, not pyplot: it leaves the caller's backend alone.
    from matplotlib.figure import Figure

    shares = [100 * f for f in FRACTIONS]
    figure = Figure(figsize=(10, 4))
    axes = figure.subplots(1, 2)
    for axis, metric, verb in zip(
        axes, ("comprehensiveness", "sufficiency"), ("removed", "kept")
    ):
        for name in RANKINGS:
            curve = results["methods"][name]["per_fraction"][metric]
            axis.plot(shares, curve, "o-", label=METHOD_TITLES[name])
        axis.set_xscale("log")
        axis.set_xticks(shares, [f"{s:g}%" for s in shares])
        axis.set_xlabel(f"top words {verb}")
        axis.set_ylabel("drop in predicted-class probability")
        axis.set_title(metric)
        axis.legend()
    figure.tight_layout()
    write_atomically(path, lambda tmp: figure.savefig(tmp, format="png"))
