"""Benchmarks that print figures (`assistant bench ...`, `make bench`)."""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from assistant.ingest.chunking import chunk_article, make_splitter
from assistant.ingest.pipeline import embedding_text, ingest_articles, load_articles
from assistant.services import build_services
from assistant.settings import Settings


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ingest_benchmark(corpus: Path, settings: Settings, limit: int = 0) -> Iterator[str]:
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
        embeddings.model.encode(texts, batch_size=settings.embedding_batch_size, normalize_embeddings=True)
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
