"""The whole book as one PDF (``make pdf``): complete, linked and readable.

The checks read the PDF that ``make pdf`` put into the site
(``_build/html/convbook.pdf``) with poppler's tools: its text
(``pdftotext``), its outline and links (``pdftohtml -xml``), and the LaTeX
log it was built from. Without the PDF or the tools the tests skip on a
reader's machine, and fail in CI, which builds the PDF first.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PDF = ROOT / "_build" / "html" / "convbook.pdf"
LOG = ROOT / "_build" / "latex" / "convbook.log"
SITE = ROOT / "_build" / "html"

pytestmark = pytest.mark.site


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this check must run)", pytrace=False)
    pytest.skip(reason)


def _tool(*args: str) -> str:
    if shutil.which(args[0]) is None:
        _unavailable(f"{args[0]} is not installed (apt-get install poppler-utils)")
    result = subprocess.run(args, capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture(scope="module")
def pdf() -> Path:
    if not PDF.is_file():
        _unavailable("no PDF in the site: run `make pdf` first")
    return PDF


def _plain(text: str) -> str:
    """Whitespace collapsed and typographic quotes made straight, for comparing."""
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").split())


@pytest.fixture(scope="module")
def text(pdf: Path) -> str:
    return _plain(_tool("pdftotext", "-enc", "UTF-8", str(pdf), "-"))


def _chapter_titles() -> list[str]:
    """The first heading of every page; the home page's own sections instead.

    The PDF's title page carries the home page's title (LaTeX makes the root
    document's title the book's), and its sections become the first chapters.
    """
    titles = []
    for path in sorted((ROOT / "book").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        level = "##" if path.stem == "index" else "#"
        for match in re.finditer(rf"^{level} (.+)$", text, re.M):
            titles.append(_plain(re.sub(r"[`*]", "", match.group(1))))
            if path.stem != "index":
                break
    return titles


def test_the_pdf_has_a_plausible_number_of_pages(pdf: Path) -> None:
    info = _tool("pdfinfo", str(pdf))
    pages = int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))
    assert 80 <= pages <= 600, pages


@pytest.mark.parametrize("title", _chapter_titles())
def test_every_chapter_is_in_the_pdf(text: str, title: str) -> None:
    assert title in text


def test_no_reference_is_left_unresolved(text: str) -> None:
    assert "??" not in text


def test_the_pdf_states_the_licence_and_where_the_book_lives(text: str) -> None:
    assert "CC BY 4.0" in text
    assert "https://convbook.github.io/convbook/" in text
    assert "https://github.com/convbook/convbook" in text


def test_every_figure_on_the_site_is_in_the_pdf(text: str) -> None:
    on_site = sum(
        len(re.findall(r"<figcaption", p.read_text(encoding="utf-8")))
        for p in SITE.glob("*.html")
        if p.stem not in {"search", "genindex", "404"}
    )
    in_pdf = len(re.findall(r"Figure \d+: ", text))  # numbered per chapter
    assert on_site > 0
    assert in_pdf == on_site


def test_figures_are_vector_graphics_where_the_site_has_svg(pdf: Path) -> None:
    # pdfimages lists raster images only; an SVG figure converted to PDF adds
    # none bigger than a few pixels (a marker). So the PDF holds no more
    # pictures than the site has PNG figures (each may come with a mask).
    rows = _tool("pdfimages", "-list", str(pdf)).splitlines()[2:]
    rasters = {
        row.split()[10]  # object id: an image used twice is one image
        for row in rows
        if int(row.split()[3]) > 32 and int(row.split()[4]) > 32
    }
    site_pngs = list((SITE / "_images").glob("*.png"))
    site_svgs = list((SITE / "_images").glob("*.svg"))
    assert site_svgs, "the site has no SVG figures to compare with"
    assert len(rasters) <= 2 * len(site_pngs)


def test_the_pdf_has_bookmarks_and_a_clickable_table_of_contents(pdf: Path) -> None:
    xml = _tool("pdftohtml", "-xml", "-i", "-stdout", "-q", str(pdf))
    outline = re.findall(r"<item page=\"\d+\">([^<]+)</item>", xml)
    links = re.findall(r"<a href=\"[^\"]*\"", xml)
    outline = [_plain(item) for item in outline]
    for title in _chapter_titles():
        assert title in outline
    assert len(links) > 50


def test_no_code_line_runs_off_the_page() -> None:
    if not LOG.is_file():
        _unavailable("no LaTeX log: run `make pdf` first")
    log = LOG.read_text(encoding="utf-8", errors="replace")
    tex = LOG.with_suffix(".tex").read_text(encoding="utf-8").splitlines()
    # The .tex lines inside code blocks and outputs (Sphinx's Verbatim).
    in_code, inside = set(), False
    for number, line in enumerate(tex, start=1):
        if line.startswith("\\begin{sphinxVerbatim}"):
            inside = True
        elif line.startswith("\\end{sphinxVerbatim}"):
            inside = False
        elif inside:
            in_code.add(number)
    assert in_code, "no code block found in the .tex file"
    overfull = []
    for match in re.finditer(
        r"Overfull \\hbox \((\d+\.\d+)pt too wide\) "
        r"(?:in paragraph at lines (\d+)--(\d+)|detected at line (\d+))",
        log,
    ):
        first, last = int(match[2] or match[4]), int(match[3] or match[4])
        if in_code & set(range(first, last + 1)):
            overfull.append(match.group(0))
    assert overfull == []


def _commit_times() -> set[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        _unavailable("not a git checkout: the PDF's date is a commit's")
    log = subprocess.run(
        ["git", "-C", str(ROOT), "log", "--format=%ct"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {
        datetime.fromtimestamp(int(stamp), tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
        for stamp in log
    }


def test_the_pdf_is_dated_by_a_commit_not_by_the_build(pdf: Path) -> None:
    # pdfTeX writes the creation date and derives the file's /ID from
    # SOURCE_DATE_EPOCH, which `make pdf` sets to the time of the commit
    # it builds: two builds of one commit then give the same bytes. A PDF
    # stamped with the build's clock carries a time no commit has.
    info = _tool("pdfinfo", "-isodates", str(pdf))
    dates = dict(re.findall(r"^(CreationDate|ModDate):\s+(\S+)$", info, re.M))
    assert sorted(dates) == ["CreationDate", "ModDate"], info
    commits = _commit_times()
    for field, value in dates.items():
        moment = value.removesuffix("Z").removesuffix("+00")
        assert moment in commits, (
            f"the PDF's {field} is {value}, the time of no commit: "
            "`make pdf` should set SOURCE_DATE_EPOCH to the commit's time"
        )
