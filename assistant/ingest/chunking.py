"""Split article bodies into sentence-aware chunks that remember their character span."""

from __future__ import annotations

from datetime import datetime, timezone

from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.language import detect_language
from assistant.records import Article, Chunk

# Paragraphs first, then lines, then sentence ends, then words: a chunk breaks mid-sentence only
# when one sentence alone is longer than the chunk size.
SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]


def make_splitter(chunk_size: int, chunk_overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        separators=SEPARATORS,
        keep_separator="end",
        add_start_index=True,
    )


def chunk_metadata(article: Article) -> dict:
    """Article fields every chunk carries (Chroma metadata values must be scalars)."""
    meta = {
        "article_id": article.id,
        "title": article.title,
        "source": article.source,
        "url": article.url or "",
        "author": article.author or "",
        "origin": article.origin,
        "content_hash": article.content_hash,
        "text_hash": article.text_hash,  # finds the same text stored under another id (ingest skips it)
        "ingested_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),  # "new since your last visit"
        "language": detect_language(f"{article.title}\n{article.body}"),  # BM25 stems each chunk in it
    }
    if article.published_at is not None:
        meta["published_at"] = article.published_at.isoformat()
        meta["published_ts"] = int(article.published_at.timestamp())
    return meta


def chunk_article(article: Article, splitter: RecursiveCharacterTextSplitter) -> list[Chunk]:
    documents = splitter.create_documents([article.body])
    base = chunk_metadata(article)
    chunks = []
    for index, document in enumerate(documents):
        start = document.metadata["start_index"]
        if start < 0:  # the splitter could not locate the text (should not happen); find it ourselves
            start = article.body.find(document.page_content)
        end = start + len(document.page_content)
        meta = {**base, "chunk_index": index, "n_chunks": len(documents), "start": start, "end": end}
        chunks.append(Chunk(id=f"{article.id}::{index:04d}", article_id=article.id, index=index,
                            text=document.page_content, start=start, end=end, metadata=meta))
    return chunks
