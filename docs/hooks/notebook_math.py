"""The walkthrough's `$...$` formulas as MathML, written at build time.

In Jupyter, MathJax typesets them; mkdocs-jupyter would load MathJax from
a CDN, which a closed network (and a site that loads nothing from
elsewhere) cannot reach, so the formulas showed as raw TeX. latex2mathml
turns each one into MathML, which browsers draw themselves. Only text
outside `<pre>`, `<code>`, `<script>` and `<style>` is touched, so code and
its outputs keep their dollar signs.
"""

import re

from latex2mathml.converter import convert

_VERBATIM = re.compile(
    r"(<(pre|code|script|style)\b.*?</\2>)", re.DOTALL | re.IGNORECASE
)
_INLINE_MATH = re.compile(r"(?<![\\$\w])\$([^$<>\n]+?)\$(?!\w)")


def _typeset(text):
    return _INLINE_MATH.sub(lambda match: convert(match.group(1)), text)


def on_page_content(html, page, config, files):
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    parts = _VERBATIM.split(html)
    # split() keeps both capture groups: [text, element, tag name, text, ...]
    return "".join(
        part if index % 3 else _typeset(part)
        for index, part in enumerate(parts)
        if index % 3 != 2
    )
