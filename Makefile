# Set-up is part of every target: a fresh machine needs only python3 (3.11+) and make.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
APT_STAMP := $(VENV)/.apt-stamp
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install migrate run test lint typecheck pytest bench-ingest bench-search system-deps clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian packages: libvips-tools gives vipsthumbnail for the ingest benchmark's comparison.
$(APT_STAMP): | $(STAMP)
	@if ! command -v vipsthumbnail >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvips-tools >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvips-tools >/dev/null; fi; \
	fi
	touch $(APT_STAMP)

system-deps: $(APT_STAMP)

migrate: install
	$(BIN)/archive db upgrade

run: migrate
	$(BIN)/archive run

lint: install
	$(BIN)/ruff check archive tests bench
	$(BIN)/ruff format --check archive tests bench

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest -q

test: lint typecheck pytest

bench-ingest: install system-deps
	$(BIN)/python bench/ingest.py

bench-search: install
	$(BIN)/python bench/search.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
