"""HTML pages: main text and metadata extracted with trafilatura."""

from __future__ import annotations

from urllib.parse import urlparse

import trafilatura

from assistant.records import Article, stable_id
from assistant.ingest.sources.common import LoadError, parse_datetime


def article_from_html(html: str, origin: str, url: str | None = None) -> Article:
    document = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_recall=True)
    if document is None or len((document.text or "").split()) < 5:
        raise LoadError(f"{origin}: no article text found in the HTML")
    title = (document.title or "").strip()
    body = document.text.strip()
    if not title:
        first_line, _, rest = body.partition("\n")
        title, body = first_line.strip(), rest.strip() or body
    elif body.startswith(title + "\n"):
        body = body[len(title) + 1:].lstrip()
    page_url = url or document.url
    source = document.sitename or document.hostname or (urlparse(page_url).hostname if page_url else None) or "Web page"
    return Article(
        id=stable_id(page_url) if page_url else stable_id(source, title),
        title=title,
        body=body,
        source=source,
        url=page_url,
        published_at=parse_datetime(document.date, origin),
        author=document.author,
        origin=origin,
    )
