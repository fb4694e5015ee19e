# eduwh — two commands on a fresh machine:
#   make build   create .venv, install, run the whole pipeline on the bundled sample
#   make test    the same set-up, then every test
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.eduwh-installed
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := False

.PHONY: all install build test lint bench clean

all: build

# the document pipeline's modules are compiled from their source (setup.py): a changed source
# means a rebuild (until then loaders/_compiled.py runs the changed module as plain Python)
COMPILED_SOURCES := $(wildcard loaders/regions.py loaders/documents/*.py) setup.py loaders/_compiled.py

$(STAMP): pyproject.toml constraints.txt $(COMPILED_SOURCES)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	PIP_CONSTRAINT=$(CURDIR)/constraints.txt $(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

build: install
	$(BIN)/eduwh build

test: install
	@bash scripts/ensure_postgres.sh >/dev/null || echo "no PostgreSQL server binaries: publish tests will skip" >&2
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check loaders tests benchmarks scripts
	$(BIN)/ruff format --check loaders tests benchmarks scripts
	$(BIN)/sqlfluff lint models analyses macros

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build target logs loaders/_build_info.py $(wildcard loaders/*.so loaders/documents/*.so) warehouse.duckdb warehouse.duckdb.wal .pytest_cache
