"""Build the long-lived parts (embedding model, store) from settings, once per process."""

from __future__ import annotations

import threading

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
