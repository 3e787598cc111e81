# Set-up is part of every target: a fresh machine needs only python3 (3.11+) and make.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
APT_STAMP := $(VENV)/.apt-stamp
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install migrate run test lint typecheck compose-config docs docs-serve settings-reference pytest fuzz bench-ingest bench-search bench-web bench-pages bench-tiles system-deps clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	# iiif-prezi3 validates the manifests in the tests (a test tool only); it caps Pillow at
	# 12.0 only in its metadata (the models need pydantic alone), so it is installed
	# without its pins. Every run-time dependency is declared in pyproject.toml.
	$(BIN)/python -m pip install -q --no-deps -c requirements.lock iiif-prezi3
	touch $(STAMP)

# Front-end code of the public pages (OpenSeadragon) from the npm registry, checked against
# archive/web/assets/package-lock.json and served from the app's static files (no CDN).
VENDOR_STAMP := archive/web/static/vendor/openseadragon/.integrity
$(VENDOR_STAMP): archive/web/assets/package-lock.json tools/vendor.py
	$(PYTHON) tools/vendor.py

# The OAI-PMH 2.0 response schema, for the tests that validate /oai answers offline: the
# copy in pyoai's source distribution on PyPI (the schema itself imports nothing).
OAI_SCHEMA := $(VENV)/share/oai-pmh/OAI-PMH.xsd
$(OAI_SCHEMA): | $(STAMP)
	mkdir -p $(@D)
	$(BIN)/python -m pip download -q --no-deps --no-binary :all: pyoai==2.5.0 -d $(@D)
	tar -xzf $(@D)/pyoai-2.5.0.tar.gz -C $(@D) --strip-components=4 pyoai-2.5.0/src/oaipmh/tests/OAI-PMH.xsd
	rm $(@D)/pyoai-2.5.0.tar.gz

install: $(STAMP) $(VENDOR_STAMP) $(OAI_SCHEMA)

# Debian packages: chromium (+ Korean fonts) for the browser tests, nginx (in front of the app in
# the deployment tests and bench-web, from deploy/nginx/), libvips-tools and wrk for the
# benchmarks, docker-compose to validate docker-compose.yml. Installed once per venv; apt-get
# needs root (or sudo).
APT_PACKAGES := chromium fonts-nanum libvips-tools wrk docker-compose libmagic1 nginx
$(APT_STAMP): | $(STAMP)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	touch $(APT_STAMP)

# axe-core from the npm registry, injected into pages by the accessibility tests.
tools/node_modules/.package-lock.json: tools/package.json tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund --silent

system-deps: $(APT_STAMP) tools/node_modules/.package-lock.json

migrate: install
	$(BIN)/archive db upgrade

run: migrate
	$(BIN)/archive run

lint: install
	$(BIN)/ruff check archive tests bench tools/vendor.py
	$(BIN)/ruff format --check archive tests bench tools/vendor.py

typecheck: install
	$(BIN)/mypy

# The whole suite on SQLite, then the tests that touch the database again on PostgreSQL when
# ARCHIVE_TEST_POSTGRES_URL names a server (each run creates its own databases there and drops
# them at the end); there they search with the PostgreSQL backend, the default with that
# database (tests of Whoosh's own files are marked `whoosh` and keep it). Browser and fuzz tests, and tests without a database, run once; so do the
# word-level search tests (every variants row, every place-name pair), which use the database
# only to hold their records (the relevance set runs on both backends), and the imaging tests
# (tile pyramids, metadata stripped from public files in every container), the install from
# the package's metadata, and the outage tests (they start the PostgreSQL, Redis and S3
# servers they stop and pause themselves).
ONCE := --ignore=tests/e2e --ignore=tests/fuzz --ignore=tests/storage/test_contract.py \
	--ignore=tests/test_dates.py --ignore=tests/ingest/test_pool.py \
	--ignore=tests/search/test_variants.py --ignore=tests/search/test_words.py \
	--ignore=tests/imaging --ignore=tests/web/test_public_metadata.py \
	--ignore=tests/test_install.py --ignore=tests/search/test_hanja.py --ignore=tests/outages \
	--ignore=tests/deploy
# Two processes (pytest-xdist), a test file each at a time: files share nothing but Redis,
# which only test_limits.py uses. The browser tests run alone afterwards: two Chromiums and
# servers beside the other tests make their waits for tiles and workers race.
XDIST := -n 2 --dist loadfile
pytest: install system-deps
	$(BIN)/pytest -q $(XDIST) --ignore=tests/e2e
	$(BIN)/pytest -q tests/e2e
	@if [ -n "$$ARCHIVE_TEST_POSTGRES_URL" ]; then \
		echo "== the tests that touch the database, on PostgreSQL =="; \
		ARCHIVE_TEST_DATABASE=postgres $(BIN)/pytest -q $(XDIST) $(ONCE); \
	fi

# A long fuzz run of the sidecar, sheet and date readers and of the upload path
# (make test runs the same tests with few examples).
FUZZ_EXAMPLES ?= 3000
fuzz: install
	ARCHIVE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q tests/fuzz

# docker-compose.yml is validated without a Docker engine (Debian's docker-compose package).
compose-config: system-deps
	docker-compose -f docker-compose.yml config -q

test: lint typecheck compose-config docs pytest

# The documentation site (docs/, mkdocs.yml) into site/; strict: a broken link or a page
# missing from the navigation fails the build.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

docs-serve: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8001

# The settings reference, written from the declarations in archive/config.py (a test fails
# when the two differ).
settings-reference: install
	$(BIN)/python -m archive.settings_reference > docs/reference/settings.md

bench-ingest: install system-deps
	$(BIN)/python bench/ingest.py

bench-search: install
	$(BIN)/python bench/search.py

bench-web: install system-deps
	$(BIN)/python bench/web.py

# Page budgets on a throttled phone (LCP, CLS, bytes) in Debian's Chromium.
bench-pages: install system-deps
	$(BIN)/python bench/pages.py

# IIIF tile pyramids: libvips (pyvips-binary) against Pillow on the same scans.
bench-tiles: install
	$(BIN)/python bench/tiles.py

clean:
	rm -rf $(VENV) var site .pytest_cache .mypy_cache .ruff_cache
