"""Doctest examples as code blocks on the API pages.

The docstrings follow Keras: an `Example:` line, then `>>>` lines at the
same indentation, which pytest runs as doctests. Griffe's Google parser
reads an indented `Examples:` section as code, but not this form, so the
lines reached Markdown as text, where `>>>` opens a nested quote. Each run
of `>>>` lines, with its `...` continuations and expected output (up to the
next blank line), is fenced as a `pycon` block before the docstring is
parsed.
"""

import re

import griffe

_PROMPT = re.compile(r"^(\s*)>>> ")


def fence_doctests(text):
    lines = text.split("\n")
    fenced = []
    index = 0
    while index < len(lines):
        prompt = _PROMPT.match(lines[index])
        if not prompt:
            fenced.append(lines[index])
            index += 1
            continue
        indent = prompt.group(1)
        fenced.append(f"{indent}```pycon")
        while (
            index < len(lines)
            and lines[index].strip()
            and lines[index].startswith(indent)
        ):
            fenced.append(lines[index])
            index += 1
        fenced.append(f"{indent}```")
    return "\n".join(fenced)


class DoctestBlocks(griffe.Extension):
    def on_instance(self, *, obj, **kwargs):
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
