"""URLs and RSS/Atom feeds: pages are fetched and extracted; a feed's items are fetched as articles.

Every fetch has a per-read timeout, a total deadline (a server that trickles one byte every few
seconds is cut off), a size cap counted after decompression (a gzip bomb stops at the cap) and a
bounded number of redirects. URLs found inside feeds may not point at this machine or the private
network unless allow_private_urls is set.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlparse

import feedparser
import requests

from assistant.ingest.sources.common import LoadError, LoadResult, Limits, decode_text, parse_datetime
from assistant.ingest.sources.html import article_from_html
from assistant.records import Article, stable_id

USER_AGENT = "news-assistant/0.2 (+offline-first reader)"
FEED_MARKERS = (b"<rss", b"<feed", b"<rdf:rdf")
MAX_REDIRECTS = 5


def is_private_address(url: str) -> bool:
    """Whether the URL's host resolves to loopback, private, link-local or otherwise internal addresses."""
    host = urlparse(url).hostname
    if not host:
        return True
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return False  # unresolvable: the fetch itself will report it
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved or address.is_unspecified:
            return True
    return False


@dataclass(frozen=True)
class Fetched:
    status: int  # 200, or 304 when a conditional GET found nothing new
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None


def fetch(url: str, limits: Limits, allow_private: bool = True) -> tuple[bytes, str]:
    """GET a URL within the limits; returns (body, content type) or raises LoadError with a one-line reason."""
    result = fetch_conditional(url, limits, allow_private)
    return result.body, result.content_type


def fetch_conditional(url: str, limits: Limits, allow_private: bool = True, etag: str | None = None,
                      last_modified: str | None = None) -> Fetched:
    """GET with If-None-Match / If-Modified-Since when known (a 304 costs nothing), within the limits.

    A server that trickles bytes never trips the per-read timeout, so the download runs in a
    worker thread and is abandoned at the deadline (the worker ends with the connection).
    """
    if urlparse(url).scheme not in ("http", "https"):
        raise LoadError(f"{url}: only http(s) URLs can be fetched")
    if not allow_private and is_private_address(url):
        raise LoadError(f"{url}: points at this machine or a private network (setting allow_private_urls)")
    outcome: list = []
    stop = threading.Event()

    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    def work() -> None:
        try:
            outcome.append(_download(url, limits, allow_private, stop, headers))
        except BaseException as exc:  # handed to the caller below
            outcome.append(exc)

    worker = threading.Thread(target=work, daemon=True, name="fetch")
    worker.start()
    worker.join(limits.deadline)
    if worker.is_alive():
        stop.set()
        raise LoadError(f"{url}: took longer than {limits.deadline:.0f} s (setting fetch_deadline)")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _download(url: str, limits: Limits, allow_private: bool, stop: threading.Event, headers: dict) -> Fetched:
    session = requests.Session()
    session.max_redirects = MAX_REDIRECTS
    try:
        with session.get(url, timeout=limits.timeout, headers=headers, stream=True) as response:
            if not allow_private and any(is_private_address(r.headers.get("location", "")) for r in response.history
                                         if r.headers.get("location", "").startswith("http")):
                raise LoadError(f"{url}: redirects to a private address (setting allow_private_urls)")
            if response.status_code >= 400:
                raise LoadError(f"{url}: HTTP {response.status_code}")
            if response.status_code == 304:
                return Fetched(304, b"", "", response.headers.get("etag"), response.headers.get("last-modified"))
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                raise LoadError(f"{url}: {int(declared):,} bytes is over the {limits.max_bytes:,}-byte limit")
            body = bytearray()
            for block in response.iter_content(16384):  # decompressed: a gzip bomb stops at the cap
                body.extend(block)
                if len(body) > limits.max_bytes:
                    raise LoadError(f"{url}: over the {limits.max_bytes:,}-byte limit (setting max_article_bytes)")
                if stop.is_set():
                    break
            return Fetched(response.status_code, bytes(body), response.headers.get("content-type", ""),
                           response.headers.get("etag"), response.headers.get("last-modified"))
    except requests.TooManyRedirects:
        raise LoadError(f"{url}: more than {MAX_REDIRECTS} redirects") from None
    except requests.RequestException as exc:
        reason = type(exc).__name__.replace("Error", " error").strip()
        raise LoadError(f"{url}: unreachable ({reason})") from None


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


def parse_feed(data: bytes, origin: str) -> tuple[str, list[FeedItem], list[str]]:
    """The feed's title, its items, and one error line per item that cannot be read (others are kept)."""
    import hashlib
    feed = feedparser.parse(data)
    if not feed.entries:
        problem = feed.get("bozo_exception")
        detail = str(problem).splitlines()[0] if problem else "no items"
        raise LoadError(f"{origin}: not an RSS/Atom feed ({detail})")
    source = " ".join((feed.feed.get("title") or origin).split())
    items, errors = [], []
    for entry in feed.entries:
        link = (entry.get("link") or "").strip() or None
        title = " ".join((entry.get("title") or "").split())
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


def item_article(item: FeedItem, source: str, origin: str, limits: Limits) -> Article:
    """The item as an article: its page when that can be fetched, else the item's own text."""
    where = item.link or f"{origin} item {item.title[:60]!r}"
    article, page_error = None, None
    if item.link:
        try:
            page = fetch_conditional(item.link, limits, allow_private=limits.allow_private_urls)
            article = article_from_html(decode_text(page.body, item.link, page.content_type), item.link, url=item.link)
        except LoadError as exc:
            page_error = exc
    else:
        page_error = LoadError(f"{where}: the item has no link")
    if article is None:
        article = summary_article(item.summary, where) if item.summary.strip() else None
        if article is None:
            raise page_error or LoadError(f"{where}: no text in the item or its page")
    return Article(id=stable_id(item.link) if item.link else stable_id(source, item.title), title=item.title or article.title,
                   body=article.body, source=source, url=item.link, published_at=item.published or article.published_at,
                   author=item.author or article.author, origin=item.link or origin)


def articles_from_feed(data: bytes, origin: str, limits: Limits) -> LoadResult:
    """Each feed item becomes an article: its page is fetched; the item's own text is the fallback.

    One item that fails (page and summary both) is reported and skipped; the rest of the feed is kept.
    """
    source, items, errors = parse_feed(data, origin)
    result = LoadResult(origin=origin, errors=list(errors))
    for item in items:
        try:
            result.articles.append(item_article(item, source, origin, limits))
        except LoadError as exc:
            result.errors.append(str(exc))
    return result
