"""One site whatever the build path: executed notebooks, every page rewritten.

The book is built clean, incrementally, from the notebook cache, after an edit
and its revert; each path must leave the same bytes in ``_build/html``. This
extension closes the gaps that myst-nb, the theme and Sphinx leave open:

* **Outputs in the notebook myst-nb writes.** On a cache hit myst-nb merges
  the cached outputs into a *copy* of the notebook it parsed, renders the page
  from the copy, then writes the parsed, unexecuted notebook to
  ``_build/jupyter_execute``. :func:`_enter_client` wraps the execution
  client's entry (``NotebookClientBase.__enter__``, the one place every
  execution mode goes through) and puts the outputs into the parsed notebook
  itself, so what myst-nb writes is the executed notebook on every path.
  ``tests/test_build_extensions.py`` checks that this still happens with the
  installed myst-nb.
* **Whole printed lines.** The kernel sends a cell's printed text in chunks
  that depend on timing. The same wrapper joins the chunks of each stream
  exactly (:func:`merge_streams`), for the page and the download alike; the
  configuration turns off myst-nb's own merging, which strips every chunk and
  so could split one line in two.
* **A failing cell.** Instead of Sphinx's crash report, the build stops with
  the chapter, the cell and the kernel's traceback (:class:`ChapterFailed`),
  also when chapters are read in parallel (``sphinx-build -j``): a forked
  reader's failure reaches the main process as Sphinx's
  ``SphinxParallelError``, which :func:`report_parallel_failure` turns back
  into the same message and exit status.
* **Downloads.** After the build, every chapter's ``_sources/<doc>.ipynb`` is
  written from the executed notebook (:func:`write_downloads`): checked to
  hold every output, passed to the handlers of the
  ``convbook-notebook-download`` event (``handler(app, docname, notebook)``,
  which may edit the notebook, e.g. add a cell), then given cell ids
  ``cell-0``, ``cell-1``, ... and no execution timestamps.
* **Every page, every build.** All pages are rewritten on every build, so
  that the sitemap always lists the whole book (sphinx-sitemap lists only
  the pages of the current build), and the search index is written afresh
  (Sphinx updates the old one, keeping words no page has any more).
  myst-nb's stylesheet is copied before pages are written, so every page
  links it with the same ``?v=`` checksum.
* **Pages in order.** sphinx-sitemap lists pages in the order they were
  written; parallel writers (``-j 3`` and more) finish in any order, so
  :func:`sort_sitemap` sorts the list before it is written.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import queue
import sys
from collections.abc import Iterable
from pathlib import Path

from myst_nb import sphinx_ext as _nb_sphinx
from myst_nb.core.execute import base as _nb_execute
from nbformat import NotebookNode
from notebook_cells import unexecuted_cells
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import SphinxParallelError
from sphinx.util import logging

logger = logging.getLogger(__name__)

DOWNLOAD_EVENT = "convbook-notebook-download"
_myst_nb_enter = _nb_execute.NotebookClientBase.__enter__


class ChapterFailed(SystemExit):
    """A chapter's cell raised: stop the build with the cell and its traceback.

    A ``SystemExit`` rather than an exception, because Sphinx answers any
    exception with a crash report that asks to file an issue against Sphinx;
    this ends the build with status 1 and this message as its last words.
    ``str()`` of it is the message, which is how it crosses from a parallel
    reader to the main process (see :func:`report_parallel_failure`).
    """

    def __init__(self, message: str):
        super().__init__(1)
        self.message = message.strip()

    @classmethod
    def in_cell(
        cls, chapter: str, cell: int | None, line: int | None, why: str
    ) -> ChapterFailed:
        where = "" if cell is None else f", code cell {cell} (line {line})"
        return cls(
            f"The book did not build: {chapter}{where} raised an error.\n"
            f"{why.rstrip()}\n"
            f"\nFix the cell in {chapter} (or tag it `raises-exception` "
            "if the error is the point), then build again."
        )

    def __str__(self) -> str:
        return self.message

    def stop(self) -> ChapterFailed:
        """Have the message printed at exit; return self, to be raised.

        At exit, it comes after the warnings Sphinx flushes while unwinding.
        """
        atexit.register(_print_last, f"\n{self.message}\n")
        return self


#: How Sphinx's parallel reader names a child's exception in the error it
#: raises in the main process: ``"<module>.<class>: <str(exception)>"``.
_PARALLEL_PREFIX = f"{ChapterFailed.__module__}.{ChapterFailed.__qualname__}: "


def report_parallel_failure(app: Sphinx, exception: Exception | None) -> None:
    """A chapter failed in a forked reader: stop as if it had failed here.

    Under ``-j`` a forked process reads the chapter; it exits without running
    ``atexit`` handlers, and Sphinx catches the ``ChapterFailed`` there and
    sends its text through its pipe; the main process raises
    ``SphinxParallelError(message, traceback)`` (``sphinx.util.parallel``),
    which would end the build with Sphinx's crash report. On
    ``build-finished`` (emitted with that error) the message is taken back
    and ``ChapterFailed`` raised in the main process.
    ``tests/test_build_extensions.py`` checks this with the installed Sphinx.
    """
    if isinstance(exception, SphinxParallelError) and exception.message.startswith(
        _PARALLEL_PREFIX
    ):
        message = exception.message[len(_PARALLEL_PREFIX) :]
        raise ChapterFailed(message).stop() from None


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def merge_streams(outputs: list[dict]) -> list[dict]:
    """Join the chunks of each stream (stdout, stderr) exactly, in place order.

    A stream's text goes to the position of its first chunk; other outputs
    keep their order. Nothing is stripped or added, so a line the kernel sent
    as ``"54"`` and ``" 55\\n"`` comes out as ``"54 55\\n"``.
    """
    merged: list[dict] = []
    first: dict[str, dict] = {}
    for output in outputs:
        if output.get("output_type") == "stream":
            name = output.get("name")
            if name in first:
                first[name]["text"] = _text(first[name]["text"]) + _text(output["text"])
                continue
            output["text"] = _text(output["text"])
            first[name] = output
        merged.append(output)
    return merged


def _failing_cell(notebook: NotebookNode, why: str) -> int | None:
    """Find the cell that raised: the one with an error output, else by source."""
    cells = notebook.get("cells", [])
    for index, cell in enumerate(cells):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return index
    for index, cell in enumerate(cells):
        source = _text(cell.get("source", "")).strip()
        if cell.get("cell_type") == "code" and source and source in why:
            return index
    return None


def _print_last(message: str) -> None:
    sys.stderr.write(message)
    sys.stderr.flush()


def _enter_client(self: _nb_execute.NotebookClientBase):
    """myst-nb's client entry, then outputs into the parsed notebook."""
    parsed = self.notebook
    try:
        _myst_nb_enter(self)
    except _nb_execute.ExecutionError as error:
        why = str(error.__cause__ or error)
        index = _failing_cell(self.notebook, why)
        chapter = str(self.path) if self.path else str(error)
        with contextlib.suppress(ValueError):  # shown relative when inside cwd
            chapter = Path(chapter).resolve().relative_to(Path.cwd()).as_posix()
        code_cells = [
            i for i, c in enumerate(self.notebook.cells) if c.cell_type == "code"
        ]
        number = code_cells.index(index) + 1 if index in code_cells else None
        line = self.cell_line(index) if index is not None else None
        raise ChapterFailed.in_cell(chapter, number, line, why).stop() from None
    executed = self.notebook
    if executed is not parsed:  # a cache hit: the outputs went into a copy
        parsed.clear()
        parsed.update(executed)
    for cell in executed.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = merge_streams(cell.get("outputs", []))
    return self


