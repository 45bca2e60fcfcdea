"""JSON and JSON Lines: one article per object (title, body, source, url, published_at, author, id).

A bad record (a field of the wrong type, a malformed or absurdly nested line) fails alone.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.ingest.sources.common import (LoadError, Limits, clean_text, parse_datetime, read_text_file, text_field,
                                             url_field)
from assistant.records import Article, LoadResult, stable_id

BODY_KEYS = ("body", "text", "content")


def article_from_record(record: object, origin: str) -> Article:
    if not isinstance(record, dict):
        raise LoadError(f"{origin}: expected an object, got {type(record).__name__}")
    title = text_field(record, "title", origin) or ""
    body = next((text_field(record, k, origin) for k in BODY_KEYS if record.get(k)), "") or ""
    if not title:
        raise LoadError(f"{origin}: missing 'title'")
    if not body:
        raise LoadError(f"{origin}: missing 'body'")
    source = text_field(record, "source", origin) or "Unknown source"
    url = url_field(record.get("url"), origin)
    raw_id = record.get("id")
    if raw_id is not None and not isinstance(raw_id, (str, int)):
        raise LoadError(f"{origin}: field 'id' must be text or a number, not {type(raw_id).__name__}")
    article_id = clean_text(str(raw_id)) if raw_id not in (None, "") else (stable_id(url) if url else stable_id(source, title))
    return Article(id=article_id, title=title, body=body, source=source, url=url,
                   published_at=parse_datetime(record.get("published_at") or record.get("date"), origin),
                   author=text_field(record, "author", origin), origin=origin)


def parse_json(text: str, origin: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"{origin}: malformed JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise LoadError(f"{origin}: JSON nested too deeply") from None


def load_json(path: Path, limits: Limits = Limits()) -> LoadResult:
    """Load .json (an object or a list of objects) or .jsonl; a bad record fails alone."""
    text = read_text_file(path, limits.max_bytes)
    result = LoadResult(origin=str(path))
    if path.suffix.lower() == ".jsonl":
        records = []
        # JSON Lines are split on "\n" only: str.splitlines() would also split at U+2028, U+0085 and
        # friends, which JSON allows raw inside strings, and cut one article into two malformed lines
        for number, line in enumerate(text.split("\n"), 1):
            line = line.removesuffix("\r")
            if not line.strip():
                continue
            try:
                records.append((f"{path}:{number}", parse_json(line, f"{path}:{number}")))
            except LoadError as exc:
                result.errors.append(str(exc).replace(" at line 1)", ")"))
    else:
        data = parse_json(text, str(path))
        items = data if isinstance(data, list) else [data]
        records = [(f"{path}[{i}]" if isinstance(data, list) else str(path), item) for i, item in enumerate(items)]
    for origin, record in records:
        try:
            result.articles.append(article_from_record(record, origin))
        except LoadError as exc:
            result.errors.append(str(exc))
        except RecursionError:
            result.errors.append(f"{origin}: JSON nested too deeply")
    return result
