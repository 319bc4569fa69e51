# Quick start: `make demo` then `make test`. Both work on a fresh machine with only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test quick lint typecheck unit install install-dev browser system-packages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	# pip 23 backtracks for ages on this dependency set; a current pip resolves it in seconds.
	$(BIN)/python -m pip install -q -U pip

$(STAMP): $(BIN)/python pyproject.toml | system-packages
	$(BIN)/python -m pip install -q -e .
	touch $@

$(DEV_STAMP): $(BIN)/python pyproject.toml | system-packages
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(STAMP)

install: $(STAMP)
install-dev: $(DEV_STAMP)

demo: $(STAMP)
	$(BIN)/journeyline demo

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# The browser tests drive Debian's Chromium through the playwright package (never
# `playwright install`, which downloads a browser). Installed here when missing.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Note: /usr/bin/chromium is missing and cannot be installed here; browser tests will skip."; \
	fi

# The PDF and map-image exports (WeasyPrint) need Pango and HarfBuzz's libraries and a
# font (and an emoji font: customers write emoji, the chat's buttons show them); Debian's
# are installed here when missing (as root), the pattern of `browser`.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
	fonts-noto-color-emoji
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing$$missing for the PDF exports..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		echo "Note:$$missing missing and cannot be installed here; PDF and map-png exports will fail."; \
	fi

unit: $(DEV_STAMP) browser
	$(BIN)/python -m pytest -n auto -q

test: lint typecheck unit

# The fast loop while working: ruff, then the tests, database ones on SQLite only, leaving out
# the `browser`, `slow` and `postgres` markers (pyproject.toml). Measured on the shared
# 2-core machine (-n auto = 2 workers, load average about 2): 46 s, of which pytest 44 s.
# `make test` runs everything, PostgreSQL and the browser included.
quick: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n auto -q -m "not browser and not slow and not postgres"

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache journeyline-data
