"""Copies the English notebooks' code cells into their Chinese translations.

    .venv/bin/python notebooks/sync_translation.py          # rewrite every *.zh.ipynb
    .venv/bin/python notebooks/sync_translation.py --check  # exit 1 if one is stale
    .venv/bin/python notebooks/sync_translation.py --translated 0,4 notebooks/X.zh.ipynb

notebooks/<name>.zh.ipynb is notebooks/<name>.ipynb for a Chinese reader:
the same cells by type in the same order, its own markdown, and code cells
copied from the English notebook whole (source, outputs, execution count,
metadata), so it renders with the English run's pictures without being
executed again. After an English code cell changes, or the English notebook
is re-executed, run this script: it replaces each Chinese code cell with the
English cell at the same position, keeps every Chinese markdown cell, and
copies the notebook metadata.

It writes nothing, and exits with status 2, if the two notebooks no longer
have the same sequence of markdown and code cells (English gained, lost or
moved a cell): the message shows where they part. Add, remove or move the
Chinese markdown cells to match, then run it again.

Each Chinese markdown cell keeps in its metadata the SHA-256 of the English
markdown it was written from. When the English text changes, the script
says which cells to look at again (a warning; code is still copied); once
the Chinese text is brought up to date, `--translated INDEX,... PATH`
records the new English text for those cells.

`--new PATH.zh.ipynb` starts a translation: a copy of the English notebook
whose markdown is still English (tests/notebooks/test_translations.py fails
until every markdown cell is written in Chinese).
"""

import argparse
import copy
import hashlib
import pathlib
import sys

import nbformat

NOTEBOOKS = pathlib.Path(__file__).resolve().parent
SUFFIX = ".zh.ipynb"
KIND = {"markdown": "M", "code": "C", "raw": "R"}


class OutOfStep(Exception):
    """The two notebooks' cells differ in number or order by type."""


def english_path(translation):
    translation = pathlib.Path(translation)
    if not translation.name.endswith(SUFFIX):
        raise SystemExit(
            f"{translation}: a translation's name ends in {SUFFIX}"
        )
    return translation.with_name(translation.name[: -len(SUFFIX)] + ".ipynb")


def source_hash(cell):
    return hashlib.sha256(cell.source.encode("utf-8")).hexdigest()


def _kinds(notebook):
    return "".join(KIND.get(cell.cell_type, "?") for cell in notebook.cells)


def check_structure(english, translation, english_name, translation_name):
    """Raises OutOfStep unless both notebooks have the same cells by type."""
    ours, theirs = _kinds(english), _kinds(translation)
    if ours == theirs:
        return
    part = next(
        (i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b),
        min(len(ours), len(theirs)),
    )

    def describe(kinds):
        return (
            f"a {dict(M='markdown', C='code', R='raw')[kinds[part]]} cell"
            if part < len(kinds)
            else "no cell"
        )

    width = max(len(english_name), len(translation_name))
    raise OutOfStep(
        f"{translation_name} is out of step with {english_name}: "
        f"{len(theirs)} cells against {len(ours)}; at cell {part} the English "
        f"notebook has {describe(ours)}, the translation {describe(theirs)}.\n"
        f"  {english_name:<{width}}  {ours}\n"
        f"  {translation_name:<{width}}  {theirs}\n"
        f"  {'':<{width}}  {' ' * part}^\n"
        "(M markdown, C code.) Add, remove or move the translation's markdown "
        "cells so that both read the same, then run this again; nothing was "
        "written."
    )


def synchronised(english, translation, english_name, translation_name):
    """The translation with the English code cells; warnings for stale prose."""
    check_structure(english, translation, english_name, translation_name)
    result = copy.deepcopy(translation)
    result.metadata = copy.deepcopy(english.metadata)
    result.nbformat, result.nbformat_minor = (
        english.nbformat,
        english.nbformat_minor,
    )
    warnings = []
    for index, (theirs, ours) in enumerate(
        zip(english.cells, translation.cells)
    ):
        if theirs.cell_type == "code":
            result.cells[index] = copy.deepcopy(theirs)
            continue
        recorded = ours.metadata.get("translation", {}).get("source_sha256")
        if recorded != source_hash(theirs):
            first_line = (
                theirs.source.strip().splitlines()[0]
                if theirs.source.strip()
                else ""
            )
            warnings.append(
                f"{translation_name}: markdown cell {index} was written from "
                f"other English text than today's ({first_line[:60]!r}); "
                "check the translation, then record it with --translated "
                f"{index} {translation_name}"
            )
    return result, warnings


def mark_translated(english, translation, indices):
    for index in indices:
        if (
            not 0 <= index < len(translation.cells)
            or translation.cells[index].cell_type != "markdown"
        ):
            raise SystemExit(
                f"cell {index} is not a markdown cell of the translation"
            )
        translation.cells[index].metadata["translation"] = {
            "source_sha256": source_hash(english.cells[index])
        }


def write(notebook, path):
    nbformat.validate(notebook)
    temporary = path.with_name(path.name + ".tmp")
    nbformat.write(notebook, temporary)
    temporary.replace(path)


def relative(path):
    try:
        return str(pathlib.Path(path).resolve().relative_to(NOTEBOOKS.parent))
    except ValueError:
        return str(path)


def _indices(text):
    try:
        return [int(index) for index in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not cell numbers: {text!r}"
        ) from None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "translations",
        nargs="*",
        type=pathlib.Path,
        help=f"*{SUFFIX} files (default: all in notebooks/)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a translation is stale",
    )
    parser.add_argument(
        "--translated",
        type=_indices,
        metavar="INDEX,...",
        help="record these markdown cells as up to date",
    )
    parser.add_argument(
        "--new",
        action="store_true",
        help="start a translation: copy the English notebook",
    )
    args = parser.parse_args(argv)
    paths = args.translations or sorted(NOTEBOOKS.glob("*" + SUFFIX))
    if not paths:
        raise SystemExit(f"no *{SUFFIX} notebooks in {NOTEBOOKS}")

    stale = False
    for path in paths:
        source = english_path(path)
        english = nbformat.read(source, as_version=4)
        names = relative(source), relative(path)
        if args.new:
            if path.exists():
                raise SystemExit(f"{names[1]} exists already")
            write(copy.deepcopy(english), path)
            print(
                f"{names[1]}: started from {names[0]}; write its markdown in Chinese"
            )
            continue
        translation = nbformat.read(path, as_version=4)
        try:
            check_structure(english, translation, *names)
        except OutOfStep as error:
            print(error, file=sys.stderr)
            return 2
        if args.translated:
            mark_translated(english, translation, args.translated)
        result, warnings = synchronised(english, translation, *names)
        for warning in warnings:
            print("warning:", warning, file=sys.stderr)
        if result == nbformat.read(path, as_version=4):
            print(f"{names[1]}: in step with {names[0]}")
        elif args.check:
            print(
                f"{names[1]}: code cells differ from {names[0]}; run "
                "notebooks/sync_translation.py",
                file=sys.stderr,
            )
            stale = True
        else:
            write(result, path)
            print(f"{names[1]}: brought in step with {names[0]}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
