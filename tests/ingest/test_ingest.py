"""Ingestion into a real on-disk Chroma store with the real embedding model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.ingest.pipeline import ingest
from assistant.chroma_client import EmbeddingMismatchError, make_client
from assistant.store import ChunkStore
from conftest import FIXTURES, ROOT, run_cli


def snapshot(store: ChunkStore) -> dict[str, tuple[str, dict]]:
    listing = store.all_chunks()
    return {i: (d, m) for i, d, m in zip(listing["ids"], listing["documents"], listing["metadatas"])}


def test_ingest_is_idempotent(store, embeddings, settings, articles_dir):
    first = ingest([str(articles_dir)], store, embeddings, settings, progress=False)
    assert (first.count("new"), first.count("unchanged"), first.errors) == (3, 0, [])
    before = snapshot(store)
    assert len(before) == first.chunks_written > 3
    second = ingest([str(articles_dir)], store, embeddings, settings, progress=False)
    assert (second.count("new"), second.count("updated"), second.count("unchanged")) == (0, 0, 3)
    assert second.chunks_written == 0
    assert snapshot(store) == before


def test_chunks_keep_metadata_and_exact_spans(store, embeddings, settings, articles_dir):
    ingest([str(articles_dir / "iran-mixed-message.md")], store, embeddings, settings, progress=False)
    from assistant.ingest.sources import load_inputs
    (article,) = next(iter(load_inputs([str(articles_dir / "iran-mixed-message.md")]))).articles
    chunks = snapshot(store)
    assert len(chunks) > 3
    for text, meta in chunks.values():
        assert article.body[meta["start"]:meta["end"]] == text
        assert meta["source"] == "The New York Times"
        assert meta["published_at"].startswith("2020-01-09")
        assert meta["n_chunks"] == len(chunks)
        assert len(text) <= settings.chunk_size


def test_changed_article_replaces_its_chunks(store, embeddings, settings, articles_dir):
    ingest([str(articles_dir)], store, embeddings, settings, progress=False)
    path = articles_dir / "chip-plant.txt"
    path.write_text(path.read_text().replace("about 1,200 people", "about 900 people"))
    report = ingest([str(articles_dir)], store, embeddings, settings, progress=False)
    assert (report.count("updated"), report.count("unchanged")) == (1, 2)
    texts = [d for d, m in snapshot(store).values() if m["title"].startswith("Harbor City Approves")]
    assert any("about 900 people" in t for t in texts)
    assert not any("1,200" in t for t in texts)


def test_duplicates_inside_one_batch_collapse(store, embeddings, settings, tmp_path):
    record = {"title": "Same", "body": "The same article twice in one file.", "source": "S", "url": "https://x.example/a"}
    path = tmp_path / "dupes.jsonl"
    path.write_text(json.dumps(record) + "\n" + json.dumps(record) + "\n")
    report = ingest([str(path)], store, embeddings, settings, progress=False)
    assert report.count("new") == 1 and store.count() == 1


def test_other_embedding_model_is_refused(store, settings, embeddings):
    store.count()
    client = make_client(settings.index_dir, None)
    with pytest.raises(EmbeddingMismatchError) as info:
        ChunkStore(client, settings.collection, "some-other-model", 256)
    message = str(info.value)
    assert embeddings.name in message and "some-other-model" in message


@pytest.mark.slow
def test_cli_reports_bad_inputs_and_keeps_good_ones(tmp_path):
    index = tmp_path / "index"
    # a path that does not exist is named before anything loads, and nothing is ingested
    missing = run_cli("--index", str(index), "ingest", "-q", str(FIXTURES / "articles"), str(tmp_path / "missing.md"))
    assert missing.returncode == 2 and "missing.md: no such file or folder" in missing.stderr, missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1 and not (index / "chroma.sqlite3").exists()
    result = run_cli("--index", str(index), "ingest", "-q", str(FIXTURES / "articles"), str(FIXTURES / "bad"),
                     str(FIXTURES / "mixed.jsonl"))
    assert result.returncode == 2, result.stderr
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert len(failed) == 6  # 4 bad files, 2 bad JSON lines
    for name in ["empty.txt", "archive.txt", "latin1.md", "not-a-feed.rss", "mixed.jsonl:2", "mixed.jsonl:4"]:
        assert any(name in line for line in failed), name
    assert "5 new, 0 updated, 0 unchanged, 6 failed" in result.stdout
    again = run_cli("--index", str(index), "ingest", "-q", str(FIXTURES / "articles"), str(FIXTURES / "mixed.jsonl"))
    assert "0 new, 0 updated, 5 unchanged" in again.stdout
    stats = run_cli("--index", str(index), "stats", check=True).stdout
    assert "5 articles" in stats and "Harbor Ledger" in stats and "The New York Times" in stats
    found = run_cli("--index", str(index), "search", "how many paper lanterns", "-k", "2", check=True).stdout
    assert found.splitlines()[0].startswith("[1] Lantern Festival")
    assert "Harbor Ledger" in found and "2024-05-18" in found and "score" in found


def make_corpus(path: Path, n: int) -> None:
    paragraphs = (FIXTURES / "articles" / "iran-mixed-message.md").read_text().split("---")[-1].strip().split("\n\n")
    with path.open("w") as out:
        for i in range(n):
            body = "\n\n".join(f"Report {i}: {p}" for p in paragraphs[i % 5:] + paragraphs[:i % 5])
            out.write(json.dumps({"id": f"art-{i:03d}", "title": f"Dispatch {i}", "body": body, "source": f"Outlet {i % 4}",
                                  "published_at": f"2020-01-{1 + i % 28:02d}T12:00:00Z"}) + "\n")


@pytest.mark.slow
def test_killed_ingest_then_rerun_equals_uninterrupted(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    make_corpus(corpus, 60)
    killed_index, clean_index = tmp_path / "killed", tmp_path / "clean"
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "--index", str(killed_index), "ingest", str(corpus)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    seen = bytearray()

    def read_progress() -> None:
        while chunk := proc.stderr.read1(256):
            seen.extend(chunk)

    reader = threading.Thread(target=read_progress, daemon=True)
    reader.start()
    deadline = time.time() + 300
    while b"chunks=" not in seen and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed; make the corpus bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = run_cli("--index", str(killed_index), "stats", check=True).stdout
    assert not partial.startswith("60 articles"), partial
    rerun = run_cli("--index", str(killed_index), "ingest", "-q", str(corpus), check=True)
    assert "unchanged" in rerun.stdout and "0 unchanged" not in rerun.stdout, rerun.stdout
    run_cli("--index", str(clean_index), "ingest", "-q", str(corpus), check=True)
    stores = []
    for index in (killed_index, clean_index):
        store = ChunkStore(make_client(index, None), "news", "all-MiniLM-L6-v2", 384)
        stores.append(store.collection.get(include=["documents", "metadatas", "embeddings"]))
    killed, clean = stores
    assert sorted(killed["ids"]) == sorted(clean["ids"])
    by_id_killed = {i: (d, m, e) for i, d, m, e in zip(killed["ids"], killed["documents"], killed["metadatas"], killed["embeddings"])}
    for i, d, m, e in zip(clean["ids"], clean["documents"], clean["metadatas"], clean["embeddings"]):
        kd, km, ke = by_id_killed[i]
        km, m = ({k: v for k, v in meta.items() if k != "ingested_at"} for meta in (km, m))  # when, not what
        assert (kd, km) == (d, m)
        assert np.allclose(ke, e, atol=1e-4)


@pytest.mark.slow
def test_second_writer_waits_a_bounded_time_then_fails_with_one_line(settings):
    from conftest import built
    store = built(settings).store
    with store.writing():
        result = run_cli("--index", str(settings.index_dir), "--set", "write_wait_s=1", "ingest", "-q",
                         str(FIXTURES / "articles"))
        assert result.returncode == 1
        assert "another process is writing" in result.stderr and "within 1 s" in result.stderr
    with store.writing():  # released: can be taken again
        pass
