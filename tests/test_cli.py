"""The console script reports bad input in one line, with exit status 2."""

import sys

from attention_tf import cli


def test_bad_input_is_one_line_and_status_2(tmp_path, monkeypatch, capsys):
    missing = str(tmp_path / "no-such-run")
    monkeypatch.setattr(
        sys, "argv", ["attention-tf", "classify", "--model", missing, "hi"]
    )
    assert cli.run() == 2
    error = capsys.readouterr().err
    assert error.startswith("attention-tf: error: ")
    assert missing in error
    assert "Traceback" not in error
