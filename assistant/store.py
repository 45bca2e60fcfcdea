"""The one door to Chroma: writes (under the write lock), reads, listings and dense search.

The collection records which embedding model filled it, and which family of its vectors (settings.EMBEDDING_FAMILIES:
torch and the fp32 ONNX export are one, the int8 export another); opening it with another model or family is an
error rather than a silent mix of incomparable vectors. Every writer, in any process, takes the
store's write lock: two processes writing one on-disk Chroma folder corrupt its vector index.
"""

from __future__ import annotations

import math
import re
import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import chromadb
import numpy as np
from filelock import FileLock, Timeout

from assistant.chroma_client import (EmbeddingMismatchError, IndexBusyError, StoreError, store_problem)
from assistant.records import Chunk, Condition, Passage, SearchFilters, StoredArticle
from assistant.settings import DEFAULT_EMBEDDING_FAMILY, EMBEDDING_FAMILIES, backend_for_family


@dataclass(frozen=True)
class ArticleState:
    content_hash: str
    stored_chunks: int
    expected_chunks: int
    text_hash: str = ""  # the stored words (Article.text_hash): a re-read of them in another file is no change

    @property
    def complete(self) -> bool:
        return self.stored_chunks == self.expected_chunks


class _committing:
    """A sqlite connection as a context manager that commits and closes."""

    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        return self.connection

    def __exit__(self, kind, value, traceback):
        if kind is None:
            self.connection.commit()
        self.connection.close()


# records.FILTER_RULES' tests as Chroma operators.
CHROMA_OPERATORS = {"one_of": "$in", "at_least": "$gte", "before": "$lt"}


def chroma_value(condition: Condition) -> list[str] | int:
    """The condition's value as Chroma compares it. Chunks hold published_ts in whole seconds, and for a whole
    number t, t >= x and t < x hold exactly when t >= ceil(x) and t < ceil(x): the same chunks as accepts."""
    if condition.test == "one_of":
        return list(condition.value)
    return math.ceil(condition.value)


