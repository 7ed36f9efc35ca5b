"""The book's own Sphinx extension (book/_ext) does what reproducibility needs.

``stable_notebooks`` wraps one method of myst-nb (the execution client's
entry); the tests here run the installed myst-nb and jupyter-cache, so they
fail if an upgrade moves what the wrap relies on.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
# The extensions import their siblings, as Sphinx loads them (conf.py).
sys.path.insert(0, str(ROOT / "book" / "_ext"))


def _load(name: str):
    spec = importlib.util.spec_from_file_location(
        name, ROOT / "book" / "_ext" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


stable = _load("stable_notebooks")


def test_stream_chunks_are_joined_exactly_per_stream() -> None:
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": ["25088"]},
        {"output_type": "stream", "name": "stdout", "text": " 12544\n"},
        {"output_type": "stream", "name": "stderr", "text": "warn\n"},
        {"output_type": "execute_result", "data": {"text/plain": "1"}},
        {"output_type": "stream", "name": "stdout", "text": "a\n  \n"},
    ]
    merged = stable.merge_streams(outputs)
    assert [(o["output_type"], o.get("name")) for o in merged] == [
        ("stream", "stdout"),
        ("stream", "stderr"),
        ("execute_result", None),
    ]
    assert merged[0]["text"] == "25088 12544\na\n  \n"  # nothing stripped


def test_two_chunkings_of_one_notebook_give_the_same_bytes() -> None:
    def notebook(chunks: list[str], cell_id: str) -> dict:
        outputs = [
            {"output_type": "stream", "name": "stdout", "text": c} for c in chunks
        ]
        cell = {
            "cell_type": "code",
            "id": cell_id,
            "metadata": {"execution": {"iopub.execute_input": cell_id}},
            "outputs": stable.merge_streams(outputs),
            "source": "print(1, 2)",
            "execution_count": 1,
        }
        return {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}

    first = stable.stabilise(notebook(["1 2\n"], "f3a1"))
    second = stable.stabilise(notebook(["1", " 2\n"], "09bc"))
    assert first == second
    cell = json.loads(first)["cells"][0]
    assert cell["id"] == "cell-0"
    assert "execution" not in cell["metadata"]


def test_unexecuted_cells_are_found() -> None:
    cells = [
        {"cell_type": "markdown", "source": "# Title"},
        {"cell_type": "code", "execution_count": 1, "outputs": []},
        {"cell_type": "code", "execution_count": None, "outputs": []},
    ]
    assert stable.unexecuted_cells({"cells": cells}) == [2]


class _Logger:
    """The logger interface myst-nb's execution clients call."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def _log(self, msg: str, *args: object, **kwargs: object) -> None:
        self.lines.append(msg)

    debug = info = warning = error = critical = _log


def _parsed_notebook() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [
        nbformat.v4.new_markdown_cell("Some prose."),
        nbformat.v4.new_code_cell("print(54, 55)"),
    ]
    return notebook


def test_a_cache_hit_puts_the_outputs_into_the_notebook_myst_nb_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """myst-nb writes the notebook it parsed; on a cache hit it must be executed.

    The cache is filled with an executed copy whose printed line came in two
    chunks; entering myst-nb's client (as its parser does, via
    ``create_client``) must leave the parsed notebook itself executed, with
    the line whole.
    """
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from myst_nb.core.config import NbParserConfig
    from myst_nb.core.execute import NotebookClientBase, create_client

    source = tmp_path / "chapter.ipynb"
    executed = _parsed_notebook()
    executed.cells[1].execution_count = 1
    executed.cells[1].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="54"),
        nbformat.v4.new_output("stream", name="stdout", text=" 55\n"),
    ]
    nbformat.write(executed, source)
    cache = get_cache(tmp_path / "cache")
    cache.cache_notebook_bundle(
        CacheBundleIn(executed, str(source)), check_validity=False
    )

    monkeypatch.setattr(NotebookClientBase, "__enter__", stable._enter_client)
    parsed = _parsed_notebook()
    config = NbParserConfig(
        execution_mode="cache", execution_cache_path=str(tmp_path / "cache")
    )
    logger = _Logger()
    with create_client(parsed, str(source), config, logger) as client:
        assert client.notebook.cells[1].outputs[0]["text"] == "54 55\n"
    assert any("Using cached notebook" in line for line in logger.lines)
    assert parsed.cells[1].execution_count == 1
    assert parsed.cells[1].outputs == [
        {"output_type": "stream", "name": "stdout", "text": "54 55\n"}
    ]


