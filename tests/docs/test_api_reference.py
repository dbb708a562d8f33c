"""Every public name has an entry in the API reference (docs/api/*.md).

A package's public names are its `__all__`. An entry is a mkdocstrings
line, `::: dotted.path`, whose object is the public one (the path may name
the defining module: griffe cannot follow names loaded lazily through a
module `__getattr__`). Dunder names such as `__version__` need only be
mentioned on the reference's index page.
"""

import importlib
import pathlib
import pkgutil
import re

import pytest

import attention_tf

API = pathlib.Path(__file__).resolve().parents[2] / "docs" / "api"
_ENTRY = re.compile(r"^::: ([\w.]+)\s*$", re.MULTILINE)


def _public_packages():
    packages = [attention_tf]
    for module in pkgutil.walk_packages(
        attention_tf.__path__, prefix="attention_tf."
    ):
        if module.ispkg:
            package = importlib.import_module(module.name)
            if hasattr(package, "__all__"):
                packages.append(package)
    return packages


def _resolve(path):
    """What griffe renders for `path`: a module wins over a same-named name."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            value = getattr(value, name)
        return value
    raise ImportError(path)


def _documented():
    entries = {}
    for page in sorted(API.glob("*.md")):
        for path in _ENTRY.findall(page.read_text()):
            entries[path] = page.name
    return entries


def test_every_entry_names_an_object():
    for path in _documented():
        _resolve(path)


@pytest.mark.parametrize(
    "package", _public_packages(), ids=lambda package: package.__name__
)
def test_every_public_name_has_an_entry(package):
    documented = [_resolve(path) for path in _documented()]
    index = (API / "index.md").read_text()
    missing = []
    for name in package.__all__:
        if name.startswith("__"):
            if name not in index:
                missing.append(name)
        elif not any(getattr(package, name) is obj for obj in documented):
            missing.append(name)
    assert not missing, (
        f"{package.__name__}: no `::: ...` entry in docs/api/ for {missing}"
    )
