"""Sphinx configuration for the convbook book.

Sources live in ``book/``; this file stays at the repository root and the book
is built with ``sphinx-build -c . book _build/html`` (see the Makefile).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))

# -- Where the site lives ----------------------------------------------------
# The one place to change the public address (also settable from the
# environment, e.g. by the GitHub Pages workflow).
SITE_URL = os.environ.get(
    "CONVBOOK_SITE_URL",
    # On Read the Docs the site's own address; elsewhere GitHub Pages.
    os.environ.get("READTHEDOCS_CANONICAL_URL", "https://convbook.github.io/convbook/"),
)
REPOSITORY_URL = "https://github.com/convbook/convbook"

project = "convbook"
author = "The convbook authors"
copyright = "2026, the convbook authors"
release = version = "0.1.0"
language = "en"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinxcontrib.bibtex",
    "sphinx_sitemap",
    "sphinxext.opengraph",
    "prerender_math",
    "stable_notebooks",
    "convbook_widgets",
    "page_head",
    "theme_scripts",
    "theme_styles",
    "stable_config",
    "reader_notes",
    "pdf_book",
    "accessible_html",
    "search_snippets",
    "code_breaks",
    "notfound.extension",
]

exclude_patterns = [
    "_build",
    "_ext",
    "_kernel",
    "_static",
    "_templates",
    "**.ipynb_checkpoints",
]
root_doc = "index"

# -- MyST and notebooks ------------------------------------------------------
myst_enable_extensions = [
    "amsmath",
    "colon_fence",
    "deflist",
    "dollarmath",
    "substitution",
]
myst_heading_anchors = 3
myst_dmath_double_inline = True
numfig = True
math_numfig = True
math_eqref_format = "({number})"
numfig_format = {"figure": "Figure %s", "table": "Table %s", "code-block": "Listing %s"}

# Execution: every chapter is run at build time. The cache is keyed by the
# cells only, so the key also carries a hash of everything else a result can
# depend on: the package source, the kernel configuration and the lock file.
# A change in src/convbook therefore re-executes the chapters.


def _source_hash() -> str:
    digest = hashlib.sha256()
    files = sorted((ROOT / "src" / "convbook").rglob("*.py"))
    files += sorted((ROOT / "src" / "convbook" / "data").glob("*.json"))
    files += sorted((ROOT / "book" / "_kernel").rglob("*.py"))
    files += [ROOT / "requirements" / "lock.txt"]
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


nb_execution_mode = os.environ.get("CONVBOOK_EXECUTION_MODE", "cache")
CACHE_ROOT = Path(
    os.environ.get("CONVBOOK_CACHE_DIR", ROOT / "_build" / ".jupyter_cache")
)
nb_execution_cache_path = str(CACHE_ROOT / _source_hash())
nb_execution_raise_on_error = True
# A failing cell stops the build with the chapter, the cell and its traceback
# (book/_ext/stable_notebooks.py), so myst-nb's own report stays short.
nb_execution_show_tb = False
nb_execution_timeout = 180
nb_execution_allow_errors = False
# Printed output is joined exactly by book/_ext/stable_notebooks.py; myst-nb's
# merging strips each chunk and can split a line in two.
nb_merge_streams = False
nb_output_stderr = "warn"
nb_kernel_rgx_aliases = {".*": "python3"}
nb_render_image_options = {"align": "center"}

# The kernels read their IPython configuration (SVG figures without dates,
# fixed SVG ids, no colour codes in tracebacks) from book/_kernel.
os.environ["IPYTHONDIR"] = str(ROOT / "book" / "_kernel")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

# -- API documentation ---------------------------------------------------------
autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": False}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

doctest_global_setup = """
import numpy as np
import convbook
from convbook import *
"""

# -- Citations -------------------------------------------------------------------
bibtex_bibfiles = [str(ROOT / "book" / "references.bib")]
bibtex_default_style = "convbook"  # author-year labels: book/_ext/accessible_html.py
bibtex_reference_style = "author_year"

# -- HTML --------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "How a CNN's second layer computes"
html_baseurl = SITE_URL
html_static_path = [str(ROOT / "book" / "_static")]
# The theme's page-asset macros without its 1.6 MB icon script (see
# CONTRIBUTING.md, "Mathematics: typeset when the book is built").
# Also pdf-link.html: the footer's link to the whole-book PDF.
templates_path = [str(ROOT / "book" / "_templates")]
html_css_files = ["convbook.css"]
# Sidebar buttons that work and visible sideways scrolling (see the file).
# Deferred, as every page script is (CONTRIBUTING.md, "What keeps pages fast").
html_js_files = [("convbook-page.js", {"defer": "defer"})]
# A figure given a display width (as_png's 2x PNGs) stays a plain image, not a
# link to its file: convbook-page.js opens every figure at full size instead.
html_scaled_image_link = False
html_last_updated_fmt = None
html_copy_source = True
# Sphinx's summaries fetch every result's page, which browsers refuse from
# file://; book/_ext/search_snippets.py writes the snippets' text instead.
html_show_search_summary = False
html_search_scorer = str(ROOT / "book" / "_ext" / "search_scorer.js")
html_domain_indices = False
html_show_sourcelink = True
html_context = {"default_mode": "auto"}
html_theme_options = {
    "repository_url": REPOSITORY_URL,
    "repository_branch": "main",
    "path_to_docs": "book",
    "use_repository_button": True,
    "use_issues_button": True,
    "use_edit_page_button": True,
    "use_download_button": True,
    "use_sidenotes": False,
    "show_toc_level": 2,
    "home_page_in_toc": True,
    # A launch-button provider is what makes the theme offer the executed
    # .ipynb; a Binder link is only a link, nothing is requested from it.
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "notebook_interface": "jupyterlab",
    },
    "navigation_with_keys": False,
    # Every page links the whole-book PDF that `make pdf` puts into the site.
    "footer_content_items": [
        "author.html",
        "copyright.html",
        "last-updated.html",
        "extra-footer.html",
        "pdf-link.html",
    ],
    # The book's licence on every page (the code's is in LICENSE).
    "extra_footer": (
        "<p>Text and figures licensed under "
        '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">'
        "CC BY 4.0</a>; code under the "
        f'<a href="{REPOSITORY_URL}/blob/main/LICENSE">MIT licence</a>.</p>'
    ),
}
sitemap_url_scheme = "{link}"
sitemap_excludes = ["search.html", "genindex.html", "404.html"]
# The 404 page is served for any missing address, so its links are absolute.
notfound_urls_prefix = urlsplit(SITE_URL).path or "/"
notfound_context = {
    "title": "Page not found",
    "body": (
        "<h1>Page not found</h1>"
        "<p>This address is not part of the book. Start again from "
        f'<a href="{urlsplit(SITE_URL).path}index.html">the answer first</a>, '
        "or use the search box.</p>"
    ),
}
sitemap_show_lastmod = False
ogp_site_url = SITE_URL
ogp_site_name = html_title
ogp_type = "book"
ogp_enable_meta_description = True
ogp_social_cards = {"enable": False}

copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_exclude = ".linenos, .gp, .go"

# Formulas are typeset by KaTeX when the book is built (book/_ext/
# prerender_math.py); pages load no math script.
html_math_renderer = "katex"

suppress_warnings = ["mystnb.unknown_mime_type"]
nitpicky = False

# numpydoc-style types ("int, default 1", "pair of pairs") are prose, not
# classes to link; and the build links no external inventories (that would
# need the network), so numpy, matplotlib and standard-library targets stay
# plain text.
nitpick_ignore_regex = [
    ("py:class", r"default .*|optional|array[_ -]like|ndarray.*|callable|sequence.*"),
    ("py:class", r"array|(N|C|H|W|K|kh|kw|\(.*\)).*"),
    ("py:class", r"shape|pairs?|tuples|n|k|mapping|iterable|layers|str to float"),
    ("py:class", r"path-like|bool array|binary file object|\{?'[a-z]+'\}?"),
    (r"py:.*", r"(matplotlib|numpy|np|collections|argparse|IPython)(\..*)?"),
    ("py:class", r"convbook\.layers\._.*"),  # private base classes in signatures
    ("py:class", r"convbook\.\w+\.T"),  # type variables (typing.TypeVar) in signatures
]

# -- PDF (LaTeX) -------------------------------------------------------------------
# `make pdf` builds the whole book through Sphinx's LaTeX builder and latexmk.
PDF_NAME = "convbook.pdf"
latex_engine = "pdflatex"
latex_documents = [
    (root_doc, "convbook.tex", html_title, author.replace(" ", "~"), "manual")
]
# The figures are SVG on the site; in the PDF they stay vector graphics
# (svg_to_pdf converts them), instead of myst-nb's default PNG-or-nothing.
nb_mime_priority_overrides = [("latex", "image/svg+xml", 15)]
latex_show_urls = "no"
latex_show_pagerefs = False
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "11pt",
    "fontpkg": r"\usepackage{lmodern}",
    # Long code lines wrap instead of running off the page.
    "sphinxsetup": "verbatimwrapslines=true, verbatimforcewraps=true",
    "preamble": r"""
