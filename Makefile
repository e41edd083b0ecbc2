# Everything runs inside .venv, created from pyproject.toml on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CONTENT ?= content
RUNTIME_STAMP := $(VENV)/.runtime-installed
TEST_STAMP := $(VENV)/.test-installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: deck check ids preview watch test lint clean bench browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# pip compiles an installed package's bytecode, but not an editable one's: without it (and where
# PYTHONDONTWRITEBYTECODE is set) every run would compile the generator's modules again (about 25 ms).
$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m compileall -q generator
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

# Browser tests drive Debian's Chromium (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

test: $(TEST_STAMP) lint browser
	$(BIN)/python -m pytest

bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf build $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis *.egg-info
