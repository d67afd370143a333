# One entry point. Each target sets up what it needs (a .venv with fabula and its dev tools).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: help venv demo test lint format typecheck unasync bench clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("fabula needs Python >= 3.11" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)  ## create .venv with fabula and its dev tools

demo: $(STAMP)  ## run the todo demo end to end on a SQLite file
	$(BIN)/fabula demo --db demo.db --fresh

test: lint  ## lint, type-check, then run every test (PostgreSQL from FABULA_TEST_DATABASE_URL)
	$(BIN)/python -m pytest -q

lint: $(STAMP)  ## ruff format check, ruff, mypy --strict, pyright, generated sync code up to date
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/python tools/unasync.py --check
	$(BIN)/mypy
	$(BIN)/python tools/pyright_check.py  # pyright strict on tests/typing, public API completeness

format: $(STAMP)  ## regenerate sync code and format everything
	$(BIN)/python tools/unasync.py
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

unasync: $(STAMP)  ## regenerate the sync modules from their asyncio sources
	$(BIN)/python tools/unasync.py

BENCH_ARGS ?= --out docs/benchmarks.md --jsonl benchmarks/results.jsonl
# Flat costs: events stored before W1/W2/W3 (FLAT_SIZES=10000,1000000,10000000 for the big run).
FLAT_SIZES ?= 10000,1000000

bench: $(STAMP)  ## benchmarks vs raw drivers and eventsourcing (BENCH_ARGS="--scale 0.1 --repeat 1")
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	$(BIN)/python -m benchmarks $(BENCH_ARGS)
	$(BIN)/python -m benchmarks.flat --sizes $(FLAT_SIZES) --out docs/benchmarks.md --jsonl benchmarks/results.jsonl
	$(BIN)/python -m benchmarks.partitions --backend postgres
	$(BIN)/python -m benchmarks.partitions --backend sqlite

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .hypothesis demo.db*
