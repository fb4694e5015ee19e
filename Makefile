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

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
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
	rm -rf $(VENV) target logs warehouse.duckdb warehouse.duckdb.wal .pytest_cache
