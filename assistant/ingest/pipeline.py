"""Ingestion: load inputs, chunk, embed in large batches, and replace each article's chunks.

Idempotent by construction: an article whose stored chunks are complete and carry the same
content hash is skipped; anything else (new, changed, half-written by a killed run) is
rewritten from scratch under deterministic ids, so a re-run converges to the same index.
One text is one article: the same title, body and outlet already stored under another id (the story
saved as .txt and as .md, or fetched under two URLs) is reported as a duplicate, not stored again;
under its own id, a re-read that names nothing but its words (its date only its file's time) is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from tqdm import tqdm

from assistant.records import Article, Chunk
from assistant.ingest.chunking import chunk_article, make_splitter
from assistant.models.embeddings import SentenceEmbeddings
from assistant.settings import Settings
from assistant.ingest.sources import Limits, load_inputs
from assistant.store import ChunkStore

EMBED_GROUP = 256  # chunks encoded per call: big enough that encode dominates the per-call overhead


@dataclass
class ArticleOutcome:
    article_id: str
    title: str
    origin: str
    status: str  # new | updated | unchanged | duplicate (its text is stored as `article_id`)
    chunks: int


@dataclass(frozen=True)
class ArticleDefaults:
    """What `ingest --source/--date` gives the articles whose files do not say (a .txt never does)."""

    source: str | None = None
    published_at: datetime | None = None

    def apply(self, article: Article) -> Article:
        from assistant.ingest.sources.common import LOCAL_SOURCE
        changes: dict = {}
        if self.source and article.source == LOCAL_SOURCE:
            changes["source"] = self.source
        if self.published_at is not None and (article.published_at is None or dated_by_file(article)):
            changes["published_at"] = self.published_at
        return replace(article, **changes) if changes else article


def names_nothing_else(article: Article) -> bool:
    """Whether the article says nothing about itself beyond its words: no URL, no author, and no date but its
    file's time (a .txt, a .md without front matter). Another read of the same words is then the same article,
    whatever file type or modification time it came with."""
    return not article.url and not article.author and dated_by_file(article)


def dated_by_file(article: Article) -> bool:
    """Whether the article's date is its file's modification time (the loaders' fallback), not one it names."""
    from assistant.ingest.sources.common import file_time
    path = Path(article.origin) if article.origin and "://" not in article.origin else None
    try:
        return path is not None and path.is_file() and article.published_at == file_time(path)
    except OSError:
        return False


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


def load_articles(inputs: Iterable[str], settings: Settings, on_error: Callable[[str], None] | None = None,
                  typed_by_user: bool = True, defaults: ArticleDefaults = ArticleDefaults()) -> tuple[list[Article], list[str]]:
    """Read every input. Exact copies of one article in the batch collapse to one; two different
    articles that claim one id are both reported and the later one is skipped, never silently lost."""
    by_id: dict[str, Article] = {}
    errors: list[str] = []

    def report(line: str) -> None:
        errors.append(line)
        if on_error:
            on_error(line)

    for result in load_inputs(inputs, Limits.from_settings(settings), typed_by_user=typed_by_user):
        for article in result.articles:
            article = defaults.apply(article)
            earlier = by_id.get(article.id)
            if earlier is not None and earlier.content_hash != article.content_hash:
                if earlier.text_hash == article.text_hash and names_nothing_else(article):
                    continue  # the same words again (bell.txt and bell.md): one article, the first read
                if not (earlier.text_hash == article.text_hash and names_nothing_else(earlier)):
                    report(f"{article.origin}: id {article.id!r} is already used by {earlier.origin} in this batch; "
                           "skipped (give each article its own id)")
                    continue
            by_id[article.id] = article  # new, or the same words with a date, URL or author of their own
        for error in result.errors:
            report(error)
    return list(by_id.values()), errors


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
