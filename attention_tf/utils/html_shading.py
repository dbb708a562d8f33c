"""Words shaded by a value each, as HTML spans: the reports' one shader."""

import html

ORANGE = "255,140,0"
GREEN = "0,150,0"
RED = "210,0,0"


def shaded_words(words, values, positive=ORANGE, negative=RED):
    """Each word in a `<span>` whose background shows its value.

    Shades are relative to the largest magnitude among `values`; hovering a
    word shows its value.

    Args:
        words: The words, as strings.
        values: One number per word.
        positive: The RGB triple (`"r,g,b"`) for values of zero and above.
        negative: The RGB triple for values below zero.

    Returns:
        The spans joined by spaces, words HTML-escaped.

    Example:

    >>> shaded_words(["a", "<b>"], [0.5, 1.0])
    "<span style='background:rgba(255,140,0,0.500)' title='0.5000'>a</span> \
<span style='background:rgba(255,140,0,1.000)' title='1.0000'>&lt;b&gt;</span>"
    """
    top = max((abs(value) for value in values), default=0.0) or 1.0
    return " ".join(
        f"<span style='background:rgba({positive if value >= 0 else negative},"
        f"{abs(value) / top:.3f})' title='{value:.4f}'>{html.escape(word)}</span>"
        for word, value in zip(words, values)
    )
