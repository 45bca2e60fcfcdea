"""URLs and RSS/Atom feeds: pages are fetched and extracted; a feed's items are fetched as articles."""

from __future__ import annotations

from datetime import datetime, timezone

import feedparser
import requests

from assistant.records import Article, stable_id
from assistant.ingest.sources.common import LoadError, LoadResult, decode_text, parse_datetime
from assistant.ingest.sources.html import article_from_html

USER_AGENT = "news-assistant/0.1 (+offline-first reader)"
FEED_MARKERS = (b"<rss", b"<feed", b"<rdf:rdf")


def fetch(url: str, timeout: float) -> tuple[bytes, str]:
    """GET a URL; returns (body, content type) or raises LoadError with a one-line reason."""
    try:
        response = requests.get(url, timeout=timeout, headers={"User-Agent": USER_AGENT})
    except requests.RequestException as exc:
        reason = type(exc).__name__.replace("Error", " error").strip()
        raise LoadError(f"{url}: unreachable ({reason})") from None
    if response.status_code >= 400:
        raise LoadError(f"{url}: HTTP {response.status_code}")
    return response.content, response.headers.get("content-type", "")


def looks_like_feed(data: bytes, content_type: str) -> bool:
    head = data[:2048].lower()
    return any(m in head for m in FEED_MARKERS) or any(t in content_type for t in ("rss", "atom"))


def load_url(url: str, timeout: float) -> LoadResult:
    data, content_type = fetch(url, timeout)
    if looks_like_feed(data, content_type):
        return articles_from_feed(data, url, timeout)
    html = decode_text(data, url)
    return LoadResult(origin=url, articles=[article_from_html(html, url, url=url)])


def _entry_time(entry: dict) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        return datetime(*parsed[:6], tzinfo=timezone.utc)
    return parse_datetime(entry.get("published") or entry.get("updated"))


def articles_from_feed(data: bytes, origin: str, timeout: float) -> LoadResult:
    """Each feed item becomes an article: its page is fetched; the item's own text is the fallback."""
    feed = feedparser.parse(data)
    if not feed.entries:
        problem = feed.get("bozo_exception")
        detail = str(problem).splitlines()[0] if problem else "no items"
        raise LoadError(f"{origin}: not an RSS/Atom feed ({detail})")
    source = feed.feed.get("title") or origin
    result = LoadResult(origin=origin)
    for entry in feed.entries:
        link = entry.get("link")
        title = (entry.get("title") or "").strip()
        summary = " ".join(c.get("value", "") for c in entry.get("content", [])) or entry.get("summary", "")
        try:
            if not link:
                raise LoadError(f"{origin}: item {title!r} has no link")
            page, _ = fetch(link, timeout)
            article = article_from_html(decode_text(page, link), link, url=link)
        except LoadError as exc:
            if not summary.strip():
                result.errors.append(str(exc))
                continue
            text_only = article_from_html(f"<html><body><article><p>{summary}</p></article></body></html>", origin)
            article = Article(id=stable_id(link or title), title=title, body=text_only.body, source=source,
                              url=link, origin=origin)
        result.articles.append(Article(
            id=stable_id(link) if link else stable_id(source, title),
            title=title or article.title,
            body=article.body,
            source=source,
            url=link,
            published_at=_entry_time(entry) or article.published_at,
            author=entry.get("author") or article.author,
            origin=link or origin,
        ))
    return result