def test_setup_wraps_myst_nbs_client_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    from myst_nb.core.execute import NotebookClientBase

    monkeypatch.setattr(NotebookClientBase, "__enter__", NotebookClientBase.__enter__)

    class App:
        def __init__(self) -> None:
            self.events: list[str] = []

        def add_event(self, name: str) -> None:
            self.events.append(name)

        def connect(self, event: str, handler: object, priority: int = 500) -> None:
            self.events.append(event)

    app = App()
    stable.setup(app)
    assert NotebookClientBase.__enter__ is stable._enter_client
    assert stable.DOWNLOAD_EVENT in app.events


FAILING_CHAPTER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A chapter with a mistake

```{code-cell} ipython3
numerator = 1
```

Some prose between the cells.

```{code-cell} ipython3
ratio = numerator / 0
```
"""

#: The whole message the build must end with: the chapter, the cell, then the
#: cell and the kernel's traceback as nbclient reports them.
FAILURE_MESSAGE = """\
The book did not build: book/mistake.md, code cell 2 (line 22) raised an error.
An error occurred while executing the following cell:
------------------
ratio = numerator / 0
------------------


---------------------------------------------------------------------------
ZeroDivisionError                         Traceback (most recent call last)
Cell In[2], line 1
----> 1 ratio = numerator / 0

ZeroDivisionError: division by zero

Fix the cell in book/mistake.md (or tag it `raises-exception` if the error is \
the point), then build again.
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_failing_cell_ends_the_build_with_chapter_cell_and_traceback(
    tmp_path: Path, jobs: str
) -> None:
    """Serial or parallel (``-j 2``: chapters read in forked processes), the
    build ends with status 1 and the chapter, cell and traceback, last.

    Sphinx reads in parallel whenever ``-j`` is above 1 since 8.1
    (sphinx-doc/sphinx#12796; before, only when more than five documents
    were outdated): the book has seven anyway, and the test checks that
    Sphinx reported reading in chunks.
    """
    book = tmp_path / "book"
    book.mkdir()
    pages = [f"page-{n}" for n in range(1, 6)]
    toctree = "\n".join(["```{toctree}", *pages, "mistake", "```"])
    (book / "index.md").write_text(f"# A book\n\n{toctree}\n", encoding="utf-8")
    for page in pages:
        (book / f"{page}.md").write_text(f"# {page}\n\nProse.\n", encoding="utf-8")
    (book / "mistake.md").write_text(FAILING_CHAPTER, encoding="utf-8")
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "sphinx-build"),
            *("-c", str(ROOT), "-W", "--keep-going", "-j", jobs, "-b", "html"),
            *("-d", str(tmp_path / "doctrees"), str(book), str(tmp_path / "html")),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ, CONVBOOK_CACHE_DIR=str(tmp_path / "cache")),
        check=False,
        timeout=300,
    )
    # Sphinx colours its output and redraws its progress line when CI is
    # set, even into a pipe: the escape sequences go before matching
    output = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", result.stdout + result.stderr)
    assert result.returncode == 1, output
    if jobs != "1":  # read in parallel: progress is shown a chunk ("a .. b") a line
        assert re.search(r"^reading sources\.\.\. .* \S+ \.\. \S+$", output, re.M), (
            output
        )
    assert "sphinx-doc" not in output
    assert "Exception occurred" not in output
    tail = result.stderr[result.stderr.index("The book did not build") :]
    assert tail == FAILURE_MESSAGE, tail


