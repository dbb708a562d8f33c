"""User and system errors at the command line: one line, exit status 2."""

import argparse
import configparser
import errno
import importlib
import json
import os
import subprocess
import sys
import tempfile

import keras
import pytest

from attention_tf import cli
from attention_tf.commands import translator as translator_commands
from attention_tf.models import BahdanauTranslator
from tests.tiny_models import (
    save_classifier,
    save_tiny_translator,
    tiny_classifier,
)
from tests.utils.test_optional import _run_without_tensorflow

# The extras setup.cfg declares.
_SETUP = configparser.ConfigParser()
_SETUP.read(os.path.join(os.path.dirname(__file__), "..", "..", "setup.cfg"))
_EXTRAS = tuple(_SETUP["options.extras_require"])


def _error_line(capsys, argv):
    assert cli.run(argv) == 2
    error = capsys.readouterr().err
    assert error.startswith("attention-tf: error: ")
    assert error.count("\n") == 1 and "Traceback" not in error
    return error


def _train(out):
    return ["train-doc-classifier", "--data", "texts.csv", "--out", str(out)]


def test_missing_model_names_the_path(tmp_path, capsys):
    missing = str(tmp_path / "no-such-run")
    error = _error_line(capsys, ["classify", "--model", missing, "hi"])
    assert missing in error and "train one first" in error


def test_out_is_a_file(tmp_path, capsys):
    out = tmp_path / "file"
    out.write_text("not a folder")
    error = _error_line(capsys, _train(out))
    assert "File exists" in error or "Not a directory" in error
    assert out.read_text() == "not a folder"


def test_out_under_a_file(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    error = _error_line(capsys, _train(tmp_path / "file" / "run"))
    assert "Not a directory" in error and "file" in error


def _refuse(path, *args, **kwargs):
    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)


def test_out_read_only(tmp_path, capsys, monkeypatch):
    # Tests may run as root, which writes anywhere: the operating system's
    # answer for a read-only folder is raised where the folder is created.
    out = tmp_path / "read-only" / "run"
    monkeypatch.setattr(os, "makedirs", _refuse)
    error = _error_line(capsys, _train(out))
    assert "Permission denied" in error and "read-only" in error


def test_bad_setting_is_one_line(tmp_path, capsys):
    error = _error_line(capsys, _train(tmp_path) + ["--epochs", "0"])
    assert "--epochs must be >= 1. Received: 0" in error


def test_classify_on_a_translator_run(tmp_path, capsys):
    model = BahdanauTranslator(20, 20, 1, 2)
    model.build()
    model.save(tmp_path / "model.keras")
    error = _error_line(capsys, ["classify", "--model", str(tmp_path), "hi"])
    assert "BahdanauTranslator, not a document classifier" in error


def test_truncated_model_is_reported_as_corrupt(tmp_path, capsys):
    source = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    path = tmp_path / "model.keras"
    source.save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    error = _error_line(capsys, ["classify", "--model", str(path), "hi"])
    assert "truncated or corrupt" in error and "No saved model" not in error


def test_command_starts_quietly(tmp_path):
    command = os.path.join(os.path.dirname(sys.executable), "attention-tf")
    if not os.path.exists(command):
        pytest.fail(f"{command} is missing: install the package (make install)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP")}
    env.pop(cli.VERBOSE_ENV_VAR, None)
    missing = str(tmp_path / "none")
    result = subprocess.run(
        [command, "classify", "--model", missing, "hi"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"attention-tf: error: No saved model at {missing!r}: train one "
        "first.\n"
    )


def test_translate_on_a_classifier_run(tmp_path, capsys):
    folder = save_classifier(tiny_classifier(), tmp_path / "run")
    error = _error_line(capsys, ["translate", "--model", str(folder), "hola"])
    assert str(folder) in error


def test_translate_plot_into_a_read_only_folder(tmp_path, capsys, monkeypatch):
    folder = save_tiny_translator(tmp_path / "translator")
    plot = tmp_path / "read-only" / "alignment.png"
    # The plot is written atomically: refused where its temporary file is made.
    monkeypatch.setattr(
        tempfile, "mkstemp", lambda *a, dir=None, **k: _refuse(dir)
    )
    argv = ["translate", "--model", str(folder), "--plot", str(plot), "la casa"]
    error = _error_line(capsys, argv)
    assert "Permission denied" in error and not plot.exists()


def test_export_into_a_read_only_folder(tmp_path, capsys, monkeypatch):
    folder = save_classifier(tiny_classifier(), tmp_path / "run")
    monkeypatch.setattr(os, "makedirs", _refuse)
    argv = [
        "export",
        "--model",
        str(folder),
        "--out",
        str(tmp_path / "serving"),
    ]
    error = _error_line(capsys, argv)
    assert "Permission denied" in error


def test_extras_table_names_every_registered_command():
    for module, extras in cli._TASK_MODULES.items():
        subparsers = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).register(subparsers)
        assert sorted(subparsers.choices) == sorted(extras), module
        for extra in extras.values():
            assert set(extra.split(",")) <= set(_EXTRAS), extra


def test_each_runtime_dependency_is_in_the_extra_named():
    for dependency, extra in cli._DEPENDENCY_EXTRAS.items():
        assert dependency in _SETUP["options.extras_require"][extra], extra


def test_commands_without_tensorflow_name_their_extra():
    argv_lists = [
        ["train-doc-classifier", "--quick"],
        ["export", "--help"],
        ["classify", "--model", "run", "hi"],
        ["serve", "--model", "run"],
    ]
    code = (
        "import json\nfrom attention_tf import cli\n"
        f"print(json.dumps([cli.run(argv) for argv in {argv_lists!r}]))\n"
    )
    process = _run_without_tensorflow(code)
    assert process.returncode == 0, process.stderr[-3000:]
    assert json.loads(process.stdout.splitlines()[-1]) == [2] * 4
    hint = "needs tensorflow, which is not installed: pip install"
    assert process.stderr.splitlines() == [
        f'attention-tf: error: train-doc-classifier {hint} "attention_tf[train]"',
        f'attention-tf: error: export {hint} "attention_tf[tensorflow]"',
        f'attention-tf: error: classify {hint} "attention_tf[tensorflow]"',
        f'attention-tf: error: serve {hint} "attention_tf[tensorflow,serve]"',
    ]


def test_dependency_missing_when_a_command_runs(capsys, monkeypatch):
    def needs(name):
        def run(args):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

        return run

    monkeypatch.setattr(
        translator_commands, "run_translate", needs("sentencepiece")
    )
    error = _error_line(capsys, ["translate", "--model", "m", "hola"])
    assert error == (
        "attention-tf: error: translate needs sentencepiece, which is not "
        'installed: pip install "attention_tf[translate]"\n'
    )
    monkeypatch.setattr(
        translator_commands, "run_translate", needs("matplotlib")
    )
    error = _error_line(capsys, ["translate", "--model", "m", "hola"])
    assert error.endswith('pip install "attention_tf[train]"\n')
    # One of our own modules missing is a bug: its traceback stays.
    monkeypatch.setattr(
        translator_commands, "run_translate", needs("attention_tf.gone")
    )
    with pytest.raises(ModuleNotFoundError, match="attention_tf.gone"):
        cli.run(["translate", "--model", "m", "hola"])
