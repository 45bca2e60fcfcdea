"""Markdown with optional YAML front matter (title, source, url, published_at or date, author, id)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from assistant.records import Article, stable_id
from assistant.ingest.sources.common import LoadError, file_time, parse_datetime, read_text_file
from assistant.ingest.sources.text import LOCAL_SOURCE

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
HEADING = re.compile(r"^#\s+(.+)$", re.M)


def load_markdown(path: Path) -> list[Article]:
    text = read_text_file(path).replace("\r\n", "\n")
    meta: dict = {}
    match = FRONT_MATTER.match(text)
    if match:
        try:
            meta = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            raise LoadError(f"{path}: front matter is not valid YAML ({str(exc).splitlines()[0]})") from None
        if not isinstance(meta, dict):
            raise LoadError(f"{path}: front matter must be a mapping of fields")
        text = text[match.end():]
    body = text.strip()
    title = str(meta.get("title") or "").strip()
    if not title:
        heading = HEADING.search(body)
        if heading is None:
            raise LoadError(f"{path}: no title (front matter 'title' or a '# heading')")
        title = heading.group(1).strip()
        body = (body[: heading.start()] + body[heading.end():]).strip()
    if not body:
        raise LoadError(f"{path}: no body")
    source = str(meta.get("source") or LOCAL_SOURCE)
    url = meta.get("url")
    published = parse_datetime(meta.get("published_at") or meta.get("date"), str(path)) or file_time(path)
    article_id = str(meta.get("id") or (stable_id(url) if url else stable_id(source, title)))
    return [Article(id=article_id, title=title, body=body, source=source, url=url, published_at=published,
                    author=meta.get("author"), origin=str(path))]
