"""`assistant bench scale`: retrieval, BM25 and memory at growing store sizes, on synthetic news made from the
stored MultiHop chunks (perturbed copies with vectors near the originals, so nothing is re-embedded).
The product's parts for each store are built by the caller's `build_services` (the CLI's)."""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from assistant.settings import Settings


def current_rss_mb(pid: int | str = "self") -> float:
    """Resident memory now (Linux /proc; 0 where it cannot be read)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


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


def run_scale_benchmark(settings: Settings, build_services: Callable[[Settings], Any], source_index: Path,
                        sizes: list[int], questions: list[str], server: bool = False) -> Iterator[dict]:
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


def run_scale_benchmarks(settings: Settings, build_services: Callable[[Settings], Any], source_index: Path,
                         sizes: list[int], questions: list[str], with_server: bool = False) -> Iterator[dict]:
    """`run_scale_benchmark` on the on-disk store, then (with_server) on a Chroma server too."""
    for server in ([False, True] if with_server else [False]):
        yield from run_scale_benchmark(settings, build_services, source_index, sizes, questions, server=server)


def write_scale_report(rows: list[dict], out: Path) -> Path:
    """The scale figures as JSON at `out` and a plot beside it; returns the plot's path."""
    import json
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2))
    plot = out.with_suffix(".png")
    write_scale_plot(rows, plot)
    return plot
