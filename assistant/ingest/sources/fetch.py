"""The one door for outgoing HTTP: feeds, item pages, URLs typed at the CLI and URLs given on the page.

Each hop is checked before anything is sent to it: the scheme (http/https), the host as the HTTP
library itself will parse it, and every address the host resolves to (decimal, octal, hex and
short IPv4 forms, IPv6, IPv4-mapped and NAT64 IPv6 included). Redirects are followed here, one
hop at a time, each Location resolved against the URL that sent it, so `//127.0.0.1/x` or
`HTTP://10.0.0.1` are checked like any other hop. When no proxy is in the way, the address a
connection actually reached is checked again before the request is written (a name that resolved
to a public address and then to a private one is caught). Through a proxy (http_proxy and
friends) the proxy connects; the check is then on the target's resolved addresses, before each hop.

Who may reach private addresses: a URL the user typed (or subscribed to) may point anywhere, and so
may redirects that stay on its host and port; every other hop, and every hop of a URL found in a
feed or given on the page, follows the allow_private_urls setting.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from assistant.ingest.sources.common import LoadError, Limits

USER_AGENT = "news-assistant/0.2 (+offline-first reader)"
ALLOWED_SCHEMES = ("http", "https")
MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_URL_CHARS = 4000
# What an address may not be unless private URLs are allowed, first match named in the error.
BLOCKED_ADDRESSES: tuple[tuple[str, Callable[[ipaddress._BaseAddress], bool]], ...] = (
    ("this machine, loopback", lambda a: a.is_loopback),
    ("unspecified", lambda a: a.is_unspecified),
    ("link-local", lambda a: a.is_link_local),
    ("a private range", lambda a: a.is_private),
    ("multicast", lambda a: a.is_multicast),
    ("reserved", lambda a: a.is_reserved),
    ("non-public", lambda a: not a.is_global),
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class BlockedAddress(Exception):
    """Raised inside a connection that reached an address it may not talk to (nothing was sent)."""


@dataclass(frozen=True)
class Fetched:
    status: int  # 200, or 304 when a conditional GET found nothing new
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    url: str = ""  # where the body came from, after redirects


def embedded_ipv4(address: ipaddress._BaseAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries (::ffff:a.b.c.d, 64:ff9b::a.b.c.d, 6to4, Teredo, ::a.b.c.d)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    return None


def blocked_kind(text: str) -> str | None:
    """Why this address is not public ("" never), or None when it is an ordinary public address."""
    try:
        address = ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return "an unreadable address"
    for candidate in (embedded_ipv4(address), address):  # the IPv4 inside names the kind best
        if candidate is None:
            continue
        for label, test in BLOCKED_ADDRESSES:
            if test(candidate):
                return label
    return None


@dataclass(frozen=True)
class Hop:
    url: str
    host: str
    port: int
    proxied: bool
    may_be_private: bool


def parse_hop(url: str, may_be_private: bool) -> Hop:
    """The hop as the HTTP library will see it, refused with one line when it is not a plain http(s) URL."""
    if len(url) > MAX_URL_CHARS:
        raise LoadError(f"{url[:80]}…: the URL is over {MAX_URL_CHARS:,} characters", kind="bad URL")
    if any(ch.isspace() or ord(ch) < 32 or 0x7f <= ord(ch) < 0xa0 for ch in url):
        raise LoadError(f"{url}: the URL contains spaces or control characters", kind="bad URL")
    prepared = requests.models.PreparedRequest()
    try:
        prepared.prepare_url(url, None)
        parsed = parse_url(prepared.url)
    except (requests.RequestException, LocationParseError, ValueError, UnicodeError):
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme and scheme not in ALLOWED_SCHEMES:
            raise LoadError(f"{url}: only http(s) URLs can be fetched, not {scheme}:", kind="not http(s)") from None
        if not scheme:
            raise LoadError(f"{url}: only http(s) URLs can be fetched, like https://example.com/rss",
                            kind="not http(s)") from None
        if not urlsplit(url).netloc:
            raise LoadError(f"{url}: the URL has no host", kind="bad URL") from None
        raise LoadError(f"{url}: not a URL that can be fetched", kind="bad URL") from None
    scheme = (parsed.scheme or "").lower()
    if scheme not in ALLOWED_SCHEMES:
        raise LoadError(f"{url}: only http(s) URLs can be fetched, not {scheme or 'no scheme'}:", kind="not http(s)")
    if not parsed.host:
        raise LoadError(f"{url}: the URL has no host", kind="bad URL")
    if parsed.auth is not None or "\\" in url.split("?", 1)[0]:
        raise LoadError(f"{url}: user names, passwords or backslashes in URLs are not accepted", kind="bad URL")
    host = parsed.host.strip("[]").lower()
    port = parsed.port or (443 if scheme == "https" else 80)
    proxy = requests.utils.select_proxy(prepared.url, requests.utils.get_environ_proxies(prepared.url))
    return Hop(prepared.url, host, port, bool(proxy), may_be_private)


def feed_url(url: str) -> str:
    """A URL the user subscribes to, as it will be fetched: checked like a first hop (it may be private)."""
    return parse_hop(url.strip(), may_be_private=True).url


def check_hop(hop: Hop) -> None:
    """Refuse the hop before connecting when its host resolves to an address it may not reach."""
    if hop.may_be_private:
        return
    try:
        infos = socket.getaddrinfo(hop.host, hop.port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        if hop.proxied:
            return  # the proxy resolves the name; its answer cannot be seen from here
        raise LoadError(f"{hop.url}: unreachable (the host name {hop.host!r} is not found)", kind="unreachable") from None
    for info in infos:
        kind = blocked_kind(str(info[4][0]))
        if kind:
            raise LoadError(f"{hop.url}: points at a private network address ({kind}; setting allow_private_urls)", kind="private address")


def _checked_pools(check: Callable[[str], str | None]) -> dict:
    """Connection pools whose new connections are refused when the peer they reached is not allowed."""

    def connect_checked(connection, new_conn):
        sock = new_conn()
        try:
            peer = sock.getpeername()[0]
        except OSError:
            return sock
        kind = check(str(peer))
        if kind:
            sock.close()
            raise BlockedAddress(f"{connection.host} reached {kind}")
        return sock

    class CheckedHTTPConnection(HTTPConnection):
        def _new_conn(self):
            return connect_checked(self, super()._new_conn)

    class CheckedHTTPSConnection(HTTPSConnection):
        def _new_conn(self):
            return connect_checked(self, super()._new_conn)

    class CheckedHTTPPool(HTTPConnectionPool):
        ConnectionCls = CheckedHTTPConnection

    class CheckedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = CheckedHTTPSConnection

    return {"http": CheckedHTTPPool, "https": CheckedHTTPSPool}


class CheckedAdapter(HTTPAdapter):
    """requests' adapter with the peer check on every direct connection (proxied ones reach the proxy)."""

    def __init__(self):
        self.may_be_private = True  # set per hop by the fetcher
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _checked_pools(
            lambda peer: None if self.may_be_private else blocked_kind(peer))


