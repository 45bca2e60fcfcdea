"""The Chroma collection that holds the chunks: on-disk by default, a Chroma server if configured.

The collection records which embedding model filled it; opening it with another model is an
error rather than a silent mix of incomparable vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from assistant.articles import Chunk


class StoreError(RuntimeError):
    pass


class EmbeddingMismatchError(StoreError):
    pass


@dataclass(frozen=True)
class ArticleState:
    content_hash: str
    stored_chunks: int
    expected_chunks: int

    @property
    def complete(self) -> bool:
        return self.stored_chunks == self.expected_chunks


def make_client(index_dir: Path, chroma_url: str | None) -> chromadb.ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        parsed = urlparse(chroma_url)
        if not parsed.hostname:
            raise StoreError(f"chroma_url {chroma_url!r} is not a URL like http://127.0.0.1:8000")
        try:
            return chromadb.HttpClient(host=parsed.hostname, port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                                       ssl=parsed.scheme == "https", settings=chroma_settings)
        except Exception as exc:  # chromadb raises plain ValueError/ConnectError here
            raise StoreError(f"cannot reach the Chroma server at {chroma_url} ({str(exc).splitlines()[0]}); "
                             "start it with `chroma run` or unset ASSISTANT_CHROMA_URL") from None
    index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(index_dir), settings=chroma_settings)


class ChunkStore:
    """Writes and reads chunks of one collection; ids are `<article id>::<chunk number>`."""

    def __init__(self, client: chromadb.ClientAPI, name: str, model_name: str, dimension: int):
        self.client = client
        self.name = name
        self.model_name = model_name
        self.dimension = dimension
        self.collection = client.get_or_create_collection(
            name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding_model": model_name, "embedding_dim": dimension},
            embedding_function=None,
        )
        stored_model = (self.collection.metadata or {}).get("embedding_model")
        stored_dim = (self.collection.metadata or {}).get("embedding_dim")
        if stored_model != model_name or stored_dim != dimension:
            raise EmbeddingMismatchError(
                f"collection {name!r} was built with embedding model {stored_model!r} ({stored_dim} dims), "
                f"not {model_name!r} ({dimension} dims); use that model, or a new --index / collection"
            )
        self.max_batch = client.get_max_batch_size()

    # --- writes --------------------------------------------------------------------------------
    def replace_article(self, article_id: str, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Drop whatever is stored for the article, then write its chunks (safe to repeat)."""
        self.collection.delete(where={"article_id": article_id})
        for start in range(0, len(chunks), self.max_batch):
            part = chunks[start:start + self.max_batch]
            self.collection.upsert(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                metadatas=[c.metadata for c in part],
                embeddings=vectors[start:start + self.max_batch],
            )

    def delete_article(self, article_id: str) -> int:
        found = self.collection.get(where={"article_id": article_id}, include=[])
        if found["ids"]:
            self.collection.delete(ids=found["ids"])
        return len(found["ids"])

    # --- reads ---------------------------------------------------------------------------------
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
                )
        return states

    def count(self) -> int:
        return self.collection.count()

    def all_chunks(self, include_documents: bool = True) -> dict:
        """Every chunk's id, metadata and (optionally) text, fetched in pages."""
        include = ["metadatas", "documents"] if include_documents else ["metadatas"]
        ids: list[str] = []
        documents: list[str] = []
        metadatas: list[dict] = []
        total = self.count()
        page = 5000
        for offset in range(0, total, page):
            found = self.collection.get(include=include, limit=page, offset=offset)
            ids.extend(found["ids"])
            metadatas.extend(found["metadatas"])
            if include_documents:
                documents.extend(found["documents"])
        return {"ids": ids, "documents": documents, "metadatas": metadatas}
