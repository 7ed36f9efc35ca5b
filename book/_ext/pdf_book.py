"""What the whole-book PDF (Sphinx's LaTeX builder, ``make pdf``) needs.

- SVG figures become PDF figures, so they stay vector graphics as on the
  site: LaTeX cannot include SVG, and Sphinx asks an image converter for
  another format; this one calls ``rsvg-convert`` (Debian's
  ``librsvg2-bin``).
- The home page's tables of contents sit inside its last section ("How to
  read this book"). On the site that is where the reader meets them; in the
  PDF it would make every chapter a subsection of that section. For the LaTeX
  builder only, they move to the end of the page, so every chapter is a
  chapter and each part a part.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import ClassVar

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms.images import ImageConverter


class SvgToPdf(ImageConverter):
    conversion_rules: ClassVar = [("image/svg+xml", "application/pdf")]

    def is_available(self) -> bool:
        if shutil.which("rsvg-convert") is None:
            raise ExtensionError(
                "the PDF's figures need rsvg-convert, which is not installed: "
                "apt-get install librsvg2-bin"
            )
        return True

    def convert(self, _from: str, _to: str) -> bool:
        subprocess.run(
            ["rsvg-convert", "--format=pdf", "--output", _to, _from], check=True
        )
        return Path(_to).is_file()


def hoist_root_toctrees(app: Sphinx, doctree: nodes.document) -> None:
    """Move the root page's toctrees out of its sections (LaTeX builder only)."""
    if app.builder.name != "latex" or app.env.docname != app.config.root_doc:
        return
    wrappers = [
        node
        for node in doctree.findall(nodes.compound)
        if "toctree-wrapper" in node["classes"]
        and any(isinstance(child, addnodes.toctree) for child in node.children)
    ]
    for wrapper in wrappers:
        wrapper.parent.remove(wrapper)
        doctree += wrapper


def setup(app: Sphinx) -> dict[str, object]:
    app.add_post_transform(SvgToPdf)
    app.connect("doctree-read", hoist_root_toctrees)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
