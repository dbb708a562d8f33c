"""The walkthrough notebook runs top to bottom on a fresh kernel, quick mode."""

import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[2] / "notebooks"
# Translations (`*.zh.ipynb`) hold the English code cells, unchanged
# (tests/notebooks/test_translations.py): running them again adds nothing.
ORIGINALS = sorted(
    path for path in NOTEBOOKS.glob("*.ipynb") if path.suffixes == [".ipynb"]
)


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", ORIGINALS, ids=lambda path: path.name
)
def test_notebook_runs(path, tmp_path, monkeypatch):
    # Quick mode, and anything the notebook writes goes to tmp_path.
    monkeypatch.setenv("ATTENTION_TF_NOTEBOOK_QUICK", "1")
    monkeypatch.setenv("ATTENTION_TF_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors
