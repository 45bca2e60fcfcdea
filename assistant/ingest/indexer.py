"""Indexing: chunk, embed in large batches, and replace each article's chunks.

Idempotent by construction: an article whose stored chunks are complete and carry the same
content hash is skipped; anything else (new, changed, half-written by a killed run) is
rewritten from scratch under deterministic ids, so a re-run converges to the same index.
One text is one article: the same title, body and outlet already stored under another id (the story
saved as .txt and as .md, or fetched under two URLs) is reported as a duplicate, not stored again;
under its own id, a re-read that names nothing but its words (its date only its file's time) is unchanged.
Reading the inputs is ingest/sources' (`load_articles`); ingest/pipeline.py runs the two in turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tqdm import tqdm

from assistant.ingest.chunking import chunk_article, make_splitter
from assistant.ingest.sources.provenance import names_nothing_else
from assistant.models.embeddings import SentenceEmbeddings
from assistant.records import Article, Chunk
from assistant.settings import Settings
from assistant.store import ChunkStore

EMBED_GROUP = 256  # chunks encoded per call: big enough that encode dominates the per-call overhead


@dataclass
class ArticleOutcome:
    article_id: str
    title: str
    origin: str
    status: str  # new | updated | unchanged | duplicate (its text is stored as `article_id`)
    chunks: int


@dataclass
class IngestReport:
    outcomes: list[ArticleOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def chunks_written(self) -> int:
        return sum(o.chunks for o in self.outcomes if o.status in ("new", "updated"))

    def summary(self) -> str:
        duplicates = self.count("duplicate")
        same = f", {duplicates} already stored under another name (same text)" if duplicates else ""
        return (f"{self.count('new')} new, {self.count('updated')} updated, {self.count('unchanged')} unchanged, "
                f"{len(self.errors)} failed{same}; {self.chunks_written} chunks written")


def ingest_articles(articles: list[Article], store: ChunkStore, embeddings: SentenceEmbeddings, settings: Settings,
                    progress: bool = True) -> list[ArticleOutcome]:
    """Chunk, embed and store the articles that are new or changed, under the store's write lock."""
    with store.writing():
        return _ingest_locked(articles, store, embeddings, settings, progress)


def _ingest_locked(articles: list[Article], store: ChunkStore, embeddings: SentenceEmbeddings, settings: Settings,
                   progress: bool) -> list[ArticleOutcome]:
    splitter = make_splitter(settings.chunk_size, settings.chunk_overlap)
    states = store.article_states([a.id for a in articles])
    same_text = stored_texts(store, [a for a in articles if a.id not in states])
    outcomes: list[ArticleOutcome] = []
    pending: list[tuple[Article, list[Chunk], str]] = []
    pending_chunks = 0

    bar = tqdm(total=len(articles), unit="article", desc="Ingesting", disable=not progress, dynamic_ncols=True)

    def flush() -> None:
        nonlocal pending, pending_chunks
        if not pending:
            return
        texts = [embedding_text(article, chunk) for article, chunks, _ in pending for chunk in chunks]
        vectors = embeddings.encode(texts)
        offset = 0
        for article, chunks, status in pending:
            store.replace_article(article.id, chunks, vectors[offset:offset + len(chunks)])
            offset += len(chunks)
            outcomes.append(ArticleOutcome(article.id, article.title, article.origin, status, len(chunks)))
        bar.update(len(pending))
        bar.set_postfix(chunks=sum(o.chunks for o in outcomes if o.status != "unchanged"))
        pending, pending_chunks = [], 0

    for article in articles:
        state = states.get(article.id)
        if state is not None and state.complete and (state.content_hash == article.content_hash or (
                state.text_hash == article.text_hash and names_nothing_else(article))):
            outcomes.append(ArticleOutcome(article.id, article.title, article.origin, "unchanged", state.stored_chunks))
            bar.update(1)
            continue
        if state is None:
            key = article.text_hash
            if same_text.get(key, article.id) != article.id:
                outcomes.append(ArticleOutcome(same_text[key], article.title, article.origin, "duplicate", 0))
                bar.update(1)
                continue
            same_text[key] = article.id
        chunks = chunk_article(article, splitter)
        pending.append((article, chunks, "new" if state is None else "updated"))
        pending_chunks += len(chunks)
        if pending_chunks >= EMBED_GROUP:
            flush()
    flush()
    bar.close()
    return outcomes


def stored_texts(store: ChunkStore, articles: list[Article]) -> dict[str, str]:
    """Text hash -> id of the stored article with that text, for these articles (articles stored before
    texts were hashed carry no hash and match nothing: their own ids still keep them unique)."""
    hashes = list(dict.fromkeys(a.text_hash for a in articles))
    found: dict[str, str] = {}
    for start in range(0, len(hashes), 500):
        listing = store.all_chunks(include_documents=False, where={"text_hash": {"$in": hashes[start:start + 500]}})
        for meta in listing["metadatas"]:
            found.setdefault(meta["text_hash"], meta["article_id"])
    return found


def embedding_text(article: Article, chunk: Chunk) -> str:
    """What the embedder sees: the title gives a chunk the context its own words may lack."""
    return f"{article.title}\n{chunk.text}"