def where_for(filters: SearchFilters | None, article_ids: Sequence[str] = ()) -> dict | None:
    """The Chroma where-clause for a filter (and optionally a set of articles); None when it admits all."""
    clauses: list[dict] = []
    if article_ids:
        clauses.append({"article_id": {"$in": list(article_ids)}})
    for condition in filters.conditions() if filters is not None else []:
        clauses.append({condition.key: {CHROMA_OPERATORS[condition.test]: chroma_value(condition)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def family_mismatch(name: str, model_name: str, stored: str, family: str) -> str:
    """The one line for a store of one vector family opened with an embedder of another, naming the fix."""
    def backends(of: str) -> str:
        return " or ".join(b for b, f in EMBEDDING_FAMILIES.items() if f == of) or "unknown"
    backend = backend_for_family(stored)
    fix = f"--set embedding_backend={backend}" if backend else "the embedder that built it"
    return (f"collection {name!r} holds {stored} vectors of {model_name} (embedding_backend={backends(stored)}), and "
            f"this embedder writes {family} ones (embedding_backend={backends(family)}) that do not compare with them; "
            f"run with {fix}, or use another --index / collection")


def rebuild_body(chunks: list[tuple[int, int, str]]) -> str:
    """Lay chunk texts at their offsets; overlaps agree, gaps (separators) become spaces."""
    size = max(end for _, end, _ in chunks)
    buffer = [" "] * size
    for start, end, text in chunks:
        buffer[start:end] = list(text)
    return re.sub(r" {2,}", " ", "".join(buffer)).strip()


class ChunkStore:
    """Chunks of one collection; ids are `<article id>::<chunk number>`."""

    def __init__(self, client: chromadb.ClientAPI, name: str, model_name: str, dimension: int,
                 lock_path: Path | None = None, lock_wait_s: float = 60.0, reopen=None, changelog: Path | None = None,
                 family: str = DEFAULT_EMBEDDING_FAMILY):
        self.client = client
        self._changelog = changelog
        self._reopen = reopen  # makes a fresh client (on-disk stores), to see vectors other processes wrote
        self.name = name
        self.model_name = model_name
        self.dimension = dimension
        self.family = family
        self.lock_wait_s = lock_wait_s
        self._lock = FileLock(str(lock_path), timeout=lock_wait_s) if lock_path else None
        self._local = threading.RLock()  # one writer thread at a time inside this process too
        try:
            self.collection = client.get_or_create_collection(
                name,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedding_model": model_name, "embedding_dim": dimension, "embedding_family": family},
                embedding_function=None,
            )
        except Exception as exc:  # chromadb's validation errors (a bad collection name) are not one type
            raise StoreError(f"collection {name!r}: {str(exc).splitlines()[0][:200]}") from None
        meta = self.collection.metadata or {}
        stored_model, stored_dim = meta.get("embedding_model"), meta.get("embedding_dim")
        if stored_model != model_name or stored_dim != dimension:
            raise EmbeddingMismatchError(
                f"collection {name!r} was built with embedding model {stored_model!r} ({stored_dim} dims), "
                f"not {model_name!r} ({dimension} dims); use that model, or a new --index / collection"
            )
        stored_family = str(meta.get("embedding_family", DEFAULT_EMBEDDING_FAMILY))  # older stores: fp32
        if stored_family != family:
            raise EmbeddingMismatchError(family_mismatch(name, model_name, stored_family, family))
        self.max_batch = client.get_max_batch_size()
        self._folder = Path(lock_path).parent if lock_path else None
        try:
            self.collection.count()  # Chroma applies pending writes on the first read: a full disk fails here
        except Exception as exc:
            raise store_problem(self._folder, "read the index", exc) from None
        self._vectorstore = None
        self._seen_generation = self.generation()

    # --- the write lock -----------------------------------------------------------------------------
    @contextmanager
    def writing(self, on_wait=None) -> Iterator[None]:
        """Hold the write lock: wait (up to lock_wait_s) for another writer, then fail with one line."""
        with self._local:
            if self._lock is None:
                yield
                return
            if not self._lock.is_locked:
                try:
                    self._lock.acquire(timeout=0)
                except Timeout:
                    if on_wait:
                        on_wait(f"another process is writing to this index; waiting up to {self.lock_wait_s:.0f} s")
                    try:
                        self._lock.acquire(timeout=self.lock_wait_s)
                    except Timeout:
                        raise IndexBusyError(f"{Path(self._lock.lock_file).parent}: another process is writing to this "
                                             f"index and did not finish within {self.lock_wait_s:.0f} s; "
                                             "try again when it is done") from None
            else:
                self._lock.acquire()
            try:
                yield
            finally:
                self._lock.release()

    # --- writes -------------------------------------------------------------------------------------
    def replace_article(self, article_id: str, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Drop whatever is stored for the article, then write its chunks (safe to repeat)."""
        with self.writing():
            try:
                self.collection.delete(where={"article_id": article_id})
                for start in range(0, len(chunks), self.max_batch):
                    part = chunks[start:start + self.max_batch]
                    self.collection.upsert(
                        ids=[c.id for c in part],
                        documents=[c.text for c in part],
                        metadatas=[c.metadata for c in part],
                        embeddings=vectors[start:start + self.max_batch],
                    )
                self._bump_generation(article_id)
            except Exception as exc:  # chromadb.errors.InternalError ("Error in compaction") on a full disk
                raise store_problem(self._folder, f"write article {article_id}", exc) from None

    def delete_article(self, article_id: str) -> int:
        with self.writing():
            found = self.collection.get(where={"article_id": article_id}, include=[])
            if found["ids"]:
                self.collection.delete(ids=found["ids"])
                self._bump_generation(article_id)
            return len(found["ids"])

    def _bump_generation(self, article_id: str) -> None:
        """Count every write in the collection's metadata, so readers in other processes see the change, and
        log which article changed, so a reader can refresh what depends on it (BM25) without a full rebuild."""
        current = dict(self.client.get_collection(self.name).metadata or {})
        if self._changelog is not None:  # one writer at a time (the lock): a counter the log can be checked against
            current["generation"] = int(current.get("generation", 0)) + 1
            with self._changelog_db() as db:
                db.execute("INSERT OR REPLACE INTO changes (generation, article_id) VALUES (?, ?)", (current["generation"], article_id))
        else:
            # workers on several machines write one Chroma server without a shared lock: two of them reading the
            # same counter would both write n+1 and a reader would miss the second write; a random value always
            # differs from what a reader last saw (readers only compare for equality when there is no log)
            current["generation"] = secrets.randbits(62)
        self.collection.modify(metadata=current)
        self._seen_generation = current["generation"]

    def _changelog_db(self):
        import sqlite3
        connection = sqlite3.connect(self._changelog, timeout=30)
        connection.execute("CREATE TABLE IF NOT EXISTS changes (generation INTEGER PRIMARY KEY, article_id TEXT NOT NULL)")
        return _committing(connection)

    def changed_articles(self, since_generation: int) -> list[str] | None:
        """Articles written after `since_generation`, oldest first; None when the log cannot tell (no log, or
        writes it did not see, as from another machine on a Chroma server)."""
        if self._changelog is None:
            return None
        current = self.generation()
        with self._changelog_db() as db:
            rows = db.execute("SELECT generation, article_id FROM changes WHERE generation > ? ORDER BY generation",
                              (since_generation,)).fetchall()
        if current > since_generation and len(rows) != current - since_generation:
            return None
        return list(dict.fromkeys(article_id for _, article_id in rows))

    def generation(self) -> int:
        """How many writes the collection has seen (by any process); cheap enough to ask per query."""
        return int((self.client.get_collection(self.name).metadata or {}).get("generation", 0))

    # --- reads --------------------------------------------------------------------------------------
    def article_states(self, article_ids: Sequence[str]) -> dict[str, ArticleState]:
        states: dict[str, ArticleState] = {}
        unique = list(dict.fromkeys(article_ids))
        for start in range(0, len(unique), 500):
            found = self.collection.get(where={"article_id": {"$in": unique[start:start + 500]}}, include=["metadatas"])
            counts: dict[str, list] = {}
            for meta in found["metadatas"]:
                counts.setdefault(meta["article_id"], []).append(meta)
            for article_id, metas in counts.items():
                hashes = {m["content_hash"] for m in metas}
                expected = metas[0]["n_chunks"]
                states[article_id] = ArticleState(
                    content_hash=hashes.pop() if len(hashes) == 1 else "mixed",
                    stored_chunks=len(metas),
                    expected_chunks=expected,
                    text_hash=metas[0].get("text_hash", ""),
                )
        return states

    def count(self) -> int:
        return self.collection.count()

    def all_chunks(self, include_documents: bool = True, where: dict | None = None) -> dict:
        """Every chunk's id, metadata and (optionally) text, fetched in pages."""
        include = ["metadatas", "documents"] if include_documents else ["metadatas"]
        ids: list[str] = []
        documents: list[str] = []
        metadatas: list[dict] = []
        page = 5000
        offset = 0
        while True:
            found = self.collection.get(include=include, limit=page, offset=offset, where=where)
            ids.extend(found["ids"])
            metadatas.extend(found["metadatas"])
            if include_documents:
                documents.extend(found["documents"])
            if len(found["ids"]) < page:
                break
            offset += page
        return {"ids": ids, "documents": documents, "metadatas": metadatas}

    def passages(self, chunk_ids: Sequence[str], scores: dict[str, float] | None = None) -> list[Passage]:
        """The passages of these chunks, in the order asked (unknown ids left out)."""
        if not chunk_ids:
            return []
        found = self.collection.get(ids=list(chunk_ids), include=["documents", "metadatas"])
        by_id = {cid: (text, meta) for cid, text, meta in zip(found["ids"], found["documents"], found["metadatas"])}
        scores = scores or {}
        return [Passage.from_metadata(cid, *by_id[cid], score=scores.get(cid, 0.0)) for cid in chunk_ids if cid in by_id]

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, list[float]]:
        """The stored embedding of each of these chunks (for reranking without encoding them again)."""
        if not chunk_ids:
            return {}
        found = self.collection.get(ids=list(chunk_ids), include=["embeddings"])
        return {cid: vector for cid, vector in zip(found["ids"], found["embeddings"])}

    def refresh_if_changed(self) -> bool:
        """Reopen the on-disk store when another process wrote to it since we last looked.

        A long-running process (the page) keeps Chroma's vector index in memory and would not see
        articles a CLI ingest added; the generation counter in the collection's metadata tells.
        """
        generation = self.generation()
        if generation == self._seen_generation:
            return False
        with self._local:
            if self._reopen is not None:
                self.client = self._reopen()
                self.collection = self.client.get_collection(self.name)
                self._vectorstore = None
            self._seen_generation = generation
        return True

    def dense_search(self, vector: list[float], k: int, filters: SearchFilters | None = None) -> list[Passage]:
        """Nearest chunks by cosine, through LangChain's Chroma adapter."""
        self.refresh_if_changed()
        if self._vectorstore is None:
            from langchain_chroma import Chroma
            self._vectorstore = Chroma(client=self.client, collection_name=self.name, embedding_function=None,
                                       create_collection_if_not_exists=False)
        results = self._vectorstore.similarity_search_by_vector_with_relevance_scores(vector, k=k, filter=where_for(filters))
        return [Passage.from_metadata(doc.id, doc.page_content, doc.metadata, score) for doc, score in results]

    def list_articles(self, filters: SearchFilters | None = None) -> list[StoredArticle]:
        """One row per stored article (no body), newest first."""
        listing = self.all_chunks(include_documents=False, where=where_for(filters))
        rows: dict[str, StoredArticle] = {}
        for meta in listing["metadatas"]:
            row = rows.get(meta["article_id"])
            if row is None:
                row = rows[meta["article_id"]] = StoredArticle(meta["article_id"], meta.get("title", ""),
                                                               meta.get("source", ""), meta.get("url", ""),
                                                               meta.get("published_at", ""),
                                                               ingested_at=meta.get("ingested_at", ""))
            row.chunks += 1
        return sorted(rows.values(), key=lambda r: r.published_at, reverse=True)

    def articles(self, filters: SearchFilters | None = None, article_ids: Sequence[str] = ()) -> list[StoredArticle]:
        """Whole articles (bodies rebuilt from their chunks) matching the filter, oldest first."""
        found = self.all_chunks(include_documents=True, where=where_for(filters, article_ids))
        grouped: dict[str, list] = {}
        for text, meta in zip(found["documents"], found["metadatas"]):
            grouped.setdefault(meta["article_id"], []).append((meta, text))
        articles = []
        for article_id, parts in grouped.items():
            meta = parts[0][0]
            body = rebuild_body([(m["start"], m["end"], t) for m, t in parts])
            articles.append(StoredArticle(article_id, meta.get("title", ""), meta.get("source", ""), meta.get("url", ""),
                                          meta.get("published_at", ""), body, len(parts)))
        return sorted(articles, key=lambda a: a.published_at)

    def latest_published(self, filters: SearchFilters | None = None) -> datetime | None:
        """The publication time of the newest stored article (UTC), None when nothing is dated."""
        stamps = [m["published_ts"] for m in self.all_chunks(include_documents=False, where=where_for(filters))["metadatas"]
                  if "published_ts" in m]
        if not stamps:
            return None
        from datetime import timezone
        return datetime.fromtimestamp(max(stamps), timezone.utc)
