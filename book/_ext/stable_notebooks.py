"""Give the executed notebooks that readers download stable cell ids.

Reading a text notebook gives every cell a random id, so two builds of the
same commit would offer ``.ipynb`` downloads that differ only in those ids.
After the build, this extension renumbers the cells of every notebook in the
site (``cell-0``, ``cell-1``, ...) and drops per-cell execution timestamps,
and merges the pieces of a cell's printed output, which the kernel sends in
chunks that depend on timing, so that two clean builds produce
byte-identical downloads as well as pages. For the same reason it replaces
myst-nb's merging of those pieces in the pages (see :func:`exact_coalesce`).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from myst_nb.core import render as _nb_render
from sphinx.application import Sphinx

_myst_nb_coalesce = _nb_render.coalesce_streams


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def merge_streams(outputs: list[dict]) -> list[dict]:
    """Join consecutive stream outputs of the same stream (stdout, stderr)."""
    merged: list[dict] = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            text = _text(previous["text"]) + _text(output["text"])
            previous["text"] = text.splitlines(keepends=True)
        else:
            if output.get("output_type") == "stream":
                output = {**output, "text": _text(output["text"]).splitlines(True)}
            merged.append(output)
    return merged


def exact_coalesce(outputs: list) -> list:
    """Join a cell's stream chunks exactly, then let myst-nb tidy them.

    myst-nb's ``coalesce_streams`` strips every chunk and adds a newline, so
    a line that the kernel happened to send in two chunks (``print(54, 55)``
    as ``"54"`` and ``" 55\n"``) came out on two lines -- only sometimes,
    since the chunking depends on timing -- and it edits the notebook's own
    outputs in place. Chunks of one stream are joined here, on copies, before
    myst-nb sees them.
    """
    merged: list = []
    first: dict[str, dict] = {}
    for output in (copy.deepcopy(o) for o in outputs):
        if output.get("output_type") == "stream":
            name = output.get("name")
            if name in first:
                first[name]["text"] = _text(first[name]["text"]) + _text(output["text"])
                continue
            output["text"] = _text(output["text"])
            first[name] = output
        merged.append(output)
    return _myst_nb_coalesce(merged)


def stabilise(path: Path) -> None:
    """Rewrite one notebook file with deterministic ids, no timings, whole streams."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for index, cell in enumerate(notebook.get("cells", [])):
        if "id" in cell:
            cell["id"] = f"cell-{index}"
        cell.get("metadata", {}).pop("execution", None)
        if "outputs" in cell:
            cell["outputs"] = merge_streams(cell["outputs"])
    text = json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


def stabilise_site(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for path in sorted(Path(app.outdir).rglob("*.ipynb")):
        stabilise(path)


def setup(app: Sphinx) -> dict[str, object]:
    _nb_render.coalesce_streams = exact_coalesce
    app.connect("build-finished", stabilise_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
