"""Keras docstring conventions, read right on the API pages.

Griffe's Google-style parser knows `Args:`, `Returns:` and an indented
`Examples:` section; two Keras conventions this package follows reached
Markdown as plain text:

1. `Example:` then `>>>` lines at the same indentation (pytest runs them
   as doctests): Markdown took `>>>` for a nested quote. Each run of
   `>>>` lines, with its `...` continuations and expected output up to the
   next blank line, is fenced as a `pycon` block.
2. `Call arguments:` then `name: description` items, as under `Args:`:
   Griffe shows it as a note whose items ran into one paragraph. The items
   become a Markdown list.
"""

import re

import griffe

_PROMPT = re.compile(r"^(\s*)>>> ")
_CALL_ARGUMENTS = re.compile(r"^(\s*)Call arguments:\s*$")
_ITEM = re.compile(r"^(\s*)(\*{0,2}\w+): (.*)$")


def fence_doctests(lines):
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
    return fenced


def list_call_arguments(lines):
    listed = []
    item_indent = None
    for line in lines:
        heading = _CALL_ARGUMENTS.match(line)
        if heading:
            item_indent = len(heading.group(1)) + 4
            listed.append(line)
            continue
        if item_indent is not None and line.strip():
            indent = len(line) - len(line.lstrip())
            item = _ITEM.match(line)
            if indent < item_indent:
                item_indent = None
            elif indent == item_indent and item:
                line = f"{item.group(1)}- `{item.group(2)}`: {item.group(3)}"
            else:
                line = " " * (item_indent + 2) + line.lstrip()
        listed.append(line)
    return listed


class KerasDocstrings(griffe.Extension):
    def on_instance(self, *, obj, **kwargs):
        if obj.docstring is not None:
            lines = obj.docstring.value.split("\n")
            lines = fence_doctests(list_call_arguments(lines))
            obj.docstring.value = "\n".join(lines)
