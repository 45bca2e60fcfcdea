"""Plain text: the first non-empty line is the title, the rest is the body."""

from __future__ import annotations

from pathlib import Path

from assistant.ingest.sources.common import LOCAL_SOURCE, LoadError, Limits, file_time, read_text_file
from assistant.records import Article, stable_id


def load_text(path: Path, limits: Limits = Limits()) -> list[Article]:
    text = read_text_file(path, limits.max_bytes).replace("\r\n", "\n")
    title, _, body = text.strip().partition("\n")
    body = body.strip()
    if not body:
        raise LoadError(f"{path}: no body after the title line")
    if len(title) > 500:
        raise LoadError(f"{path}: the first line (the title) is {len(title):,} characters long; is this an article?")
    return [Article(id=stable_id(LOCAL_SOURCE, title), title=title.strip(), body=body, source=LOCAL_SOURCE,
                    published_at=file_time(path), origin=str(path))]
