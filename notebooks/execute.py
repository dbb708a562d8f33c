"""Executes notebooks in place, in quick mode, refreshing their outputs.

    python notebooks/execute.py notebooks/*.ipynb

TensorFlow's C++ start-up lines ("I0000 ... oneDNN custom operations are
on", absl's "All log messages before absl::InitializeLog()") reach stderr
whatever TF_CPP_MIN_LOG_LEVEL says; they are dropped from the saved
outputs so the committed notebook reads cleanly. Everything else is kept.
"""

import os
import re
import sys

import nbformat
from nbclient import NotebookClient

_CPP_LOG_LINE = re.compile(
    r"^([IWE]\d{4} [\d:. ]+\d+ \S+:\d+\]|WARNING: All log messages before "
    r"absl::InitializeLog\(\)|To enable the following instructions:)"
)


def _drop_cpp_log_lines(cell):
    kept = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stderr":
            lines = output.text.splitlines(keepends=True)
            output.text = "".join(
                line for line in lines if not _CPP_LOG_LINE.match(line)
            )
            if not output.text.strip():
                continue
        kept.append(output)
    cell.outputs = kept


def execute(path):
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=1800,
        kernel_name="python3",
        resources={"metadata": {"path": os.path.dirname(path) or "."}},
    ).execute()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            _drop_cpp_log_lines(cell)
    temporary = path + ".tmp"
    nbformat.write(notebook, temporary)
    os.replace(temporary, path)


if __name__ == "__main__":
    os.environ.setdefault("ATTENTION_TF_NOTEBOOK_QUICK", "1")
    for notebook_path in sys.argv[1:]:
        print(f"executing {notebook_path}", flush=True)
        execute(notebook_path)