def origin(hop: Hop) -> tuple[str, int]:
    return hop.host, hop.port


def fetch(url: str, limits: Limits, allow_private: bool = True) -> tuple[bytes, str]:
    """GET a URL within the limits; returns (body, content type) or raises LoadError with a one-line reason."""
    result = fetch_conditional(url, limits, allow_private)
    return result.body, result.content_type


def fetch_conditional(url: str, limits: Limits, allow_private: bool = True, etag: str | None = None,
                      last_modified: str | None = None) -> Fetched:
    """GET with If-None-Match / If-Modified-Since when known (a 304 costs nothing), within the limits.

    `allow_private`: the URL itself may point anywhere (the user typed it), and so may redirects on
    its host and port; any other hop follows limits.allow_private_urls. A server that trickles bytes
    never trips the per-read timeout, so the download runs in a worker thread and is abandoned at
    the deadline (the worker ends with the connection).
    """
    first = parse_hop(url, allow_private or limits.allow_private_urls)
    check_hop(first)
    outcome: list = []
    stop = threading.Event()
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    def work() -> None:
        try:
            outcome.append(_download(first, limits, stop, headers))
        except BaseException as exc:  # handed to the caller below
            outcome.append(exc)

    worker = threading.Thread(target=work, daemon=True, name="fetch")
    worker.start()
    worker.join(limits.deadline)
    if worker.is_alive():
        stop.set()
        raise LoadError(f"{url}: took longer than {limits.deadline:.0f} s (setting fetch_deadline)", kind="timed out")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _download(first: Hop, limits: Limits, stop: threading.Event, headers: dict) -> Fetched:
    adapter = CheckedAdapter()
    with requests.Session() as session:
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        hop = first
        for _ in range(MAX_REDIRECTS + 1):
            adapter.may_be_private = hop.may_be_private
            response = _get(session, hop, limits, headers)
            if response.status_code not in REDIRECT_STATUSES:
                with response:
                    return _read(response, hop, limits, stop)
            location = response.headers.get("location", "")
            response.close()
            if not location:
                raise LoadError(f"{hop.url}: HTTP {response.status_code} redirect without a Location", kind="bad redirect")
            target = urljoin(hop.url, location.encode("latin-1", "replace").decode("utf-8", "replace").strip())
            target = target.replace(" ", "%20")  # what a browser sends for a sloppy Location
            trusted = first.may_be_private and (target_origin(target) == origin(first))
            try:
                hop = parse_hop(target, trusted or limits.allow_private_urls)
                check_hop(hop)
            except LoadError as exc:  # name what the user gave, then the hop that was refused
                reason = str(exc).split(": ", 1)[-1]
                raise LoadError(f"{first.url}: redirected to {target[:300]}: {reason}", kind=exc.kind) from None
            headers = {"User-Agent": headers["User-Agent"]}  # validators belong to the first URL only
            if stop.is_set():
                raise LoadError(f"{first.url}: stopped at the deadline", kind="timed out")
    raise LoadError(f"{first.url}: more than {MAX_REDIRECTS} redirects", kind="too many redirects")


