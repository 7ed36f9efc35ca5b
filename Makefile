# The commands a person types. Every target sets up its own virtual
# environment first (.venv, from the pinned lock file), and rebuilds it only
# when pyproject.toml or the lock file change.
#
#   make html      build the book into _build/html (executes every chapter)
#   make test      every check: ruff, pytest, the book with -W, Sphinx doctest, browser tests
#   make doctest   Sphinx's doctest builder over the book and the API docs
#   make serve     preview the built book on http://127.0.0.1:8000
#   make bench     measure conv2d and write src/convbook/data/benchmark-results.json
#   make reproducible  build twice from scratch and compare the pages byte for byte
#   make buildtimes    measure clean and incremental builds (benchmarks/build-times.json)
#   make lock      refresh requirements/lock.txt (needs network access to PyPI)
#   make clean     remove the built site (keeps the notebook cache)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# KaTeX (which typesets the formulas at build time) from the npm registry,
# at the version package-lock.json pins; Node and npm come from the venv.
NODE_STAMP := node_modules/.installed
SITE_DEPS  := $(STAMP) $(NODE_STAMP)
SPHINXOPTS ?=
SPHINXBUILD = $(BIN)/sphinx-build -c . -W --keep-going -n $(SPHINXOPTS)
PORT   ?= 8000

.PHONY: all html test lint pytest doctest browser-test serve bench lock clean distclean venv reproducible buildtimes

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
	$(SPHINXBUILD) -b html book _build/html

doctest: $(SITE_DEPS)
	$(SPHINXBUILD) -b doctest book _build/doctest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

pytest: $(SITE_DEPS)
	$(BIN)/python -m pytest -m "not browser"

browser-test: html
	$(BIN)/python -m pytest -m browser tests/browser

test: lint pytest html doctest browser-test

serve: html
	@echo "Serving _build/html on http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html $(PORT)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_conv.py --output src/convbook/data/benchmark-results.json

reproducible: $(SITE_DEPS)
	$(BIN)/python scripts/check_reproducible.py

buildtimes: $(SITE_DEPS)
	$(BIN)/python scripts/build_times.py

lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra docs --extra test --universal \
		--python-version 3.11 --no-header -o requirements/lock.txt

clean:
	rm -rf _build/html _build/doctest _build/doctrees _build/repro

distclean:
	rm -rf _build $(VENV) node_modules
