"""Imports only run down: each package floor imports its own or lower floors.

Floors, lowest first (a module may import its own floor and those below):

0. `utils`: plumbing (atomic writes, argument checks, optional imports).
1. `layers`, `samplers`: Keras layers and decoding loops.
2. `data`, `preprocessing`: loaders, splits, TensorFlow string layers.
3. `models`: the model families.
4. `explain`, `export`: what is done with a trained model.
5. `training`, `bulk`, `serving`: tasks that run models at length.
6. `commands`, `cli`: the command line, which only parses and calls.

Every `import attention_tf...` counts, at the top of a module or inside a
function. The package's `__init__` (the public API) may import any floor.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "attention_tf"
FLOORS = {
    "utils": 0,
    "layers": 1,
    "samplers": 1,
    "data": 2,
    "preprocessing": 2,
    "models": 3,
    "explain": 4,
    "export": 4,
    "training": 5,
    "bulk": 5,
    "serving": 5,
    "commands": 6,
    "cli": 6,
}


def room(module):
    """The first package below attention_tf in a dotted module name."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def imported_modules(path):
    """Every attention_tf module `path` imports, with the line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
            if node.module == "attention_tf":
                names = [f"attention_tf.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name.startswith("attention_tf."):
                yield name, node.lineno


MODULES = sorted(
    path
    for path in PACKAGE.rglob("*.py")
    if path.relative_to(PACKAGE).as_posix() != "__init__.py"
)


def test_every_room_has_a_floor():
    rooms = {path.relative_to(PACKAGE).parts[0] for path in MODULES}
    assert {r.removesuffix(".py") for r in rooms} <= set(FLOORS)


@pytest.mark.parametrize(
    "path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix()
)
def test_imports_run_down(path):
    here = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    upward = [
        f"line {line}: {name} (floor {FLOORS[room(name)]})"
        for name, line in imported_modules(path)
        if room(name) in FLOORS and FLOORS[room(name)] > FLOORS[here]
    ]
    assert not upward, (
        f"{path.relative_to(PACKAGE)} (floor {FLOORS[here]}) imports up: "
        + "; ".join(upward)
    )


def test_an_import_inside_a_function_is_seen(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "def f():\n    from attention_tf.training import runtime\n"
        "from attention_tf import models\n"
    )
    assert sorted(imported_modules(module)) == [
        ("attention_tf.models", 3),
        ("attention_tf.training", 2),
    ]
