"""JSON and JSON Lines: one article per object (title, body, source, url, published_at, author, id)."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.records import Article, stable_id
from assistant.ingest.sources.common import LoadError, LoadResult, parse_datetime, read_text_file

BODY_KEYS = ("body", "text", "content")


def article_from_record(record: object, origin: str) -> Article:
    if not isinstance(record, dict):
        raise LoadError(f"{origin}: expected an object, got {type(record).__name__}")
    title = str(record.get("title") or "").strip()
    body = next((str(record[k]).strip() for k in BODY_KEYS if record.get(k)), "")
    if not title:
        raise LoadError(f"{origin}: missing 'title'")
    if not body:
        raise LoadError(f"{origin}: missing 'body'")
    source = str(record.get("source") or "Unknown source")
    url = record.get("url") or None
    article_id = str(record.get("id") or (stable_id(url) if url else stable_id(source, title)))
    return Article(id=article_id, title=title, body=body, source=source, url=url,
                   published_at=parse_datetime(record.get("published_at") or record.get("date"), origin),
                   author=record.get("author") or None, origin=origin)


def load_json(path: Path) -> LoadResult:
    """Load .json (an object or a list of objects) or .jsonl; a bad record fails alone."""
    text = read_text_file(path)
    result = LoadResult(origin=str(path))
    if path.suffix.lower() == ".jsonl":
        numbered = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        records = []
        for number, line in numbered:
            try:
                records.append((f"{path}:{number}", json.loads(line)))
            except json.JSONDecodeError as exc:
                result.errors.append(f"{path}:{number}: malformed JSON ({exc.msg})")
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LoadError(f"{path}: malformed JSON ({exc.msg} at line {exc.lineno})") from None
        items = data if isinstance(data, list) else [data]
        records = [(f"{path}[{i}]" if isinstance(data, list) else str(path), item) for i, item in enumerate(items)]
    for origin, record in records:
        try:
            result.articles.append(article_from_record(record, origin))
        except LoadError as exc:
            result.errors.append(str(exc))
    return result
