"""Hybrid retrieval: dense (Chroma through LangChain) and BM25, fused by reciprocal rank, filtered."""

from __future__ import annotations


import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from langchain_chroma import Chroma

from assistant.bm25 import BM25Index, load_or_build
from assistant.models.embeddings import SentenceEmbeddings
from assistant.runtime import MODEL_LOCK
from assistant.settings import Settings
from assistant.store import ChunkStore


@dataclass(frozen=True)
class Passage:
    chunk_id: str
    article_id: str
    title: str
    source: str
    url: str
    published_at: str
    start: int
    end: int
    text: str
    score: float

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, meta: dict, score: float) -> "Passage":
        return cls(chunk_id=chunk_id, article_id=meta["article_id"], title=meta.get("title", ""),
                   source=meta.get("source", ""), url=meta.get("url", ""), published_at=meta.get("published_at", ""),
                   start=int(meta.get("start", 0)), end=int(meta.get("end", 0)), text=text, score=score)


@dataclass
class SearchFilters:
    sources: list[str] = field(default_factory=list)
    since: datetime | None = None
    until: datetime | None = None

    def is_empty(self) -> bool:
        return not self.sources and self.since is None and self.until is None

    def chroma_where(self) -> dict | None:
        clauses: list[dict] = []
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.since is not None:
            clauses.append({"published_ts": {"$gte": int(self.since.timestamp())}})
        if self.until is not None:
            clauses.append({"published_ts": {"$lt": int(self.until.timestamp())}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, meta: dict) -> bool:
        if self.sources and meta.get("source") not in self.sources:
            return False
        ts = meta.get("published_ts")
        if self.since is not None and (ts is None or ts < self.since.timestamp()):
            return False
        if self.until is not None and (ts is None or ts >= self.until.timestamp()):
            return False
        return True


def reciprocal_rank_fusion(rankings: list[list[str]], k: int, weights: list[float] | None = None) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda pair: -pair[1])


class HybridRetriever:
    """Keeps a BM25 index in step with the collection; answers queries in tens of milliseconds."""

    def __init__(self, store: ChunkStore, embeddings: SentenceEmbeddings, settings: Settings):
        self.store = store
        self.embeddings = embeddings
        self.settings = settings
        self.vectorstore = Chroma(client=store.client, collection_name=store.name, embedding_function=embeddings,
                                  create_collection_if_not_exists=False)
        self._bm25: BM25Index | None = None
        self._bm25_count = -1
        self._lock = threading.Lock()
        self.last_timings: dict[str, float] = {}

    def _cache_root(self) -> Path:
        if self.settings.chroma_url:
            safe = self.settings.chroma_url.replace("://", "_").replace("/", "_").replace(":", "_")
            return self.settings.cache_dir / "bm25" / f"{safe}-{self.store.name}"
        return self.settings.index_dir / ".bm25" / self.store.name

    def refresh(self) -> None:
        """Re-sync BM25 with the collection (call after ingesting or deleting)."""
        with self._lock:
            self._bm25 = load_or_build(self._cache_root(), self.store)
            self._bm25_count = len(self._bm25.ids)

    def bm25(self) -> BM25Index:
        if self._bm25 is None or self._bm25_count != self.store.count():
            self.refresh()
        assert self._bm25 is not None
        return self._bm25

    def dense(self, query: str, k: int, filters: SearchFilters) -> list[tuple[str, str, dict, float]]:
        with MODEL_LOCK:
            vector = self.embeddings.embed_query(query)
        results = self.vectorstore.similarity_search_by_vector_with_relevance_scores(
            vector, k=k, filter=filters.chroma_where())
        return [(doc.id, doc.page_content, doc.metadata, score) for doc, score in results]

    def lexical(self, query: str, k: int, filters: SearchFilters) -> list[tuple[str, float]]:
        index = self.bm25()
        mask = None
        if not filters.is_empty():
            mask = np.array([1.0 if filters.accepts(m) else 0.0 for m in index.metadatas], dtype=np.float32)
            if not mask.any():
                return []
        return index.search(query, k, mask)

    def vocabulary(self) -> set[str]:
        return self.bm25().vocabulary

    def named_outlets(self, query: str) -> set[str]:
        """Outlets in the index that the query names ("...according to TechCrunch?")."""
        return {source for source, pattern in self.bm25().outlet_patterns.items() if pattern.search(query)}

    def boost_named_outlets(self, query: str, fused: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """Re-rank: chunks from an outlet the question names move up (score x (1 + outlet_boost))."""
        if not self.settings.outlet_boost or not fused:
            return fused
        named = self.named_outlets(query)
        if not named:
            return fused
        index = self.bm25()
        def source_of(cid: str) -> str:
            position = index.position.get(cid)
            return index.metadatas[position].get("source", "") if position is not None else ""
        boosted = sorted(((cid, score * (1 + self.settings.outlet_boost) if source_of(cid) in named else score)
                          for cid, score in fused), key=lambda pair: -pair[1])
        if len(named) < 2:
            return boosted
        # A question that names several outlets compares them: lead with the best chunk of each.
        leaders = []
        for outlet in sorted(named):
            best = next((pair for pair in boosted if source_of(pair[0]) == outlet), None)
            if best:
                leaders.append(best)
        leaders.sort(key=lambda pair: -pair[1])
        chosen = {cid for cid, _ in leaders}
        return leaders + [pair for pair in boosted if pair[0] not in chosen]

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None,
               mode: str | None = None) -> list[Passage]:
        k = k or self.settings.top_k
        filters = filters or SearchFilters()
        mode = mode or self.settings.retrieval_mode
        depth = max(self.settings.candidates, k)
        started = time.perf_counter()
        dense_hits = self.dense(query, depth, filters) if mode in ("dense", "hybrid") else []
        after_dense = time.perf_counter()
        lexical_hits = self.lexical(query, depth, filters) if mode in ("bm25", "hybrid") else []
        after_lexical = time.perf_counter()
        texts = {cid: (text, meta) for cid, text, meta, _ in dense_hits}
        rankings = [([cid for cid, *_ in dense_hits], self.settings.dense_weight), ([cid for cid, _ in lexical_hits], 1.0)]
        rankings = [(r, w) for r, w in rankings if r]
        fused = reciprocal_rank_fusion([r for r, _ in rankings], self.settings.rrf_k, [w for _, w in rankings])
        fused = self.boost_named_outlets(query, fused)[:k]
        missing = [cid for cid, _ in fused if cid not in texts]
        if missing:
            found = self.store.collection.get(ids=missing, include=["documents", "metadatas"])
            for cid, text, meta in zip(found["ids"], found["documents"], found["metadatas"]):
                texts[cid] = (text, meta)
        passages = [Passage.from_metadata(cid, *texts[cid], score=score) for cid, score in fused if cid in texts]
        self.last_timings = {"dense_ms": (after_dense - started) * 1000, "bm25_ms": (after_lexical - after_dense) * 1000,
                             "total_ms": (time.perf_counter() - started) * 1000}
        return passages

