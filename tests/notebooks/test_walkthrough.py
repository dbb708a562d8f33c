"""The walkthrough notebook runs top to bottom on a fresh kernel, quick mode."""

import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[2] / "notebooks"


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda path: path.name
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
