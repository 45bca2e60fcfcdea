"""Who may call the HTTP servers: anyone on this machine by default; a bearer token once one is set, and a
token is required before a server binds anything but a loopback address."""

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
