"""URLs and RSS/Atom feeds: pages are fetched and extracted; a feed's items are fetched as articles.

Every fetch goes through assistant.ingest.sources.fetch: each hop (redirects included) is checked before
it is connected to, with a per-read timeout, a total deadline, a size cap counted after
decompression and a bounded number of redirects. URLs found inside feeds may not point at this
machine or the private network unless allow_private_urls is set.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urljoin

import feedparser

from assistant.ingest.sources.fetch import Fetched, fetch, fetch_conditional
from assistant.ingest.sources.common import LoadError, Limits, decode_text, parse_datetime
from assistant.ingest.sources.html import article_from_html
from assistant.ingest.sources.xmlsafe import check_xml
from assistant.records import Article, LoadResult, stable_id
from assistant.safety import plain_line

__all__ = ["Fetched", "fetch", "fetch_conditional", "FeedItem", "parse_feed", "item_article", "articles_from_feed",
           "load_url", "looks_like_feed"]
FEED_MARKERS = (b"<rss", b"<feed", b"<rdf:rdf")
MAX_FEED_TITLE = 200  # characters of a feed's own title kept as its name


def looks_like_feed(data: bytes, content_type: str) -> bool:
    head = data[:2048].lower()
    return any(m in head for m in FEED_MARKERS) or any(t in content_type for t in ("rss", "atom"))


def load_url(url: str, limits: Limits, typed_by_user: bool = True) -> LoadResult:
    data, content_type = fetch(url, limits, allow_private=typed_by_user or limits.allow_private_urls)
    if looks_like_feed(data, content_type):
        return articles_from_feed(data, url, limits)
    html = decode_text(data, url, content_type)
    return LoadResult(origin=url, articles=[article_from_html(html, url, url=url)])


def _entry_time(entry: dict, origin: str) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        return parse_datetime(datetime(*parsed[:6], tzinfo=timezone.utc), origin)
    return parse_datetime(entry.get("published") or entry.get("updated"), origin)


def summary_article(summary: str, origin: str) -> Article | None:
    """The item's own text as an article body (feeds often carry the whole story)."""
    try:
        return article_from_html(f"<html><body><article><p>{summary}</p></article></body></html>", origin)
    except LoadError:
        return None


@dataclass(frozen=True)
class FeedItem:
    key: str  # guid, else link, else title: what identifies the item across fetches
    link: str | None
    title: str
    summary: str
    published: datetime | None
    author: str | None
    fingerprint: str  # changes when the item is edited (title, summary, updated time)


def feed_document(data: bytes, origin: str) -> io.BytesIO:
    """The feed under the shared XML rules, re-encoded as UTF-8 for feedparser.

    A file object, never bytes: feedparser opens bytes that name an existing path (a body of
    b"/dev/zero" would be read forever).
    """
    text = check_xml(data, origin, "a feed", max_bytes=None, allow_bare_doctype=True)
    return io.BytesIO(b'<?xml version="1.0" encoding="utf-8"?>' + text.encode("utf-8", "replace"))


def item_link(link: str, origin: str) -> str | None:
    """The item's link as an absolute URL (relative links are read against the feed's own URL)."""
    link = link.strip()
    if not link:
        return None
    if origin.lower().startswith(("http://", "https://")) and "://" not in link[:12]:
        return urljoin(origin, link)
    return link


def parse_feed(data: bytes, origin: str) -> tuple[str, list[FeedItem], list[str]]:
    """The feed's title, its items, and one error line per item that cannot be read (others are kept)."""
    feed = feedparser.parse(feed_document(data, origin))
    if not feed.entries:
        problem = feed.get("bozo_exception")
        detail = str(problem).splitlines()[0] if problem else "no items"
        raise LoadError(f"{origin}: not an RSS/Atom feed ({detail})", kind="not a feed")
    source = plain_line(feed.feed.get("title") or "")[:MAX_FEED_TITLE].strip() or origin
    items, errors = [], []
    for entry in feed.entries:
        link = item_link(entry.get("link") or "", origin)
        title = plain_line(entry.get("title") or "")
        summary = " ".join(c.get("value", "") for c in entry.get("content", [])) or entry.get("summary", "")
        where = link or f"{origin} item {title[:60]!r}"
        try:
            published = _entry_time(entry, where)
        except LoadError as exc:
            errors.append(str(exc))
            continue
        key = (entry.get("id") or link or title).strip()
        fingerprint = hashlib.sha256("\x1f".join([title, summary, entry.get("updated", "")]).encode()).hexdigest()[:16]
        items.append(FeedItem(key, link, title, summary, published, entry.get("author"), fingerprint))
    return source, items, errors


def item_article(item: FeedItem, source: str, origin: str, limits: Limits) -> tuple[Article, str | None]:
    """The item as an article: its page when that can be fetched, else the item's own text.

    Returns the article and, when its page was skipped for the summary, why in a few words
    ("private address", "HTTP 404"); raises LoadError when neither page nor summary has text.
    """
    where = item.link or f"{origin} item {item.title[:60]!r}"
    article, page_error = None, None
    if item.link:
        try:
            page = fetch_conditional(item.link, limits, allow_private=limits.allow_private_urls)
            article = article_from_html(decode_text(page.body, item.link, page.content_type), item.link, url=item.link)
        except LoadError as exc:
            page_error = exc
    if article is None:
        article = summary_article(item.summary, where) if item.summary.strip() else None
        if article is None:
            raise page_error or LoadError(f"{where}: no text in the item, and it has no link")
    skipped = page_error.reason if page_error is not None else None
    return Article(id=stable_id(item.link) if item.link else stable_id(source, item.title), title=item.title or article.title,
                   body=article.body, source=source, url=item.link, published_at=item.published or article.published_at,
                   author=item.author or article.author, origin=item.link or origin), skipped


def articles_from_feed(data: bytes, origin: str, limits: Limits) -> LoadResult:
    """Each feed item becomes an article: its page is fetched; the item's own text is the fallback.

    One item that fails (page and summary both) is reported and skipped; the rest of the feed is kept.
    """
    source, items, errors = parse_feed(data, origin)
    result = LoadResult(origin=origin, errors=list(errors))
    for item in items:
        try:
            result.articles.append(item_article(item, source, origin, limits)[0])
        except LoadError as exc:
            result.errors.append(str(exc))
    return result
