"""Give the executed notebooks that readers download stable cell ids.

Reading a text notebook gives every cell a random id, so two builds of the
same commit would offer ``.ipynb`` downloads that differ only in those ids.
After the build, this extension renumbers the cells of every notebook in the
site (``cell-0``, ``cell-1``, ...) and drops per-cell execution timestamps,
so that two clean builds produce byte-identical downloads as well as pages.
"""

from __future__ import annotations

import json
from pathlib import Path

from sphinx.application import Sphinx


def stabilise(path: Path) -> None:
    """Rewrite one notebook file with deterministic ids and no timings."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for index, cell in enumerate(notebook.get("cells", [])):
        if "id" in cell:
            cell["id"] = f"cell-{index}"
        cell.get("metadata", {}).pop("execution", None)
    text = json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


def stabilise_site(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for path in sorted(Path(app.outdir).rglob("*.ipynb")):
        stabilise(path)


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("build-finished", stabilise_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
