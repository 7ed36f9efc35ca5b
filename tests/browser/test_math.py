"""Formulas typeset at build time (book/_ext/prerender_math.py), on a tiny book.

A page with a numbered equation, a reference to it, a correct inline formula
and a deliberately broken one is built with the book's math extension: the
build must name the broken formula (an error under ``-W``), the page must
carry KaTeX's markup with MathML and the equation number, and the browser
check that ``make test`` runs on every page of the book must flag the broken
formula. Needs Node and KaTeX (``make venv`` and ``npm ci``): skipped without
them on a reader's machine, a failure in CI.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXT = ROOT / "book" / "_ext"

CONF = f"""
import sys
sys.path.insert(0, {str(EXT)!r})
extensions = ["prerender_math"]
html_math_renderer = "katex"
html_theme = "basic"
numfig = True
math_numfig = True
"""
PAGE = r"""
Formulas
========

.. math::
   :label: relu

   A = \operatorname{ReLU}\big(\tilde{X} * \boldsymbol{W}\big)

By :eq:`relu`, :math:`\begin{cases} x & x > 0 \\ 0 & \text{otherwise} \end{cases}`.

A broken one: :math:`\frac{1}{`.
"""


def _build(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    if not (ROOT / "node_modules" / "katex" / "dist" / "katex.js").is_file():
        message = "KaTeX is not installed: run `npm ci` (make html does)"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set, so this check must run)")
        pytest.skip(message)
    source = tmp_path / "src"
    source.mkdir(exist_ok=True)
    (source / "conf.py").write_text(CONF, encoding="utf-8")
    (source / "index.rst").write_text(PAGE, encoding="utf-8")
    command = [sys.executable, "-m", "sphinx", "-q", "-b", "html", *options]
    command += [str(source), str(tmp_path / "html")]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_a_broken_formula_fails_the_build_and_shows_as_an_error(tmp_path) -> None:
    strict = _build(tmp_path, "-W", "--keep-going")
    assert strict.returncode != 0
    warnings = [line for line in strict.stderr.splitlines() if "WARNING" in line]
    assert len(warnings) == 1, strict.stderr
    assert re.fullmatch(
        r".*index\.rst:\d+: WARNING: formula not typeset: KaTeX parse error: "
        r"Unexpected end of input in a macro argument, expected '\}' at end of "
        r"input: \\frac\{1\}\{",
        re.sub(r"\x1b\[[0-9;]*m", "", warnings[0]),
    ), warnings[0]
    html = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    assert html.count('class="katex-error"') == 1
    assert '<span class="eqno">(1)' in html
    assert html.count("<math xmlns=") == 2  # the two good formulas
    assert 'annotation encoding="application/x-tex"' in html
    assert "katex/katex.min.css" in html
    assert "\\(" not in html  # nothing left for a script to typeset
    css = (tmp_path / "html" / "_static" / "katex" / "katex.min.css").read_text()
    fonts = set(re.findall(r"url\(fonts/([^)]+)\)", css))
    assert fonts, "the stylesheet names no fonts"
    assert all(name.endswith(".woff2") for name in fonts), fonts
    for name in fonts:
        assert (tmp_path / "html" / "_static" / "katex" / "fonts" / name).is_file()


@pytest.mark.browser
def test_the_page_check_flags_a_broken_formula(tmp_path, browser, math_report) -> None:
    _build(tmp_path)
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto((tmp_path / "html" / "index.html").as_uri(), wait_until="load")
        report = math_report(page)
    finally:
        context.close()
    assert report["total"] == 3  # one display and two inline formulas
    assert report["untypeset"] == ["\\frac{1}{"]
    assert report["without_mathml"] == ["\\frac{1}{"]
    assert len(report["errors"]) == 1
    assert report["errors"][0].startswith("ParseError: KaTeX parse error:")
    assert report["fonts_ready"] is True


def test_display_math_is_wrapped_only_where_it_brings_no_environment() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "prerender_math", EXT / "prerender_math.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = r"a &= b \\ c &= d"
    assert module.display_tex(rows) == rf"\begin{{split}}{rows}\end{{split}}"
    # A glued IPython Math brings its own environment; wrapping it in split
    # lost its line breaks (one 7000-pixel line).
    own = r"\displaystyle \begin{aligned} a &= b \\ c &= d \end{aligned}"
    assert module.display_tex(own) == own
    assert module.display_tex("x = 1\n\ny = 2") == (
        r"\begin{aligned}x = 1\\y = 2\end{aligned}"
    )
