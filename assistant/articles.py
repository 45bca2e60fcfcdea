"""The records that flow through the pipeline: Article (one news item) and Chunk (a span of it)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime


def stable_id(*parts: str) -> str:
    """A short deterministic id from identifying fields (not from the body, so edits replace)."""
    joined = "\x1f".join(p.strip().lower() for p in parts)
    return "a-" + hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    body: str
    source: str
    url: str | None = None
    published_at: datetime | None = None  # always timezone-aware when set
    author: str | None = None
    origin: str = ""  # the file or URL it was read from

    @property
    def content_hash(self) -> str:
        """Changes whenever anything stored about the article changes."""
        fields = [self.title, self.body, self.source, self.url or "", self.author or "",
                  self.published_at.isoformat() if self.published_at else ""]
        return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Chunk:
    id: str
    article_id: str
    index: int
    text: str
    start: int  # character span of `text` inside the article body
    end: int
    metadata: dict = field(default_factory=dict)
