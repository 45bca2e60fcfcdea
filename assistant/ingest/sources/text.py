"""Plain text: the first non-empty line is the title, the rest is the body."""

from __future__ import annotations

from pathlib import Path

from assistant.records import Article, stable_id
from assistant.ingest.sources.common import LoadError, file_time, read_text_file

LOCAL_SOURCE = "Local file"


def load_text(path: Path) -> list[Article]:
    text = read_text_file(path).replace("\r\n", "\n")
    title, _, body = text.strip().partition("\n")
    body = body.strip()
    if not body:
        raise LoadError(f"{path}: no body after the title line")
    return [Article(id=stable_id(LOCAL_SOURCE, title), title=title.strip(), body=body, source=LOCAL_SOURCE,
                    published_at=file_time(path), origin=str(path))]
