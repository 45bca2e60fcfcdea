"""Hybrid retrieval: dense (Chroma) and BM25, fused by weighted reciprocal rank, reranked by named outlet."""

from __future__ import annotations

import math
import re
import threading
from pathlib import Path

import numpy as np

from assistant.language import content_words

from assistant.models.embeddings import SentenceEmbeddings
from assistant.retrieval.bm25 import BM25Index, load_or_build
from assistant.retrieval.recency import TimeFocus, until_asked
from assistant.records import Passage, SearchFilters
from assistant.settings import Settings
from assistant.store import ChunkStore


# How the top candidates are re-ordered: log of the fused score plus these features (chosen on the RealTimeQA
# and MultiHop dev sets, docs/retrieval.md). "meaning" is the cosine of the stored chunk vector to the question.
RERANK_WEIGHTS = {"fused": 1.0, "meaning": 2.0, "words": 2.0, "title_words": 0.5, "figures": 0.5}
FIGURE = re.compile(r"\d+(?:\.\d+)?")


def reciprocal_rank_fusion(rankings: list[list[str]], k: int, weights: list[float] | None = None) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda pair: -pair[1])


def boost_outlets(fused: list[tuple[str, float]], named: set[str], source_of, boost: float) -> list[tuple[str, float]]:
    """Chunks from an outlet the question names move up (score x (1 + boost)); with several named
    outlets, the best chunk of each leads, since such a question compares them."""
    if not boost or not fused or not named:
        return fused
    boosted = sorted(((cid, score * (1 + boost) if source_of(cid) in named else score) for cid, score in fused),
                     key=lambda pair: -pair[1])
    if len(named) < 2:
        return boosted
    leaders = []
    for outlet in sorted(named):
        best = next((pair for pair in boosted if source_of(pair[0]) == outlet), None)
        if best:
            leaders.append(best)
    leaders.sort(key=lambda pair: -pair[1])
    chosen = {cid for cid, _ in leaders}
    return leaders + [pair for pair in boosted if pair[0] not in chosen]


