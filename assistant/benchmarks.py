"""Benchmarks that print figures (`assistant bench ...`, `make bench`)."""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from assistant.chunking import chunk_article, make_splitter
from assistant.ingest import embedding_text, ingest_articles, load_articles
from assistant.runtime import open_store
from assistant.settings import Settings


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ingest_benchmark(corpus: Path, settings: Settings, limit: int = 0) -> Iterator[str]:
    articles, errors = load_articles([str(corpus)], settings)
    if limit:
        articles = articles[:limit]
    with tempfile.TemporaryDirectory(prefix="bench-index-") as folder:
        bench_settings = settings.model_copy(update={"index_dir": Path(folder), "chroma_url": None})
        embeddings, store = open_store(bench_settings)
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
