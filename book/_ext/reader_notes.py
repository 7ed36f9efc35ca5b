"""Tell every reader how to take a chapter away and run it.

Two things, from one definition of the install line (:func:`install_line`):

- each chapter page ends with a short note: download the notebook, install
  the package with its ``notebooks`` extra, where the repository is;
- each downloadable notebook starts with a Markdown cell that says the same
  and a code cell that installs the package when it is missing, so the
  notebook runs on a fresh Jupyter or on Colab. ``stable_notebooks`` writes
  the downloads and hands each one to this extension through its
  ``convbook-notebook-download`` event.
"""

from __future__ import annotations

from docutils import nodes
from notebook_cells import READER_ONLY_TAG as TAG  # never run by the build
from sphinx.application import Sphinx


def install_line(repository_url: str) -> str:
    """The one pip command that makes a chapter's notebook run anywhere."""
    return f'pip install "convbook[notebooks] @ git+{repository_url}"'


def install_cells(repository_url: str, site_url: str) -> list[dict]:
    """The two cells that open every downloaded notebook."""
    line = install_line(repository_url)
    text = (
        "This notebook is a chapter of *How a CNN's second layer computes* "
        f"({site_url}). The book's source and the `convbook` package it runs "
        f"on are at {repository_url}. To run the notebook anywhere else, "
        "install the package with the extra the chapters need (Python 3.11 "
        "or newer); the next cell does it for you when `convbook` is missing."
        f"\n\n```sh\n{line}\n```"
    )
    code = (
        "# Install the package behind the book when it is missing.\n"
        "try:\n"
        "    import convbook\n"
        "except ImportError:\n"
        f"    %{line}"
    )
    metadata = {"tags": [TAG]}
    return [
        {"cell_type": "markdown", "id": "", "metadata": metadata, "source": text},
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "",
            "metadata": metadata,
            "outputs": [],
            "source": code,
        },
    ]


def add_install_cells(app: Sphinx, docname: str, notebook: dict) -> None:
    """Put the install cells first in a chapter's downloadable notebook."""
    cells = notebook.setdefault("cells", [])
    if cells and TAG in cells[0].get("metadata", {}).get("tags", []):
        return
    repository = app.config.html_theme_options["repository_url"]
    cells[:0] = install_cells(repository, app.config.html_baseurl)


def _note(repository_url: str) -> nodes.Element:
    note = nodes.admonition(classes=["tip", "convbook-run"])
    note += nodes.title(text="Run this chapter yourself")
    intro = nodes.paragraph()
    intro += nodes.Text(
        "The download button at the top of the page gives this chapter as an "
        "executed notebook (.ipynb). It runs in any Jupyter with Python 3.11 "
        "or newer once the package behind the book is installed:"
    )
    note += intro
    line = install_line(repository_url)
    note += nodes.literal_block(line, line, language="sh")
    where = nodes.paragraph()
    where += nodes.Text("The book's source and the convbook package: ")
    where += nodes.reference(repository_url, repository_url, refuri=repository_url)
    where += nodes.Text(".")
    note += where
    return note


def add_page_note(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """End every chapter (every page that is a notebook) with the note."""
    if app.builder.format != "html" or "kernelspec" not in app.env.metadata[docname]:
        return
    doctree += _note(app.config.html_theme_options["repository_url"])


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("doctree-resolved", add_page_note)
    app.connect("convbook-notebook-download", add_install_cells)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
