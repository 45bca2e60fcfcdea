"""Who may call the HTTP servers: anyone on this machine by default; a bearer token once one is set, and a
token is required before a server binds anything but a loopback address.

A server on loopback also checks the Host header. A website can rebind its own name to 127.0.0.1 (DNS
rebinding); the browser then sends that name as Host and as Origin, so an origin check alone passes and the
site's script reads and writes the local page. Only the loopback names and the names the user lists
(allowed_hosts, for a reverse proxy that keeps the public name) are answered.
"""

from __future__ import annotations

import hmac
import ipaddress
import json


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def host_name(header: str) -> str:
    """The name in a Host header, without its port and brackets, lower case."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def allowed_host_names(extra: str | None, bound: str = "") -> frozenset[str]:
    """The loopback names, the address the server is bound to (127.0.0.2 is loopback too) and the
    comma-separated names the user added."""
    names = [*LOOPBACK_NAMES, bound, *(extra or "").split(",")]
    return frozenset(host_name(name) for name in names if name.strip())


class LoopbackHostGuard:
    """ASGI middleware for a server bound to loopback: a request whose Host is not a loopback name or an allowed
    name is refused (421) before the app sees it, reads included; a request without Host (HTTP/1.0) passes."""

    def __init__(self, app, allowed: frozenset[str], setting: str = "allowed_hosts"):
        self.app = app
        self.allowed = allowed
        self.setting = setting

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        raw = dict(scope.get("headers") or []).get(b"host")
        name = host_name(raw.decode("latin-1")) if raw else ""
        if not raw or name in self.allowed or name.endswith(".localhost"):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        body = (f"this server answers to {', '.join(sorted(self.allowed))} only, not {name!r}: "
                f"add the name to {self.setting} if a proxy of yours sends it").encode()
        await send({"type": "http.response.start", "status": 421,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def bind_problem(host: str, token: str | None) -> str:
    """Why the server must not start on this host ("" when it may)."""
    if is_loopback(host) or token:
        return ""
    return (f"--host {host} is reachable from other machines: set api_token (ASSISTANT_API_TOKEN) so callers "
            "must send it as a bearer token, or bind 127.0.0.1")


class BearerGuard:
    """ASGI middleware: with a token, every HTTP request must carry `Authorization: Bearer <token>`."""

    def __init__(self, app, token: str | None):
        self.app = app
        self.expected = f"Bearer {token}".encode() if token else None

    async def __call__(self, scope, receive, send):
        if self.expected is None or scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        given = dict(scope.get("headers") or []).get(b"authorization", b"")
        if hmac.compare_digest(given, self.expected):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        body = json.dumps({"error": {"message": "missing or wrong bearer token (Authorization: Bearer <api_token>)",
                                     "type": "unauthorized", "code": 401}}).encode()
        await send({"type": "http.response.start", "status": 401,
                    "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
