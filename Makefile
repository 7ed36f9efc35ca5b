# The commands a person types. Every target sets up its own virtual
# environment first (.venv, from the pinned lock file), and rebuilds it only
# when pyproject.toml or the lock file change.
#
#   make html      build the book into _build/html (executes every chapter,
#                  one per CPU at a time; JOBS=1 for one at a time)
#   make test      every check: ruff, pytest, the book with -W, Sphinx doctest, browser tests
#   make site-test run every downloaded notebook in a fresh environment outside the repo
#   make doctest   Sphinx's doctest builder over the book and the API docs
#   make pdf       the whole book as one PDF (_build/latex/convbook.pdf, also copied into the site)
#   make serve     preview the built book at http://127.0.0.1:8000/convbook/
#                  (the hosted site's address prefix, so links behave the same)
#   make bench     measure conv2d and write src/convbook/data/benchmark-results.json
#   make reproducible  a clean build, a cache-only rebuild, a prose edit and its
#                  revert: each site must equal the clean one byte for byte
#   make check-site    the built site is publishable (executed downloads, ...)
#   make pagespeed every chapter on a slowed-down phone (benchmarks/page-speed.json)
#   make buildtimes    measure clean and incremental builds (benchmarks/build-times.json)
#   make lock      refresh requirements/lock.txt (needs network access to PyPI)
#   make clean     remove the built site and Sphinx's state (keeps the notebook cache)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# KaTeX (which typesets the formulas at build time) from the npm registry,
# at the version package-lock.json pins; Node and npm come from the venv.
NODE_STAMP := node_modules/.installed
SITE_DEPS  := $(STAMP) $(NODE_STAMP)
SPHINXOPTS ?=
# Chapters are read (and executed) by JOBS processes at once; `auto` is one
# per CPU. JOBS=1 reads them one after another, with one kernel at a time.
JOBS ?= auto
SPHINXBUILD = $(BIN)/sphinx-build -c . -W --keep-going -n -j $(JOBS) $(SPHINXOPTS)
PORT   ?= 8000
# Where the book's sources are and where the build goes (make reproducible
# builds a scratch copy elsewhere with these).
SOURCEDIR ?= book
BUILDDIR  ?= _build
REPRO_OPTS ?=

.PHONY: all html check-site test lint pytest doctest browser-test site-test pdf axe serve bench lock clean distclean venv reproducible buildtimes pagespeed

all: html

$(STAMP): pyproject.toml requirements/lock.txt
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 11) else "convbook needs Python >= 3.11, found %d.%d (set PYTHON=...)" % v[:2])'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(NODE_STAMP): package.json package-lock.json $(STAMP)
	$(BIN)/npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

venv: $(STAMP)

html: $(SITE_DEPS)
	$(SPHINXBUILD) -d $(BUILDDIR)/doctrees/html -b html $(SOURCEDIR) $(BUILDDIR)/html
	$(BIN)/python scripts/check_site.py --book $(SOURCEDIR) $(BUILDDIR)/html

check-site: $(STAMP)
	$(BIN)/python scripts/check_site.py --book $(SOURCEDIR) $(BUILDDIR)/html

doctest: $(SITE_DEPS)
	$(SPHINXBUILD) -d $(BUILDDIR)/doctrees/doctest -b doctest $(SOURCEDIR) $(BUILDDIR)/doctest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

pytest: $(SITE_DEPS)
	$(BIN)/python -m pytest -m "not browser and not site"

# axe-core (accessibility engine) comes from the npm registry at test time,
# pinned, into _build/axe (npm from the venv); it is never committed.
AXE_VERSION := 4.14.1
AXE := _build/axe/node_modules/axe-core/axe.min.js

$(AXE): $(STAMP)
	$(BIN)/npm install --silent --no-audit --no-fund --no-save --prefix _build/axe axe-core@$(AXE_VERSION)

axe: $(AXE)

browser-test: html $(AXE)
	$(BIN)/python -m pytest -m browser tests/browser

site-test: html
	$(BIN)/python -m pytest -m site tests/site

test: lint pytest html doctest browser-test site-test

# The PDF needs TeX Live and friends from Debian (see .ci/run for the list);
# a missing one is named with the package that provides it.
PDF_TOOLS = latexmk:latexmk pdflatex:texlive-latex-recommended \
	rsvg-convert:librsvg2-bin pdftotext:poppler-utils
PDF_STYLES = fncychap.sty:texlive-latex-extra lmodern.sty:lmodern \
	tabulary.sty:texlive-latex-extra newunicodechar.sty:texlive-latex-extra

# The PDF carries the date of the commit it was built from, not the time of
# the build (pdfTeX, Sphinx and cairo read SOURCE_DATE_EPOCH), so building
# the same commit twice gives the same bytes.
pdf: export SOURCE_DATE_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
pdf: export FORCE_SOURCE_DATE := 1
pdf: $(SITE_DEPS)
	@for pair in $(PDF_TOOLS); do command -v $${pair%%:*} >/dev/null || \
		{ echo "make pdf needs $${pair%%:*}: apt-get install $${pair##*:}"; exit 1; }; done
	@for pair in $(PDF_STYLES); do kpsewhich $${pair%%:*} >/dev/null || \
		{ echo "make pdf needs $${pair%%:*}: apt-get install $${pair##*:}"; exit 1; }; done
	$(SPHINXBUILD) -d $(BUILDDIR)/doctrees/latex -b latex $(SOURCEDIR) $(BUILDDIR)/latex
	cd $(BUILDDIR)/latex && latexmk -pdf -interaction=nonstopmode -halt-on-error \
		-file-line-error convbook.tex >latexmk.out 2>&1 || \
		{ grep -A8 '^\./convbook.tex:[0-9]*:' convbook.log || tail -40 latexmk.out; exit 1; }
	mkdir -p $(BUILDDIR)/html
	cp $(BUILDDIR)/latex/convbook.pdf $(BUILDDIR)/html/convbook.pdf
	@echo "The PDF is _build/latex/convbook.pdf (and _build/html/convbook.pdf)."

serve: html
	$(BIN)/python scripts/serve.py --port $(PORT) $(BUILDDIR)/html

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_conv.py --output src/convbook/data/benchmark-results.json --readme README.md

reproducible: $(SITE_DEPS)
	$(BIN)/python scripts/check_reproducible.py $(REPRO_OPTS)

pagespeed: html
	$(BIN)/python scripts/pagespeed.py

buildtimes: $(SITE_DEPS)
	$(BIN)/python scripts/build_times.py

lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra docs --extra test --universal \
		--python-version 3.11 --no-header -o requirements/lock.txt

clean:
	rm -rf $(BUILDDIR)/html $(BUILDDIR)/doctest $(BUILDDIR)/doctrees \
		$(BUILDDIR)/jupyter_execute $(BUILDDIR)/repro

distclean:
	rm -rf _build $(VENV) node_modules
