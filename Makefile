# Everything runs inside .venv, created from pyproject.toml on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CONTENT ?= content
RUNTIME_STAMP := $(VENV)/.runtime-installed
TEST_STAMP := $(VENV)/.test-installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: deck check ids preview watch test lint clean bench browser fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BENCH_STAMP): pyproject.toml $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@

$(TEST_STAMP): pyproject.toml $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

deck: $(RUNTIME_STAMP)  ## build build/<deck key>.apkg from $(CONTENT)
	$(BIN)/wahrheiten-deck build $(CONTENT)

check: $(RUNTIME_STAMP)  ## validate the content without writing anything
	$(BIN)/wahrheiten-deck check $(CONTENT)

ids: $(RUNTIME_STAMP)  ## write missing note keys into the content files
	$(BIN)/wahrheiten-deck ids $(CONTENT)

preview: $(RUNTIME_STAMP)  ## write build/preview/index.html (cards, filters, printable handout)
	$(BIN)/wahrheiten-deck preview $(CONTENT)

watch: $(RUNTIME_STAMP)  ## rebuild package and preview on every save
	$(BIN)/wahrheiten-deck watch $(CONTENT)

lint: $(TEST_STAMP)
	$(BIN)/ruff check generator tests
	$(BIN)/mypy

# Browser tests drive a system Chromium (Playwright never downloads a browser here). Installed with apt
# where we may; elsewhere the browser tests are skipped with a note, except on CI (CI=true), where they fail.
BROWSERS := chromium chromium-browser google-chrome chrome
browser:
	@if [ -n "$$CHROMIUM" ] || for b in $(BROWSERS); do command -v $$b >/dev/null 2>&1 && exit 0; done; \
	    false; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	elif [ "$$CI" = true ]; then \
	    echo "error: no Chromium for the browser tests (CI=true): install chromium or set CHROMIUM" >&2; exit 1; \
	else \
	    echo "note: no Chromium found, the browser tests will be skipped. Install it (Debian/Ubuntu:"; \
	    echo "  sudo apt-get install chromium; macOS: brew install --cask chromium) or set CHROMIUM=/path."; \
	fi

test: $(TEST_STAMP) lint browser
	$(BIN)/python -m pytest

# The trainer-edit fuzzer with many more examples than the test suite runs (FUZZ_EXAMPLES=… to change).
FUZZ_EXAMPLES ?= 500
fuzz: $(TEST_STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SEED=random $(BIN)/python -m pytest -q -p no:cacheprovider \
	    tests/test_trainer_edits.py --hypothesis-show-statistics

bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf build $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis *.egg-info
