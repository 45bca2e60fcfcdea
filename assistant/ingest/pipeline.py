"""Ingestion in one call: read the inputs (ingest/sources), then index what is new or changed (ingest/indexer.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from assistant.ingest.indexer import IngestReport, ingest_articles
from assistant.ingest.sources.provenance import ArticleDefaults
from assistant.ingest.sources import load_articles
from assistant.models.embeddings import SentenceEmbeddings
from assistant.settings import Settings
from assistant.store import ChunkStore


def ingest(inputs: Iterable[str], store: ChunkStore, embeddings: SentenceEmbeddings, settings: Settings,
           progress: bool = True, on_error: Callable[[str], None] | None = None,
           defaults: ArticleDefaults = ArticleDefaults(), typed_by_user: bool = True) -> IngestReport:
    """Load, then store what is new or changed. `typed_by_user` False for inputs from the page or another tool:
    their URLs follow allow_private_urls. Nothing read, nothing written: the write lock is not taken."""
    articles, errors = load_articles(inputs, settings, on_error, typed_by_user=typed_by_user, defaults=defaults)
    if not articles:
        return IngestReport(errors=errors)
    with store.writing(on_wait=on_error):
        outcomes = ingest_articles(articles, store, embeddings, settings, progress)
    return IngestReport(outcomes=outcomes, errors=errors)
