"""Benchmarks that print figures (`assistant bench ...`, `make bench`)."""

from __future__ import annotations

import resource
import sys
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


def current_rss_mb(pid: int | str = "self") -> float:
    """Resident memory now (Linux /proc; 0 where it cannot be read)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


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


def perturbed(text: str, j: int) -> str:
    """A copy of a chunk that is not the same text: every 7th word moved by one place, a tag for the copy."""
    words = text.split()
    for i in range(j % 7, len(words) - 1, 7):
        words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words) + f" (copy {j})"


def synthetic_chunks(source_store, target: int, seed: int = 5):
    """`target` chunks built from the stored MultiHop chunks: perturbed copies with new ids and later dates,
    and vectors near the originals (so no re-embedding is needed to measure the store at scale)."""
    import numpy as np
    from datetime import datetime, timedelta
    from assistant.records import Chunk
    found = source_store.collection.get(include=["documents", "metadatas", "embeddings"])
    rng = np.random.default_rng(seed)
    rows = list(zip(found["ids"], found["documents"], found["metadatas"], found["embeddings"]))
    by_article: dict[str, list] = {}
    for row in rows:
        by_article.setdefault(row[2]["article_id"], []).append(row)
    made, copy = 0, 0
    while made < target:
        for article_id, parts in by_article.items():
            if made >= target:
                break
            new_id = f"{article_id}-c{copy}"
            chunks, vectors = [], []
            for chunk_id, text, meta, vector in parts:
                when = datetime.fromisoformat(meta.get("published_at") or "2023-10-01T00:00:00+00:00") + timedelta(days=copy)
                new_meta = {**meta, "article_id": new_id, "published_at": when.isoformat(), "published_ts": int(when.timestamp()),
                            "content_hash": f"{meta.get('content_hash', '')}-{copy}"}
                chunks.append(Chunk(f"{new_id}::{meta['chunk_index']:04d}", new_id, meta["chunk_index"], perturbed(text, copy),
                                    meta["start"], meta["end"], new_meta))
                noisy = np.asarray(vector) + rng.normal(0, 0.02, len(vector))
                vectors.append(noisy / np.linalg.norm(noisy))
            yield new_id, chunks, np.asarray(vectors, dtype=np.float32)
            made += len(chunks)
        copy += 1


def directory_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def run_scale_benchmark(settings: Settings, source_index: Path, sizes: list[int], questions: list[str],
                        server: bool = False) -> Iterator[dict]:
    """Per size: write the synthetic corpus, then time hybrid retrieval (with filters), BM25 build and a
    one-article refresh, and read memory and disk use."""
    import statistics
    import subprocess
    import socket
    from datetime import datetime, timezone
    from assistant.evals.metrics import percentile
    from assistant.records import SearchFilters
    source = build_services(settings.model_copy(update={"index_dir": source_index, "chroma_url": None})).store
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as folder:
            process = None
            update = {"index_dir": Path(folder) / "index", "chroma_url": None, "cache_dir": Path(folder) / "cache",
                      "collection": f"scale{size}"}
            if server:
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", 0))
                    port = probe.getsockname()[1]
                chroma = Path(sys.executable).parent / "chroma"
                process = subprocess.Popen([str(chroma), "run", "--path", str(Path(folder) / "server"), "--port", str(port)],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                update["chroma_url"] = f"http://127.0.0.1:{port}"
                for _ in range(120):
                    try:
                        import requests
                        requests.get(update["chroma_url"] + "/api/v2/heartbeat", timeout=1)
                        break
                    except Exception:
                        time.sleep(0.5)
            try:
                bench = settings.model_copy(update=update)
                rss_before = current_rss_mb()
                services = build_services(bench)
                store = services.store
                started = time.perf_counter()
                written = 0
                with store.writing():
                    for article_id, chunks, vectors in synthetic_chunks(source, size):
                        store.replace_article(article_id, chunks, vectors)
                        written += len(chunks)
                write_s = time.perf_counter() - started
                started = time.perf_counter()
                services.retriever.bm25()
                bm25_build_s = time.perf_counter() - started
                sources = sorted(services.retriever.outlets())
                filters = [SearchFilters(), SearchFilters(sources=(sources[0],)),
                           SearchFilters(since=datetime(2023, 11, 1, tzinfo=timezone.utc))]
                times = []
                for i, question in enumerate(questions):
                    mark = time.perf_counter()
                    services.retriever.search(question, k=10, filters=filters[i % len(filters)])
                    times.append((time.perf_counter() - mark) * 1000)
                article_id, chunks, vectors = next(synthetic_chunks(source, 1, seed=99))
                chunks = [type(c)(c.id.replace("-c0", "-fresh"), c.article_id + "-fresh", c.index, c.text, c.start, c.end,
                                  {**c.metadata, "article_id": c.article_id + "-fresh"}) for c in chunks]
                store.replace_article(article_id + "-fresh", chunks, vectors)
                mark = time.perf_counter()
                services.retriever.bm25()
                refresh_s = time.perf_counter() - mark
                disk = directory_mb(Path(folder))
                client_mb = current_rss_mb() - rss_before
                server_mb = current_rss_mb(process.pid) if process is not None else 0.0
                yield {"chunks": written, "store": "server" if server else "disk", "write_chunks_per_s": round(written / write_s, 1),
                       "bm25_build_s": round(bm25_build_s, 2), "refresh_one_article_s": round(refresh_s, 3),
                       "retrieval_p50_ms": round(percentile(times[1:], 50), 1), "retrieval_p95_ms": round(percentile(times[1:], 95), 1),
                       "rss_mb": round(current_rss_mb()), "server_rss_mb": round(server_mb),
                       "memory_mb_per_10k": round((client_mb + server_mb) / written * 10_000, 1),
                       "disk_mb_per_10k": round(disk / written * 10_000, 1),
                       "mean_ms": round(statistics.fmean(times[1:]), 1)}
            finally:
                if process is not None:
                    process.terminate()
                    process.wait(timeout=30)


def write_scale_plot(rows: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for store in sorted({r["store"] for r in rows}):
        part = [r for r in rows if r["store"] == store]
        xs = [r["chunks"] for r in part]
        axes[0].plot(xs, [r["retrieval_p50_ms"] for r in part], marker="o", label=f"{store} p50")
        axes[0].plot(xs, [r["retrieval_p95_ms"] for r in part], marker="x", linestyle="--", label=f"{store} p95")
        axes[1].plot(xs, [r["refresh_one_article_s"] for r in part], marker="o", label=f"{store} one-article refresh")
        axes[1].plot(xs, [r["bm25_build_s"] for r in part], marker="x", linestyle="--", label=f"{store} full BM25 build")
        axes[2].plot(xs, [r["rss_mb"] + r["server_rss_mb"] for r in part], marker="o", label=f"{store} RSS (client + server)")
    for ax, title, unit in zip(axes, ["hybrid retrieval", "BM25", "memory"], ["ms", "s", "MB"]):
        ax.set_xscale("log")
        ax.set_xlabel("chunks")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


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
