"""The prose the search page quotes in its snippets (book/_ext/search_snippets.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))

import json

import search_snippets
from search_snippets import cached_page_texts, page_text

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


def test_cached_page_texts_parses_each_page_once_and_keeps_only_current_pages(
    tmp_path, monkeypatch
):
    cache = tmp_path / "doctrees" / "cache.json"
    other = PAGE.replace("Stride", "Padding")
    first = cached_page_texts({"a": PAGE, "b": other}, cache)
    assert first == {"a": page_text(PAGE), "b": page_text(other)}
    assert len(json.loads(cache.read_text())) == 2

    parsed = []

    def counting(html):
        parsed.append(html)
        return page_text(html)

    monkeypatch.setattr(search_snippets, "page_text", counting)
    edited = PAGE.replace("Some", "More")
    second = cached_page_texts({"a": PAGE, "c": edited}, cache)
    assert parsed == [edited]  # the unchanged page came from the cache
    assert second == {"a": page_text(PAGE), "c": page_text(edited)}
    assert len(json.loads(cache.read_text())) == 2  # b's entry is gone

    parsed.clear()
    monkeypatch.setattr(search_snippets, "_READER", "an edited reader")
    cached_page_texts({"a": PAGE}, cache)
    assert parsed == [PAGE]  # a change to the reader invalidates every entry


def test_cached_page_texts_survives_a_broken_cache(tmp_path):
    cache = tmp_path / "cache.json"
    cache.write_text("{not json")
    assert cached_page_texts({"a": PAGE}, cache) == {"a": page_text(PAGE)}
    cache.write_text('{"x": 1}')
    assert cached_page_texts({"a": PAGE}, cache) == {"a": page_text(PAGE)}
