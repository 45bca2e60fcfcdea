"""Markdown with optional YAML front matter (title, source, url, published_at or date, author, id)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from assistant.ingest.sources.common import (LOCAL_SOURCE, LoadError, Limits, file_time, parse_datetime, read_text_file,
                                             text_field, url_field)
from assistant.records import Article, stable_id

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
HEADING = re.compile(r"^#\s+(.+)$", re.M)
MAX_FRONT_MATTER = 20_000  # characters


class NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases: front matter never needs them, and an alias bomb needs them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in front matter",
                                              event.start_mark)
        return super().compose_node(parent, index)


def front_matter(text: str, path: Path) -> tuple[dict, str]:
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    if len(match.group(1)) > MAX_FRONT_MATTER:
        raise LoadError(f"{path}: front matter is over {MAX_FRONT_MATTER:,} characters")
    try:
        meta = yaml.load(match.group(1), Loader=NoAliasLoader) or {}
    except yaml.YAMLError as exc:
        raise LoadError(f"{path}: front matter is not valid YAML ({str(exc).splitlines()[0]})") from None
    except (ValueError, OverflowError) as exc:  # YAML reads 2024-13-45 as a date and fails to build it
        raise LoadError(f"{path}: front matter has an impossible date ({exc})") from None
    if not isinstance(meta, dict):
        raise LoadError(f"{path}: front matter must be a mapping of fields")
    return meta, text[match.end():]


def load_markdown(path: Path, limits: Limits = Limits()) -> list[Article]:
    text = read_text_file(path, limits.max_bytes).replace("\r\n", "\n")
    meta, text = front_matter(text, path)
    body = text.strip()
    title = text_field(meta, "title", str(path)) if not isinstance(meta.get("title"), (int, float)) else str(meta["title"])
    if not title:
        heading = HEADING.search(body)
        if heading is None:
            raise LoadError(f"{path}: no title (front matter 'title' or a '# heading')")
        title = heading.group(1).strip()
        body = (body[: heading.start()] + body[heading.end():]).strip()
    if not body:
        raise LoadError(f"{path}: no body")
    source = text_field(meta, "source", str(path)) or LOCAL_SOURCE
    url = url_field(meta.get("url"), str(path))
    published = parse_datetime(meta.get("published_at") or meta.get("date"), str(path)) or file_time(path)
    raw_id = meta.get("id")
    article_id = str(raw_id) if raw_id not in (None, "") else (stable_id(url) if url else stable_id(source, title))
    return [Article(id=article_id, title=title, body=body, source=source, url=url, published_at=published,
                    author=text_field(meta, "author", str(path)), origin=str(path))]
