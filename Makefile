# One entry point for developers and CI. Needs only python3.11 (or python3 >= 3.11) and make:
# everything else is installed into .venv from pyproject.toml.
#
#   make run    install, migrate, apply schedules/, then web + worker + beat + syncer (Ctrl-C stops all)
#   make test   install, then the whole pytest suite (extra arguments: make test PYTEST_ARGS="-k e2e")

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The interpreter that creates .venv (looked up before .venv/bin joins PATH below).
ifndef PYTHON
PYTHON := $(shell command -v python3.11 || command -v python3)
endif
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROCFILE ?= Procfile
PYTEST_ARGS ?=
BENCH_ARGS ?=

# Recipes and the processes they start (honcho, celery, syncer) find the venv's tools first.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYTHONUNBUFFERED := 1

.PHONY: help install run test test-adoption test-matrix lint bench clean distclean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml changed since the last successful install.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -e ".[dev]"
	touch $@

install: $(STAMP) ## Create .venv and install the project with its dev extras

.env:
	cp .env.example .env

run: $(STAMP) .env ## Migrate, apply schedules/, then run the Procfile in the foreground
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/syncer apply --allow-empty schedules/
	@# --env /dev/null: settings read .env themselves, and let real environment variables win
	@# (honcho's own .env loading would override them).
	$(BIN)/honcho start -f $(PROCFILE) --env /dev/null

test: $(STAMP) .env ## Run the whole test suite (PYTEST_ARGS="..." for extra arguments)
	$(BIN)/pytest $(PYTEST_ARGS)

# The built wheel in a fresh project at both ends of the supported matrix (tests/adoption);
# `make test` runs the lowest end only.
test-adoption: $(STAMP) ## The adoption test at both ends of the matrix (Python 3.11 and 3.13)
	$(BIN)/pytest -p no:cacheprovider tests/adoption --adoption-ends lowest,highest $(PYTEST_ARGS)

test-matrix: $(STAMP) ## The whole suite at both ends of the matrix (noxfile.py; slow)
	$(BIN)/nox -s "tests(end='lowest')" "tests(end='highest')" -- $(PYTEST_ARGS)

lint: $(STAMP) ## ruff check, ruff format --check, import contracts (layers), mypy (core, db, daemon)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# make bench BENCH_ARGS="--tasks 100000 --database postgres" (options: python bench/run.py --help)
bench: $(STAMP) .env ## Run the benchmarks (bench/run.py; BENCH_ARGS="..." for options)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean: ## Remove caches, build output and var/ (the local database, broker files, task output)
	rm -rf var/ build/ dist/ *.egg-info .pytest_cache .ruff_cache .mypy_cache .hypothesis .nox
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean ## clean, and remove .venv too
	rm -rf $(VENV)
