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
import time
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


def fetch(url: str, limits: Limits, allow_private: bool = True) -> tuple[bytes, str]:
    """GET a URL within the limits; returns (body, content type) or raises LoadError with a one-line reason.

    A server that trickles bytes never trips the per-read timeout, so the download runs in a
    worker thread and is abandoned at the deadline (the worker ends with the connection).
    """
    if urlparse(url).scheme not in ("http", "https"):
        raise LoadError(f"{url}: only http(s) URLs can be fetched")
    if not allow_private and is_private_address(url):
        raise LoadError(f"{url}: points at this machine or a private network (setting allow_private_urls)")
    outcome: list = []
    stop = threading.Event()

    def work() -> None:
        try:
            outcome.append(_download(url, limits, allow_private, stop))
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


def _download(url: str, limits: Limits, allow_private: bool, stop: threading.Event) -> tuple[bytes, str]:
    session = requests.Session()
    session.max_redirects = MAX_REDIRECTS
    try:
        with session.get(url, timeout=limits.timeout, headers={"User-Agent": USER_AGENT}, stream=True) as response:
            if not allow_private and any(is_private_address(r.headers.get("location", "")) for r in response.history
                                         if r.headers.get("location", "").startswith("http")):
                raise LoadError(f"{url}: redirects to a private address (setting allow_private_urls)")
            if response.status_code >= 400:
                raise LoadError(f"{url}: HTTP {response.status_code}")
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
            return bytes(body), response.headers.get("content-type", "")
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


def articles_from_feed(data: bytes, origin: str, limits: Limits) -> LoadResult:
    """Each feed item becomes an article: its page is fetched; the item's own text is the fallback.

    One item that fails (page and summary both) is reported and skipped; the rest of the feed is kept.
    """
    feed = feedparser.parse(data)
    if not feed.entries:
        problem = feed.get("bozo_exception")
        detail = str(problem).splitlines()[0] if problem else "no items"
        raise LoadError(f"{origin}: not an RSS/Atom feed ({detail})")
    source = (feed.feed.get("title") or origin).strip()
    result = LoadResult(origin=origin)
    for entry in feed.entries:
        link = (entry.get("link") or "").strip() or None
        title = " ".join((entry.get("title") or "").split())
        summary = " ".join(c.get("value", "") for c in entry.get("content", [])) or entry.get("summary", "")
        where = link or f"{origin} item {title[:60]!r}"
        try:
            page_error = None
            article = None
            if link:
                try:
                    page, content_type = fetch(link, limits, allow_private=limits.allow_private_urls)
                    article = article_from_html(decode_text(page, link, content_type), link, url=link)
                except LoadError as exc:
                    page_error = exc
            else:
                page_error = LoadError(f"{where}: the item has no link")
            if article is None:
                article = summary_article(summary, where) if summary.strip() else None
                if article is None:
                    raise page_error or LoadError(f"{where}: no text in the item or its page")
            result.articles.append(Article(
                id=stable_id(link) if link else stable_id(source, title),
                title=title or article.title,
                body=article.body,
                source=source,
                url=link,
                published_at=_entry_time(entry, where) or article.published_at,
                author=entry.get("author") or article.author,
                origin=link or origin,
            ))
        except LoadError as exc:
            result.errors.append(str(exc))
    return result
