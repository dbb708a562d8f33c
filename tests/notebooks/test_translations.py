"""The Chinese walkthrough stays in step with the English one.

notebooks/<name>.zh.ipynb is notebooks/<name>.ipynb for a Chinese reader:
the same cells by type in the same order, the same code in each code cell
(notebooks/sync_translation.py copies them, outputs included), and markdown
written in Chinese. When this fails after an English code cell changed, run
`.venv/bin/python notebooks/sync_translation.py`.
"""

import copy
import pathlib
import re

import nbformat
import pytest

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[2] / "notebooks"
WALKTHROUGH = NOTEBOOKS / "01_attention_walkthrough.zh.ipynb"
TRANSLATIONS = sorted(NOTEBOOKS.glob("*.zh.ipynb"))

# Han characters (CJK Unified Ideographs, extension A, compatibility).
CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# What stays the same in both languages: code blocks, inline code, maths,
# link and image targets. The prose left after removing them must be Chinese.
NOT_PROSE = re.compile(
    r"```.*?```|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]*\$|\]\([^)\s]*\)", re.DOTALL
)


def english_of(translation):
    return translation.with_name(
        translation.name.replace(".zh.ipynb", ".ipynb")
    )


def kinds(notebook):
    return "".join(cell.cell_type[0].upper() for cell in notebook.cells)


def out_of_step(english, chinese):
    """What keeps `chinese` from being a translation of `english`, as lines."""
    if kinds(english) != kinds(chinese):
        return [
            "cells by type (M markdown, C code) differ:\n"
            f"  English {kinds(english)}\n  Chinese {kinds(chinese)}"
        ]
    problems = []
    for index, (ours, theirs) in enumerate(zip(english.cells, chinese.cells)):
        if ours.cell_type == "code" and ours.source != theirs.source:
            problems.append(
                f"code cell {index}: source differs from the English"
            )
        elif ours.cell_type == "markdown":
            prose = NOT_PROSE.sub(" ", theirs.source)
            if not CHINESE.search(prose):
                problems.append(
                    f"markdown cell {index}: no Chinese outside code and maths"
                )
    return problems


def read(path):
    return nbformat.read(path, as_version=4)


def test_walkthrough_has_a_chinese_translation():
    assert WALKTHROUGH in TRANSLATIONS
    assert english_of(WALKTHROUGH).exists()


@pytest.mark.parametrize("path", TRANSLATIONS, ids=lambda path: path.name)
def test_translation_in_step_with_english(path):
    english, chinese = read(english_of(path)), read(path)
    problems = out_of_step(english, chinese)
    assert not problems, (
        f"{path.name} is out of step with {english_of(path).name} (run "
        "notebooks/sync_translation.py for code cells):\n" + "\n".join(problems)
    )


def test_out_of_step_finds_each_kind_of_drift():
    english, chinese = read(english_of(WALKTHROUGH)), read(WALKTHROUGH)
    # Start from a translation in step (whatever the files hold today).
    for ours, theirs in zip(english.cells, chinese.cells):
        if ours.cell_type == theirs.cell_type == "code":
            theirs.source = ours.source
    assert out_of_step(english, chinese) == []
    code = next(i for i, c in enumerate(chinese.cells) if c.cell_type == "code")
    markdown = next(
        i for i, c in enumerate(chinese.cells) if c.cell_type == "markdown"
    )

    # The English notebook as its own translation: its prose is not Chinese.
    problems = out_of_step(english, english)
    assert problems and all("no Chinese" in p for p in problems)
    assert len(problems) == kinds(english).count("M")

    edited = copy.deepcopy(chinese)
    edited.cells[code].source += "\nprint('only in Chinese')"
    assert out_of_step(english, edited) == [
        f"code cell {code}: source differs from the English"
    ]

    for change in (
        lambda cells: cells.pop(markdown),  # a cell fewer
        lambda cells: cells.append(nbformat.v4.new_markdown_cell("新增")),
        lambda cells: cells.insert(0, cells.pop(code)),  # moved
    ):
        edited = copy.deepcopy(chinese)
        change(edited.cells)
        (problem,) = out_of_step(english, edited)
        assert problem.startswith("cells by type")

    # Chinese only inside code or maths does not count as a translation.
    edited = copy.deepcopy(chinese)
    edited.cells[
        markdown
    ].source = "Setup: `注意力` and $\\text{注意}$ [see](注意.md)"
    assert out_of_step(english, edited) == [
        f"markdown cell {markdown}: no Chinese outside code and maths"
    ]