class HybridRetriever:
    """Keeps a BM25 index in step with the collection; answers queries in tens of milliseconds."""

    def __init__(self, store: ChunkStore, embeddings: SentenceEmbeddings, settings: Settings):
        self.store = store
        self.embeddings = embeddings
        self.settings = settings
        self._bm25: BM25Index | None = None
        self._generation = -1
        self._lock = threading.Lock()

    def _cache_root(self) -> Path:
        if self.settings.chroma_url:
            safe = self.settings.chroma_url.replace("://", "_").replace("/", "_").replace(":", "_")
            return self.settings.cache_dir / "bm25" / f"{safe}-{self.store.name}"
        return self.settings.index_dir / ".bm25" / self.store.name

    def bm25(self) -> BM25Index:
        """The BM25 index, kept in step with the store: a few changed articles are applied incrementally
        (their chunks re-read and scored on the base's statistics); many changes, or changes the store's
        log cannot list, rebuild it (or load it from the cache)."""
        generation = self.store.generation()
        with self._lock:
            if self._bm25 is None:
                self._bm25 = load_or_build(self._cache_root(), self.store)
            elif generation != self._generation:
                changed = self.store.changed_articles(self._generation)
                if changed is not None and len(self._bm25.delta) + 30 * len(changed) <= max(200, self._bm25.size // 20):
                    found = self.store.all_chunks(include_documents=True, where={"article_id": {"$in": changed}}) \
                        if changed else {"ids": [], "documents": [], "metadatas": []}
                    self._bm25.apply(set(changed), list(zip(found["ids"], found["documents"], found["metadatas"])))
                else:
                    self._bm25 = load_or_build(self._cache_root(), self.store)
            self._generation = generation
            return self._bm25

    def dense(self, query: str, k: int, filters: SearchFilters) -> list[Passage]:
        return self.store.dense_search(self.embeddings.embed_query(query), k, filters)

    def lexical(self, query: str, k: int, filters: SearchFilters) -> list[tuple[str, float]]:
        return self.bm25().search(query, k, filters)

    def vocabulary(self) -> set[str]:
        return self.bm25().vocabulary

    def stems(self) -> set[str]:
        return self.bm25().stems

    def outlets(self) -> set[str]:
        return self.bm25().outlet_matcher.sources

    def named_outlets(self, query: str) -> set[str]:
        """Outlets in the index that the query names ("...according to TechCrunch?")."""
        return self.bm25().outlet_matcher.named(query)

    def rankings(self, query: str, depth: int, filters: SearchFilters, mode: str,
                 known: dict[str, Passage]) -> list[tuple[list[str], float]]:
        """The dense and BM25 rankings (chunk ids, fusion weight) under one set of filters."""
        dense_hits = self.dense(query, depth, filters) if mode in ("dense", "hybrid") else []
        lexical_hits = self.lexical(query, depth, filters) if mode in ("bm25", "hybrid") else []
        known.update({p.chunk_id: p for p in dense_hits})
        found = [([p.chunk_id for p in dense_hits], self.settings.dense_weight), ([cid for cid, _ in lexical_hits], 1.0)]
        return [(ranking, weight) for ranking, weight in found if ranking]

    def rerank(self, query: str, fused: list[tuple[str, float]], known: dict[str, Passage],
               index: BM25Index | None) -> list[tuple[str, float]]:
        """The fused candidates re-scored with what a rank alone forgets: how close the chunk's meaning is to
        the question's, and how many of the question's words and figures it holds (RERANK_WEIGHTS)."""
        ids = [cid for cid, _ in fused]
        vectors = self.store.vectors(ids)
        query_vector = np.asarray(self.embeddings.embed_query(query))
        missing = [cid for cid in ids if cid not in known]
        for passage in self.store.passages(missing):
            known[passage.chunk_id] = passage
        asked, figures = content_words(query), set(FIGURE.findall(query.replace(",", "")))
        rescored = []
        for cid, score in fused:
            passage = known.get(cid)
            if passage is None or cid not in vectors:
                rescored.append((cid, math.log(max(score, 1e-9))))
                continue
            held = content_words(f"{passage.title} {passage.text}")
            features = {
                "fused": math.log(max(score, 1e-9)),
                "meaning": float(np.asarray(vectors[cid]) @ query_vector),
                "words": len(asked & held) / max(1, len(asked)),
                "title_words": len(asked & content_words(passage.title)) / max(1, len(asked)),
                "figures": len(figures & set(FIGURE.findall(passage.text.replace(",", "")))) / len(figures) if figures else 0.0,
            }
            rescored.append((cid, sum(RERANK_WEIGHTS[name] * value for name, value in features.items())))
        order = sorted(range(len(fused)), key=lambda i: -rescored[i][1])
        # keep the fused scores' scale for callers (thresholds, display); only the order changes
        scores = sorted((score for _, score in fused), reverse=True)
        return [(fused[i][0], scores[rank]) for rank, i in enumerate(order)]

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None,
               mode: str | None = None, focus: TimeFocus | None = None) -> list[Passage]:
        """The top k chunks by fused rank; with a `focus`, nothing published after the question was asked,
        newer reports preferred as its recency rule says, and its relative window ("this week") searched
        on its own too, so the window's reports are candidates even when older ones outrank them."""
        k = k or self.settings.top_k
        filters = filters or SearchFilters()
        mode = mode or self.settings.retrieval_mode
        depth = max(self.settings.candidates, k)
        if focus is not None:
            filters = until_asked(filters, focus)
        known: dict[str, Passage] = {}
        rankings = self.rankings(query, depth, filters, mode, known)
        if focus is not None and focus.window is not None:
            since, until = focus.window
            window = SearchFilters(sources=filters.sources, since=max(filters.since or since, since),
                                   until=min(filters.until or until, until))
            rankings += self.rankings(query, depth, window, mode, known)
        fused = reciprocal_rank_fusion([r for r, _ in rankings], self.settings.rrf_k, [w for _, w in rankings])
        index = self.bm25() if mode != "dense" or self.settings.outlet_boost else None
        if index is not None:
            fused = boost_outlets(fused, self.named_outlets(query), index.source_of, self.settings.outlet_boost)
        if focus is not None and fused:
            def published(cid: str) -> str:
                return known[cid].published_at if cid in known else (index.meta_of(cid).get("published_at", "") if index else "")
            fused = sorted(((cid, score * focus.factor(published(cid))) for cid, score in fused), key=lambda pair: -pair[1])
        if self.settings.rerank and len(fused) > k:
            fused = self.rerank(query, fused[:depth], known, index)
        fused = fused[:k]
        scores = dict(fused)
        missing = [cid for cid, _ in fused if cid not in known]
        for passage in self.store.passages(missing, scores):
            known[passage.chunk_id] = passage
        return [Passage(**{**known[cid].__dict__, "score": score}) for cid, score in fused if cid in known]