def stabilise(notebook: dict) -> str:
    """Return a notebook's JSON with stable cell ids and no execution timings."""
    for index, cell in enumerate(notebook.get("cells", [])):
        if "id" in cell:
            cell["id"] = f"cell-{index}"
        cell.get("metadata", {}).pop("execution", None)
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_downloads(app: Sphinx, exception: Exception | None) -> None:
    """Write each chapter's downloadable notebook, executed, into ``_sources``."""
    if exception is not None or app.builder.format != "html":
        return
    executed_dir = Path(app.outdir).parent / _nb_sphinx.OUTPUT_FOLDER
    for docname in sorted(app.env.found_docs):
        executed = executed_dir / f"{docname}.ipynb"
        if not executed.is_file():
            continue  # not a notebook
        notebook = json.loads(executed.read_text(encoding="utf-8"))
        missing = unexecuted_cells(notebook)
        if missing:
            logger.warning(
                "the downloadable notebook of %s lacks the outputs of code "
                "cells %s (of %s); not publishing it",
                docname,
                missing,
                executed,
                type="convbook",
                subtype="download",
            )
            continue
        app.emit(DOWNLOAD_EVENT, docname, notebook)
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(stabilise(notebook), encoding="utf-8")


def rewrite_every_page(app: Sphinx, env: BuildEnvironment) -> Iterable[str]:
    """Have Sphinx write every page, not only those of changed chapters."""
    return sorted(env.found_docs)


def prepare_site(app: Sphinx, builder: object) -> None:
    """Before pages are written: myst-nb's stylesheet in, stale files out.

    myst-nb copies its stylesheet after the pages, so only a rebuild's pages
    got its ``?v=`` checksum. Sphinx updates the previous search index rather
    than writing a new one, and keeps the words of removed text with no page;
    since every page is written again, the index is started afresh.
    """
    if app.builder.format != "html":
        return
    (Path(app.outdir) / "_static").mkdir(parents=True, exist_ok=True)
    _nb_sphinx.add_global_html_resources(app, None)
    (Path(app.outdir) / "searchindex.js").unlink(missing_ok=True)
    # Sphinx's backup of the previous build's record, kept when the
    # configuration changed: a file of the build, not of the site.
    (Path(app.outdir) / ".buildinfo.bak").unlink(missing_ok=True)


def sort_sitemap(app: Sphinx, exception: Exception | None) -> None:
    """Put sphinx-sitemap's pages (a queue shared by the writers) in order."""
    links = getattr(app, "sitemap_links", None)
    if exception is not None or links is None:
        return
    entries = []
    with contextlib.suppress(queue.Empty):
        while True:
            entries.append(links.get_nowait())
    for entry in sorted(entries, key=lambda entry: str(entry[0])):
        links.put(entry)


def setup(app: Sphinx) -> dict[str, object]:
    _nb_execute.NotebookClientBase.__enter__ = _enter_client
    app.add_event(DOWNLOAD_EVENT)
    app.connect("env-updated", rewrite_every_page)
    app.connect("write-started", prepare_site)
    # after the theme, which copies the unprocessed notebook at page writing
    app.connect("build-finished", write_downloads, priority=400)
    # before sphinx-sitemap writes the sitemap (at the default priority, 500)
    app.connect("build-finished", sort_sitemap, priority=450)
    # last, so that the other handlers see the build's error first
    app.connect("build-finished", report_parallel_failure, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "2"}
