"""What an article says of itself beyond its words: the loaders' fallbacks (the local outlet, the file's time
for its date) and what `ingest --source/--date` puts in their place. Read by the loaders' batch (which
collapses two reads of the same words) and by the indexer (which finds such a re-read unchanged)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from assistant.ingest.sources.common import LOCAL_SOURCE, file_time
from assistant.records import Article


@dataclass(frozen=True)
class ArticleDefaults:
    """What `ingest --source/--date` gives the articles whose files do not say (a .txt never does)."""

    source: str | None = None
    published_at: datetime | None = None

    def apply(self, article: Article) -> Article:
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
    path = Path(article.origin) if article.origin and "://" not in article.origin else None
    try:
        return path is not None and path.is_file() and article.published_at == file_time(path)
    except OSError:
        return False
