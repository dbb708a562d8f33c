"""The README's quick start runs as written."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_quick_start_runs(capsys):
    text = README.read_text()
    section = text.split("## Quick start", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert len(code.strip().splitlines()) <= 12
    namespace = {}
    exec(compile(code, str(README), "exec"), namespace)
    weights = namespace["w"]
    assert weights.shape == (2, 5)
    assert (weights[0, 3:] == 0).all() and weights[1, 0] == 1.0
    assert "0." in capsys.readouterr().out