% Equations are numbered (1), (2), ... within each chapter, as on the site.
% So are figures and tables. (Sphinx sets its own at the start of the
% document, so these come after it.)
\AtBeginDocument{%
  \renewcommand{\theequation}{\arabic{equation}}%
  \renewcommand{\thefigure}{\arabic{figure}}%
  \renewcommand{\thetable}{\arabic{table}}}
\usepackage{newunicodechar}
\newunicodechar{≤}{\ensuremath{\leq}}
\newunicodechar{≥}{\ensuremath{\geq}}
\newunicodechar{≈}{\ensuremath{\approx}}
\newunicodechar{−}{\ensuremath{-}}
\newunicodechar{→}{\ensuremath{\rightarrow}}
\newunicodechar{⋆}{\ensuremath{\star}}
\newunicodechar{⌊}{\ensuremath{\lfloor}}
\newunicodechar{⌋}{\ensuremath{\rfloor}}
\newunicodechar{⌈}{\ensuremath{\lceil}}
\newunicodechar{⌉}{\ensuremath{\rceil}}
\newunicodechar{≠}{\ensuremath{\neq}}
\newunicodechar{∈}{\ensuremath{\in}}
\newunicodechar{∑}{\ensuremath{\sum}}
\newunicodechar{∞}{\ensuremath{\infty}}
\newunicodechar{′}{\ensuremath{'}}
\newunicodechar{⊙}{\ensuremath{\odot}}
\newunicodechar{∗}{\ensuremath{\ast}}
""",
    "maketitle": r"""\sphinxmaketitle
\thispagestyle{empty}
\begin{center}\small
Text and figures licensed under CC BY 4.0
(\url{https://creativecommons.org/licenses/by/4.0/});
code under the MIT licence.\\
Online: \url{https://convbook.github.io/convbook/} \quad
Source: \url{https://github.com/convbook/convbook}
\end{center}
\clearpage""",
}


def _package_shortcut(app, env, node, contnode):
    """Resolve ``convbook.name`` to the module that defines ``name``.

    The API page documents each function where it lives
    (``convbook.conv.conv2d``); readers and chapters write the public name
    (``convbook.conv2d``), which this resolves.
    """
    import convbook

    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith("convbook."):
        return None
    name = target.removeprefix("convbook.")
    module = getattr(getattr(convbook, name, None), "__module__", None)
    if module is None or module == "convbook":
        return None
    return env.domains["py"].resolve_xref(
        env,
        node["refdoc"],
        app.builder,
        node["reftype"],
        f"{module}.{name}",
        node,
        contnode,
    )


def setup(app):
    app.connect("missing-reference", _package_shortcut)
