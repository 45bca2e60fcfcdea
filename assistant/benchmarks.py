"""Benchmarks that print figures (`assistant bench ...`, `make bench`); the scale benchmark has its own module,
assistant/scale_bench.py.

The benchmarks that build the product's parts for an index of their own take the builder as `build_services`
(the CLI hands in its context's), so this module does not import the composition root it is run from."""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from assistant.ingest.chunking import chunk_article, make_splitter
from assistant.ingest.indexer import embedding_text, ingest_articles
from assistant.ingest.sources import load_articles
from assistant.settings import Settings


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ingest_benchmark(corpus: Path, settings: Settings, build_services: Callable[[Settings], Any],
                         limit: int = 0) -> Iterator[str]:
    articles, errors = load_articles([str(corpus)], settings)
    if limit:
        articles = articles[:limit]
    with tempfile.TemporaryDirectory(prefix="bench-index-") as folder:
        bench_settings = settings.model_copy(update={"index_dir": Path(folder), "chroma_url": None})
        services = build_services(bench_settings)
        embeddings, store = services.embeddings, services.store
        embeddings.encode(["warm up the model"])
        started = time.perf_counter()
        outcomes = ingest_articles(articles, store, embeddings, bench_settings, progress=True)
        pipeline_s = time.perf_counter() - started
        chunks = sum(o.chunks for o in outcomes)
        splitter = make_splitter(settings.chunk_size, settings.chunk_overlap)
        texts = [embedding_text(a, c) for a in articles for c in chunk_article(a, splitter)]
        started = time.perf_counter()
        embeddings.encode(texts)  # the same call the pipeline makes, on either backend, without the store
        bare_s = time.perf_counter() - started
    yield f"articles            {len(articles)} ({len(errors)} failed to load)"
    yield f"chunks              {chunks} (size {settings.chunk_size}, overlap {settings.chunk_overlap})"
    yield f"embedding model     {settings.embedding_model}"
    yield f"pipeline wall time  {pipeline_s:.1f} s"
    yield f"pipeline chunks/s   {chunks / pipeline_s:.1f}"
    yield f"bare encode chunks/s {len(texts) / bare_s:.1f}"
    yield f"pipeline / bare     {(chunks / pipeline_s) / (len(texts) / bare_s):.1%}"
    yield f"peak memory         {peak_rss_mb():.0f} MB"


def run_qa_benchmark(chain, questions: list, settings: Settings) -> Iterator[str]:
    """Per question: the chain's timings next to the bare model on the very same prompt."""
    from assistant.evals.metrics import percentile
    rows = []
    yield "bare = the chat model alone on the chain's final prompt, with llama.cpp's prompt cache off"
    yield f"{'id':<14} {'retr ms':>8} {'ttft s':>7} {'total s':>8} {'tok/s':>6} {'prompt':>6} {'bare s':>7} {'ratio':>6}"
    for question in questions:
        result = chain.ask(question.question, list(question.history))
        t = result.timings
        if not result.prompt_inputs:
            continue
        messages = chain.answer_prompt.format_messages(**result.prompt_inputs)
        started = time.perf_counter()
        chain.chat_model.invoke(messages, cache_prompt=False)  # no reuse of the prompt the chain just processed
        bare_s = time.perf_counter() - started
        generated = t.get("generated_tokens", 0)
        rate = generated / (t.get("model_generation_ms", 0) / 1000) if t.get("model_generation_ms") else 0.0
        rows.append((t["retrieval_ms"], t.get("first_token_s", 0.0), t["total_s"], bare_s))
        yield (f"{question.id:<14} {t['retrieval_ms']:>8.0f} {t.get('first_token_s', 0):>7.2f} {t['total_s']:>8.2f} "
               f"{rate:>6.1f} {int(t.get('prompt_tokens', 0)):>6} {bare_s:>7.2f} {t['total_s'] / bare_s:>6.2f}")
    if rows:
        retrieval, ttft, total, bare = zip(*rows)
        yield f"retrieval p50 {percentile(retrieval, 50):.0f} ms, p95 {percentile(retrieval, 95):.0f} ms"
        yield f"time to first token p50 {percentile(ttft, 50):.2f} s, p95 {percentile(ttft, 95):.2f} s"
        yield f"total p50 {percentile(total, 50):.2f} s; bare model p50 {percentile(bare, 50):.2f} s"
        yield f"chain overhead {sum(total) / sum(bare) - 1:+.1%} over the bare model (includes retrieval and verification)"


def run_parallel_benchmark(model_path: Path, prompts: list[list[dict]], users: list[int], threads: int = 2,
                           max_tokens: int = 96) -> Iterator[dict]:
    """llama.cpp parallel slots (continuous batching) against one slot serving the same requests in turn.

    For each user count N: N requests at once on a server with N slots, and the same N requests one after
    another on a one-slot server; time to first token and answers per minute.
    """
    import threading
    import xllamacpp
    from assistant.evals.metrics import percentile

    def server(slots: int):
        params = xllamacpp.CommonParams()
        params.model.path = str(model_path)
        params.n_ctx = 3072 * slots
        params.n_parallel = slots
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.verbosity = -1
        return xllamacpp.Server(params)

    def one(srv, messages, results, index, started):
        first = []

        def on_chunk(chunk):
            delta = ((chunk.get("choices") or [{}])[0].get("delta") or {}).get("content")
            if delta and not first:
                first.append(time.perf_counter() - started)
        srv.handle_chat_completions({"messages": messages, "max_tokens": max_tokens, "temperature": 0, "stream": True,
                                     "cache_prompt": False}, on_chunk)
        results[index] = (first[0] if first else time.perf_counter() - started, time.perf_counter() - started)

    for n in users:
        batch = [prompts[i % len(prompts)] for i in range(n)]
        for mode, slots in (("serial", 1), ("parallel", n)):
            srv = server(slots)
            results: list = [None] * n
            started = time.perf_counter()
            if mode == "serial":
                for i, messages in enumerate(batch):
                    one(srv, messages, results, i, started)
            else:
                workers = [threading.Thread(target=one, args=(srv, m, results, i, started)) for i, m in enumerate(batch)]
                for w in workers:
                    w.start()
                for w in workers:
                    w.join()
            wall = time.perf_counter() - started
            del srv
            yield {"users": n, "mode": mode, "first_token_p50_s": round(percentile([r[0] for r in results], 50), 2),
                   "total_p50_s": round(percentile([r[1] for r in results], 50), 2), "wall_s": round(wall, 1),
                   "answers_per_min": round(n / wall * 60, 2)}


