# Two entry points for people (run, test) and one for figures (bench).
# Everything installs into ./.venv; torch is pinned to the CPU build.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORPUS ?= ../shared/data/multihop-rag/corpus.jsonl
SAMPLES ?= evals/gold/corpus.jsonl

.PHONY: install install-test run test eval-gold bench clean-index

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	@command -v chromium >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && \
		(apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)) || \
		echo "note: Debian's chromium is not installed; the browser tests will be skipped"; }

# Ingest the sample articles, then open the chat page.
run: install
	$(BIN)/assistant ingest $(SAMPLES)
	$(BIN)/assistant serve

# The whole test suite, then the gold-set eval gated by evals/thresholds.toml.
test: install-test
	$(BIN)/python -m pytest -q
	$(MAKE) eval-gold

eval-gold:
	$(BIN)/assistant --index test-output/gold-index eval evals/gold --out test-output/gold-eval --thresholds evals/thresholds.toml

bench: install
	$(BIN)/assistant bench ingest $(CORPUS)
	$(BIN)/assistant bench qa $(dir $(CORPUS)) --limit 12
