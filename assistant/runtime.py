"""Build the long-lived parts (embedding model, store) from settings, once per process."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from assistant.models.embeddings import SentenceEmbeddings, get_embeddings
from assistant.settings import Settings
from assistant.store import ChunkStore, make_client

# On 2 cores, the chat model and the embedder slow each other to a crawl: one at a time.
MODEL_LOCK = threading.RLock()


def open_store(settings: Settings) -> tuple[SentenceEmbeddings, ChunkStore]:
    embeddings = get_embeddings(settings.embedding_model, settings.embedding_batch_size)
    client = make_client(settings.index_dir, settings.chroma_url)
    store = ChunkStore(client, settings.collection, embeddings.name, embeddings.dimension)
    return embeddings, store


class IndexBusyError(RuntimeError):
    """Another process is writing to the same on-disk index."""


@contextmanager
def write_lock(settings: Settings) -> Iterator[None]:
    """One writer per on-disk store: two processes writing one Chroma folder corrupt its vector index."""
    if settings.chroma_url:
        yield
        return
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.index_dir / ".write.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusyError(f"{settings.index_dir}: another process is writing to this index; "
                                 "wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
