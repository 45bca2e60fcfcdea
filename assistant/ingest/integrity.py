"""`assistant check [--repair]`: does every stored chunk still have its vector, findable by dense search?

Two writers without a shared lock once left chunks whose vectors were lost while their text and
metadata survived, so "is every article complete" said yes and re-ingesting said "unchanged". This
check compares what the collection holds with what its vector index can find: each chunk needs an
embedding of the right size, and a search with that embedding must return the chunk itself. Damaged
articles are re-embedded from their stored text and rewritten (under the write lock).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from assistant.records import Chunk


@dataclass
class IntegrityReport:
    chunks: int = 0
    articles: int = 0
    damaged: dict[str, str] = field(default_factory=dict)  # article id -> what is wrong
    repaired: list[str] = field(default_factory=list)

    def summary(self) -> str:
        state = "intact" if not self.damaged else f"{len(self.damaged)} damaged articles"
        fixed = f", {len(self.repaired)} repaired" if self.repaired else ""
        return f"{self.articles} articles, {self.chunks} chunks: {state}{fixed}"


def check_store(store, dimension: int, progress: bool = True, on_line: Callable[[str], None] | None = None) -> IntegrityReport:
    report = IntegrityReport()
    listing = store.all_chunks(include_documents=False)
    report.chunks = len(listing["ids"])
    per_article: dict[str, list[tuple[str, dict]]] = {}
    for chunk_id, meta in zip(listing["ids"], listing["metadatas"]):
        per_article.setdefault(meta["article_id"], []).append((chunk_id, meta))
    report.articles = len(per_article)
    for article_id, chunks in per_article.items():
        expected = chunks[0][1].get("n_chunks", len(chunks))
        hashes = {m.get("content_hash") for _, m in chunks}
        if len(chunks) != expected or len(hashes) != 1:
            report.damaged[article_id] = f"{len(chunks)} of {expected} chunks stored" if len(chunks) != expected else "mixed versions"
    ids = listing["ids"]
    bar = tqdm(total=len(ids), unit="chunk", desc="Checking", disable=not progress, dynamic_ncols=True)
    for start in range(0, len(ids), 500):
        batch = ids[start:start + 500]
        try:
            found = store.collection.get(ids=batch, include=["embeddings", "metadatas"])
        except Exception as exc:  # the vector segment itself cannot be read
            for chunk_id in batch:
                article_id = chunk_id.split("::")[0]
                report.damaged.setdefault(article_id, f"vectors unreadable ({str(exc).splitlines()[0][:80]})")
            bar.update(len(batch))
            continue
        vectors = found.get("embeddings")
        for i, (chunk_id, meta) in enumerate(zip(found["ids"], found["metadatas"])):
            vector = None if vectors is None or i >= len(vectors) else vectors[i]
            if vector is None or len(vector) != dimension or not np.all(np.isfinite(vector)) or not np.any(vector):
                report.damaged.setdefault(meta["article_id"], "a chunk has no usable vector")
                continue
            hits = store.collection.query(query_embeddings=[list(map(float, vector))], n_results=3, include=[])
            if chunk_id not in hits["ids"][0]:
                report.damaged.setdefault(meta["article_id"], "a chunk's vector is missing from the vector index")
        bar.update(len(batch))
    bar.close()
    for article_id, problem in report.damaged.items():
        if on_line:
            on_line(f"{article_id}: {problem}")
    return report


def store_settings(store):
    from assistant.settings import Settings
    return Settings()


def repair(store, embeddings, report: IntegrityReport, progress: bool = True) -> None:
    """Re-embed every damaged article from its stored chunks and rewrite it (the write lock is held)."""
    from assistant.ingest.indexer import embedding_text, ingest_articles
    from assistant.ingest.sources import load_articles
    with store.writing():
        for article_id in tqdm(list(report.damaged), desc="Repairing", unit="article", disable=not progress):
            found = store.collection.get(where={"article_id": article_id}, include=["documents", "metadatas"])
            rows = sorted(zip(found["ids"], found["documents"], found["metadatas"]), key=lambda r: r[2].get("chunk_index", 0))
            if not rows:
                continue
            origin = rows[0][2].get("origin", "")
            if "chunks stored" in report.damaged[article_id] and origin:
                # chunks are missing: only the source can give them back
                articles, _ = load_articles([origin.split(":")[0] if origin.endswith(tuple("0123456789")) and ".jsonl:" in origin
                                             else origin], store_settings(store))
                articles = [a for a in articles if a.id == article_id]
                if articles:
                    store.delete_article(article_id)
                    ingest_articles(articles, store, embeddings, store_settings(store), progress=False)
                    report.repaired.append(article_id)
                continue
            chunks = [Chunk(cid, article_id, int(meta.get("chunk_index", i)), text, int(meta["start"]), int(meta["end"]),
                            {**meta, "n_chunks": len(rows)}) for i, (cid, text, meta) in enumerate(rows)]

            class Titled:  # embedding_text needs only the title
                title = rows[0][2].get("title", "")

            vectors = embeddings.encode([embedding_text(Titled, c) for c in chunks])
            store.replace_article(article_id, chunks, vectors)
            report.repaired.append(article_id)
