"""The docs pages that repeat the README's quick start repeat it exactly.

tests/test_readme.py runs the README's code; the home and getting-started
pages, in both languages, show the same lines, so they stay tested too.
"""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGES = [
    "index.md",
    "index.zh.md",
    "getting-started.md",
    "getting-started.zh.md",
]


def _quick_start():
    section = (ROOT / "README.md").read_text().split("## Quick start", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.mark.parametrize("page", PAGES)
def test_page_shows_the_readme_quick_start(page):
    assert _quick_start() in (ROOT / "docs" / page).read_text()