def target_origin(url: str) -> tuple[str, int] | None:
    try:
        parsed = parse_url(url)
    except (LocationParseError, ValueError):
        return None
    scheme = (parsed.scheme or "").lower()
    return (parsed.host or "").strip("[]").lower(), parsed.port or (443 if scheme == "https" else 80)


def _get(session: requests.Session, hop: Hop, limits: Limits, headers: dict) -> requests.Response:
    try:
        return session.get(hop.url, timeout=limits.timeout, headers=headers, stream=True, allow_redirects=False)
    except BlockedAddress as exc:
        kind = str(exc).split(" reached ", 1)[1]
        raise LoadError(f"{hop.url}: points at a private network address ({kind}; setting allow_private_urls)",
                        kind="private address") from None
    except requests.exceptions.Timeout:
        raise LoadError(f"{hop.url}: unreachable (no answer within {limits.timeout:g} s, setting fetch_timeout)",
                        kind="timed out") from None
    except requests.RequestException as exc:
        reason = type(exc).__name__.replace("Error", " error").strip()
        raise LoadError(f"{hop.url}: unreachable ({reason})", kind="unreachable") from None


def _read(response: requests.Response, hop: Hop, limits: Limits, stop: threading.Event) -> Fetched:
    url = hop.url
    if response.status_code >= 400:
        raise LoadError(f"{url}: HTTP {response.status_code}", kind=f"HTTP {response.status_code}")
    if response.status_code == 304:
        return Fetched(304, b"", "", response.headers.get("etag"), response.headers.get("last-modified"), url)
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limits.max_bytes:
        raise LoadError(f"{url}: {int(declared):,} bytes is over the {limits.max_bytes:,}-byte limit "
                        "(setting max_article_bytes)", kind="too large")
    body = bytearray()
    try:
        for block in response.iter_content(16384):  # decompressed: a gzip bomb stops at the cap
            body.extend(block)
            if len(body) > limits.max_bytes:
                raise LoadError(f"{url}: over the {limits.max_bytes:,}-byte limit (setting max_article_bytes)",
                                kind="too large")
            if stop.is_set():
                break
    except requests.RequestException as exc:
        reason = type(exc).__name__.replace("Error", " error").strip()
        raise LoadError(f"{url}: the download broke off ({reason})", kind="unreachable") from None
    return Fetched(response.status_code, bytes(body), response.headers.get("content-type", ""),
                   response.headers.get("etag"), response.headers.get("last-modified"), url)
