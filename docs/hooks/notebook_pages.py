"""Notebooks are pages for every plugin, the language switch included.

mkdocs-jupyter turns `.ipynb` files into pages in its own `on_files`, but
mkdocs-static-i18n rebuilds the file list after every other plugin and
knows only Markdown pages, so the walkthrough came out as a raw JSON file
and had no Chinese alternate. Counting `.ipynb` among MkDocs' page
extensions before the files are gathered makes it a page from the start:
its URL is `walkthrough/`, the i18n plugin pairs `walkthrough.ipynb` with
`walkthrough.zh.ipynb` (or falls back to English), and mkdocs-jupyter
still renders it, with its stored outputs.
"""

import mkdocs.utils


def on_config(config):
    if ".ipynb" not in mkdocs.utils.markdown_extensions:
        mkdocs.utils.markdown_extensions += (".ipynb",)
    return config
