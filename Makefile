# Entry points for people (run, test, check) and for figures (bench, eval-multihop).
# Everything installs into ./.venv; torch is pinned to the CPU build.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SHARED ?= ../shared/data/multihop-rag
REALTIME ?= ../shared/data/realtimeqa
FRANK ?= ../shared/data/frank/valid.jsonl
CORPUS ?= $(SHARED)/corpus.jsonl
SAMPLES ?= evals/gold/corpus.jsonl
FAST_TIER := not llm and not models and not server and not slow

.PHONY: install install-test run test check eval-gold eval-multihop eval-multihop-gate eval-verifier eval-realtimeqa-gate bench clean-index

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

# The inner loop: fake models, in-process CLI, no browser (under 2 minutes).
check: install-test
	ASSISTANT_TEST_FAST=1 $(BIN)/python -m pytest -q -p no:cacheprovider -m "$(FAST_TIER)"

# The whole test suite with the real models and the browser, then the gold evals gated by thresholds.
test: install-test
	$(BIN)/python -m pytest -q --durations=30
	$(MAKE) eval-gold
	$(BIN)/assistant eval-stories evals/stories --out test-output/stories-eval --thresholds evals/thresholds-stories.toml -q
	$(MAKE) eval-verifier
	$(MAKE) eval-multihop-gate
	$(MAKE) eval-realtimeqa-gate

# CI asks 30 of the 58 gold questions (evenly spaced within each type, seed 0) and writes the 3 briefing days:
# on the 58-question run of 2026-12-02 those 30 gave the same figures within 0.04 (evals/thresholds.toml).
# `make eval-gold GOLD_LIMIT=0` asks all 58. The gates ask questions that name no date of their own on EVAL_TODAY,
# so that the prompt's "Today is ..." and the recency rules are the same on every day they run.
GOLD_LIMIT ?= 30
EVAL_TODAY ?= 2026-12-02
eval-gold:
	$(BIN)/assistant --index test-output/gold-index --set today=$(EVAL_TODAY) eval evals/gold --limit $(GOLD_LIMIT) --whole-type null \
		--out test-output/gold-eval --thresholds evals/thresholds.toml

# The verifier against FRANK's human labels (a third of its articles in CI), perturbed sentences of the
# MultiHop articles and the hand labels (needs ../shared).
eval-verifier:
	@if [ -f $(CORPUS) ] && [ -f $(FRANK) ]; then \
		$(BIN)/assistant eval-verifier $(CORPUS) --frank $(FRANK) --frank-every 3 --out test-output/verifier-eval \
			--thresholds evals/thresholds-verifier.toml; \
	else echo "eval-verifier: $(CORPUS) or $(FRANK) not found; skipped"; fi

# RealTimeQA (the short questions people ask about the week's news): a sample over its gold-holding
# articles and others, each question asked on its quiz date, with the textbook RAG beside it.
eval-realtimeqa-gate:
	@if [ -f $(REALTIME)/qa-dev.jsonl ]; then \
		$(BIN)/assistant --index test-output/realtimeqa-index eval $(REALTIME) --limit 16 --seed 0 --distractors 40 \
			--out test-output/realtimeqa-eval --thresholds evals/thresholds-realtimeqa.toml --no-briefings -q; \
	else echo "eval-realtimeqa-gate: $(REALTIME) not found; skipped"; fi

# A stratified MultiHop-RAG dev sample (fixed seed) over its evidence articles and 60 others, gated in CI
# when the shared data is there; then the summary gold on the same store.
eval-multihop-gate:
	@if [ -f $(CORPUS) ]; then \
		$(BIN)/assistant --index test-output/multihop-index --set today=$(EVAL_TODAY) eval $(SHARED) --limit 40 --seed 1 --distractors 60 \
			--out test-output/multihop-eval --thresholds evals/thresholds-multihop.toml --no-briefings -q && \
		$(BIN)/assistant --index test-output/multihop-index eval-summaries $(CORPUS) --every 4 --out test-output/summary-eval \
			--thresholds evals/thresholds-summaries.toml -q; \
	else echo "eval-multihop-gate: $(SHARED) not found; skipped"; fi

# The full MultiHop-RAG dev table for docs/ (645 questions: hours on 2 cores).
eval-multihop: install
	$(BIN)/assistant eval $(SHARED) --out out/multihop-full

bench: install-test
	$(BIN)/assistant bench startup --runs 5  # --help, stats, search, ask from a fresh process (median of 5)
	$(BIN)/assistant bench ingest $(CORPUS)
	$(BIN)/assistant bench ingest $(CORPUS) --backend onnx-int8
	$(BIN)/assistant bench qa $(SHARED) --limit 12
	$(BIN)/assistant bench parallel $(SHARED) --users 1,2,4,8
	$(BIN)/assistant bench update --feeds 50 --items 20
	$(BIN)/assistant bench scale $(SHARED) --sizes 1000,10000,100000 --server
	$(BIN)/assistant eval-summaries $(CORPUS) --out out/summary-bench -q  # article and topic summary p50
	$(BIN)/assistant bench audio --minutes 2  # seconds of rendering per minute of read-aloud briefing