# The commands `bench startup` times from a fresh process, and the bar for each (seconds, or for
# `ask` the wall time as a multiple of the chain's own total).
STARTUP_TARGETS: dict[str, float] = {"--help": 1.0, "stats": 2.0, "search": 3.0, "ask": 1.2}


def run_startup_benchmark(index: Path, runs: int, query: str, question: str, with_ask: bool = True,
                          extra_args: tuple[str, ...] = (), command: list[str] | None = None,
                          cwd: Path | None = None) -> Iterator[str]:
    """Wall time of one-shot commands, each in a new process (what a user waits for at a shell), median of `runs`.

    `ask` is compared with the chain's own total (its --json timings): the rest is start-up (imports, model
    loads) and exit.
    """
    import json
    import statistics
    import subprocess
    script = Path(sys.executable).parent / "assistant"
    base = list(command or ([str(script)] if script.exists() else [sys.executable, "-m", "assistant.cli"]))
    base += ["--index", str(index), *extra_args]
    commands = {"--help": ["--help"], "stats": ["stats"], "search": ["search", query]}
    if with_ask:
        commands["ask"] = ["ask", "--json", question]
    yield f"{'command':<8} {'median s':>9} {'min s':>6} {'max s':>6}  target"
    for name, args in commands.items():
        walls, chain_totals, first_tokens = [], [], []
        for _ in range(runs):
            started = time.perf_counter()
            done = subprocess.run(base + args, capture_output=True, text=True, timeout=900, cwd=cwd)
            walls.append(time.perf_counter() - started)
            if done.returncode != 0:
                raise RuntimeError(f"`assistant {' '.join(args)}` failed: {done.stderr.strip()[-300:]}")
            if name == "ask":
                timings = json.loads(done.stdout.strip().splitlines()[-1]).get("timings", {})
                chain_totals.append(timings.get("total_s", 0.0))
                first_tokens.append(timings.get("first_token_s", 0.0))
        wall = statistics.median(walls)
        line = f"{name:<8} {wall:>9.2f} {min(walls):>6.2f} {max(walls):>6.2f}"
        if name == "ask":
            chain = statistics.median(chain_totals)
            ratio = wall / chain if chain else float("inf")
            yield (f"{line}  wall / chain total {ratio:.2f} (≤ {STARTUP_TARGETS['ask']}); chain total {chain:.2f} s, "
                   f"chain first token {statistics.median(first_tokens):.2f} s, start-up and exit {wall - chain:.2f} s")
        else:
            yield f"{line}  ≤ {STARTUP_TARGETS[name]:.0f} s"


def run_update_benchmark(settings: Settings, build_services: Callable[[Settings], Any], feeds: int,
                         items: int) -> Iterator[str]:
    """`update` over `feeds` local feeds of `items` items each: a cold run, then one with nothing new
    (conditional GET); one line per run with seconds, the update's summary, items/s and peak memory."""
    from assistant.evals.feedsite import NewsSite
    from assistant.follow.database import FollowDatabase
    from assistant.follow.update import update_feeds
    site = NewsSite(feeds=feeds, items_per_day=items)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-update-") as folder:
            bench = settings.model_copy(update={"index_dir": Path(folder) / "index", "chroma_url": None,
                                                "allow_private_urls": True})
            services = build_services(bench)
            database = FollowDatabase(Path(folder) / "follow.sqlite3")
            for n in range(feeds):
                database.add_feed(f"{site.base}/feed/{n}")
            for label in ("cold", "nothing new"):
                started = time.perf_counter()
                report = update_feeds(services, database, progress=False)
                seconds = time.perf_counter() - started
                yield (f"{label:<12} {seconds:6.1f} s  {report.summary()}  "
                       f"{(report.new + report.updated) / seconds:6.1f} items/s  peak RSS {peak_rss_mb():.0f} MB")
    finally:
        site.close()


# `bench parallel` replays the chain's answer prompts for this many questions of this type.
PARALLEL_QUESTION_TYPE = "inference_query"
PARALLEL_QUESTIONS = 8


def parallel_prompts(chain, questions: list) -> list[list[dict]]:
    """The chain's real answer prompts, as chat messages, for a stratified sample of the inference questions
    (questions the chain refuses before the model have no prompt and are left out)."""
    from assistant.evals.datasets import stratified
    prompts = []
    for question in stratified([q for q in questions if q.question_type == PARALLEL_QUESTION_TYPE], PARALLEL_QUESTIONS):
        result = chain.ask(question.question)
        if result.prompt_inputs:
            prompts.append([{"role": "system" if m.type == "system" else "user", "content": m.content}
                            for m in chain.answer_prompt.format_messages(**result.prompt_inputs)])
    return prompts


def chat_model_file(settings: Settings) -> Path:
    """The GGUF file the embedded chat model runs: llm_model_path, else the packaged model."""
    from assistant.models.gguf import embedded_model_path
    return settings.llm_model_path or embedded_model_path(settings.cache_dir / "models")