def test_a_failure_in_a_parallel_reader_is_reported_by_the_main_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sphinx's own parallel tasks carry a reader's ``ChapterFailed`` to the
    main process as ``SphinxParallelError``; the build-finished handler turns
    it back into the same ``ChapterFailed``, printed at exit.

    Fails if the installed Sphinx stops carrying the message this way.
    """
    from sphinx.errors import SphinxParallelError
    from sphinx.util.parallel import ParallelTasks

    failed = stable.ChapterFailed.in_cell(
        "book/mistake.md", 2, 22, "ZeroDivisionError: division by zero\n"
    )

    def read_chapters(chapters: list[str]) -> None:
        raise failed

    tasks = ParallelTasks(2)
    tasks.add_task(read_chapters, ["mistake"])
    with pytest.raises(SphinxParallelError) as carried:
        tasks.join()

    printed_at_exit: list[str] = []
    monkeypatch.setattr(
        stable.atexit, "register", lambda func, text: printed_at_exit.append(text)
    )
    with pytest.raises(stable.ChapterFailed) as reported:
        stable.report_parallel_failure(None, carried.value)
    assert reported.value.code == 1
    assert printed_at_exit == [
        "\nThe book did not build: book/mistake.md, code cell 2 (line 22) raised "
        "an error.\nZeroDivisionError: division by zero\n\nFix the cell in "
        "book/mistake.md (or tag it `raises-exception` if the error is the point), "
        "then build again.\n"
    ]


def test_other_build_errors_are_left_to_sphinx() -> None:
    from sphinx.errors import SphinxParallelError

    error = SphinxParallelError("ValueError: chapters", "Traceback ...")
    assert stable.report_parallel_failure(None, error) is None
    assert stable.report_parallel_failure(None, ValueError("x")) is None
    assert stable.report_parallel_failure(None, None) is None


def test_the_sitemap_lists_pages_in_order_whatever_order_they_were_written() -> None:
    import queue

    class App:
        sitemap_links: queue.Queue = queue.Queue()

    written = [("gradients.html", None), ("api/conv.html", None), ("costs.html", None)]
    for entry in written:
        App.sitemap_links.put(entry)
    stable.sort_sitemap(App(), None)
    listed = [App.sitemap_links.get_nowait() for _ in written]
    assert listed == [
        ("api/conv.html", None),
        ("costs.html", None),
        ("gradients.html", None),
    ]
    assert App.sitemap_links.empty()


plain = _load("page_head")


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"O^{(2)}", "O⁽²⁾"),
        (r"K_1 \times K_1", "K₁ × K₁"),
        (r"W_{\mathrm{out}}", "Wₒᵤₜ"),
        (
            r"\left\lfloor \frac{H_i - K_1}{S_1} \right\rfloor + 1",
            "⌊ (Hᵢ - K₁)/(S₁) ⌋ + 1",
        ),
        (r"x^{ab}_q", "x^(ab)_q"),  # no Unicode superscript b, subscript q
        (r"x^2 y", "x² y"),
    ],
)
def test_inline_tex_reads_as_text(tex: str, text: str) -> None:
    assert plain.tex_to_text(tex) == text


def test_a_group_author_is_labelled_without_braces() -> None:
    from pybtex.database import parse_string

    labels = _load("accessible_html").AuthorYearLabels()
    data = parse_string(
        "@misc{a, author = {{oneDNN contributors}}, year = {2024}}\n"
        "@misc{b, author = {Dumoulin, Vincent and Visin, Francesco}, year = {2016}}",
        "bibtex",
    )
    found = list(labels.format_labels(data.entries.values()))
    assert found == ["oneDNN contributors 2024", "Dumoulin & Visin 2016"]


def _glued(*children) -> list:
    """Run glue_punctuation on a paragraph of ``children`` (text or math).

    Returns the paragraph's children: a text as its string, a formula as
    the math node, a glue span as the list of its children's texts.
    """
    from docutils import nodes

    class App:
        class builder:
            format = "html"

    paragraph = nodes.paragraph()
    for child in children:
        paragraph += nodes.Text(child) if isinstance(child, str) else child
    document = nodes.document(None, None)
    document += paragraph
    _load("prerender_math").glue_punctuation(App, document, "page")
    out = []
    for node in paragraph:
        if isinstance(node, nodes.inline):
            assert node["classes"] == ["math-glue"]
            out.append([child.astext() for child in node])
        else:
            out.append(node if isinstance(node, nodes.math) else node.astext())
    return out


def test_punctuation_after_a_formula_is_glued_to_it() -> None:
    from docutils import nodes

    y, z = nodes.math(text="y"), nodes.math(text="z")
    found = _glued("of ", nodes.math(text="x"), "), which", y, " and ", z)
    # a space after y, nothing after z: no glue
    assert found == ["of ", ["x", "),"], " which", y, " and ", z]


def test_an_opening_parenthesis_is_glued_to_the_formula_after_it() -> None:
    from docutils import nodes

    c, k, n = (nodes.math(text=t) for t in "Ckn")
    found = _glued("a matrix (", c, " by", " and (", k, ").", "[", n)
    glued = [["(", "C"], ["(", "k", ")."], ["[", "n"]]
    assert found == ["a matrix ", glued[0], " by", " and ", glued[1], glued[2]]
