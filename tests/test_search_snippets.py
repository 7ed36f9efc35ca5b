"""The prose the search page quotes in its snippets (book/_ext/search_snippets.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))

from search_snippets import page_text

PAGE = """<html><body><nav><p>Menu</p></nav>
<article class="bd-article"><section id="top"><h1>Title<a class="headerlink">#</a></h1>
<p>Some <code>conv2d</code> prose</p><div class="cell"><pre>x = 1</pre></div>
<section id="stride"><h2>Stride</h2><p>A step of
<span class="katex"><math><semantics><mi>S</mi>
<annotation encoding="application/x-tex">S_1</annotation></semantics></math>
<span class="katex-html">S1</span></span>.</p></li>
</section></section></article><footer><p>Footer</p></footer></body></html>"""


def test_page_text_keeps_prose_and_tex_and_marks_sections():
    text, sections = page_text(PAGE)
    assert text == "Title Some conv2d prose Stride A step of S_1 ."
    assert sections == {"top": 0, "stride": text.index(" Stride")}
