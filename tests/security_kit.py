"""Pieces of the security suites: an "internal" server that records every request it gets, a "public"
site that redirects wherever it is told, a proxy that plays a public host, and snapshots of the store and
the feeds database to compare before and after."""

from __future__ import annotations

import http.client
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from assistant.evals.feedsite import free_port

PUBLIC_HOST = "news.example"  # never resolves: only the proxy knows it
SECRET = "internal-secret-7Q"  # what the internal server answers; must never be stored
ARTICLE = ("<html><head><title>Harbor ferry fares rise</title></head><body><article><h1>Harbor ferry fares rise</h1>"
           "<p>The harbor ferry operator said on Monday that fares rise by ten percent from June, the first rise in "
           "four years. The council approved the change after a long debate about the cost of fuel.</p>"
           "</article></body></html>")


class DualStackServer(http.server.ThreadingHTTPServer):
    """Listens on IPv6 and IPv4 at once (::1, ::ffff:127.0.0.1 and 127.0.0.1 all reach it)."""

    address_family = socket.AF_INET6
    daemon_threads = True

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


@contextmanager
def internal_server() -> Iterator[tuple[int, list[str]]]:
    """The "internal" service: yields (port, requests seen); every request is a leak."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            seen.append(self.path)
            body = f"<html><body><article><p>{SECRET} {SECRET} the internal admin page.</p></article></body></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    port = free_port()
    server = DualStackServer(("::", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield port, seen
    finally:
        server.shutdown()
        server.server_close()


def redirect_path(location: str, status: int = 302) -> str:
    return f"/to?status={status}&url={quote(location, safe='')}"


def feed_xml(items: list[tuple[str, str, str]], title: str = "Harbor Ledger") -> bytes:
    """An RSS feed of (title, link, description) items."""
    entries = "".join(f"<item><title>{t}</title><link>{link.replace('&', '&amp;')}</link>"
                      f"<description>{d}</description><guid>{link.replace('&', '&amp;')}</guid></item>"
                      for t, link, d in items)
    return f"<rss version='2.0'><channel><title>{title}</title>{entries}</channel></rss>".encode()


def site_response(path: str) -> tuple[int, dict, bytes]:
    """The public site: /to?url=...&status=... redirects, /article is an article, /feed?items=[...] a feed."""
    parts = urlsplit(path)
    query = parse_qs(parts.query)
    if parts.path == "/to":
        headers = {"Location": query["url"][0]} if "url" in query else {}
        return int(query.get("status", ["302"])[0]), headers, b""
    if parts.path == "/article":
        return 200, {"Content-Type": "text/html"}, ARTICLE.encode()
    if parts.path == "/feed":
        return 200, {"Content-Type": "application/rss+xml"}, feed_xml([tuple(i) for i in json.loads(query["items"][0])])
    if parts.path == "/raw":
        return 200, {"Content-Type": query.get("type", ["text/html"])[0]}, query["body"][0].encode()
    return 404, {"Content-Type": "text/plain"}, b"missing"


class SiteHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status: int, headers: dict, body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.reply(*site_response(self.path))


@contextmanager
def public_site() -> Iterator[str]:
    """The site on 127.0.0.1 (typed at the CLI, so its first hop may be private); yields its base URL."""
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), SiteHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def proxy_playing_public_host() -> Iterator[tuple[str, list[str]]]:
    """An HTTP proxy: requests for http://news.example/... get the public site; any other URL is forwarded to its
    real host (so a redirect that is followed to the internal server reaches it and is recorded there).
    Yields (proxy URL, absolute URLs the proxy was asked for)."""
    asked: list[str] = []

    class Proxy(SiteHandler):
        def do_GET(self):
            asked.append(self.path)
            target = urlsplit(self.path)
            if target.hostname == PUBLIC_HOST:
                self.reply(*site_response(target.path + ("?" + target.query if target.query else "")))
                return
            try:
                upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=3)
                upstream.request("GET", target.path or "/")
                answer = upstream.getresponse()
                self.reply(answer.status, {"Content-Type": answer.getheader("Content-Type", "text/html")}, answer.read())
            except OSError:
                self.reply(502, {"Content-Type": "text/plain"}, b"bad gateway")

    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Proxy)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}", asked
    finally:
        server.shutdown()
        server.server_close()


def proxy_env(proxy: str) -> dict[str, str]:
    return {"http_proxy": proxy, "HTTP_PROXY": proxy, "https_proxy": proxy, "HTTPS_PROXY": proxy,
            "no_proxy": "", "NO_PROXY": ""}


def index_snapshot(index: Path) -> list[tuple[str, str]]:
    """(chunk id, content hash) of every stored chunk."""
    from assistant.settings import Settings
    from conftest import built
    store = built(Settings(index_dir=index)).store
    listing = store.all_chunks(include_documents=False)
    return sorted((cid, meta["content_hash"]) for cid, meta in zip(listing["ids"], listing["metadatas"]))


def stored_text(index: Path) -> str:
    from assistant.settings import Settings
    from conftest import built
    return " ".join(built(Settings(index_dir=index)).store.all_chunks()["documents"])


def feeds_snapshot(index: Path) -> tuple:
    """Every row of the feeds database's feeds and topics (its file bytes change on every open)."""
    import sqlite3
    path = index / "follow.sqlite3"
    if not path.exists():
        return ()
    with sqlite3.connect(path) as db:
        return (db.execute("SELECT url, name FROM feeds ORDER BY id").fetchall(),
                db.execute("SELECT text FROM topics ORDER BY id").fetchall())


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def assert_one_line(result, reason: str = "", code: int = 2) -> str:
    """Exit code, exactly one line on stderr containing the reason, no traceback, no escape characters."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert reason.lower() in lines[0].lower(), lines[0]
    assert not any(ord(ch) < 32 or 0x7f <= ord(ch) < 0xa0 or 0x202a <= ord(ch) <= 0x202e for ch in lines[0]), lines[0]
    return lines[0]
