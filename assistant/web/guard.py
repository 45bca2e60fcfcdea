"""What stands in front of the page's server: writes only from the page's own origin, uploads of bounded size,
and a start-up that proxies in the environment do not break.

A browser tab on another site can POST to the page (a plain form or multipart post needs no CORS preflight),
so every state-changing request that says where it comes from must come from the page itself; a request with
no Origin (the Gradio client, curl) is not a browser acting on someone else's behalf and passes.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

from starlette.responses import PlainTextResponse

from assistant.api.guard import LOOPBACK_NAMES

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_FILES_PER_UPLOAD = 20  # with max_article_bytes each: what one upload request may carry at most


class SameOriginUploads:
    """ASGI middleware: cross-origin writes get 403, uploads larger than the cap get 413 before they are read."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] in WRITE_METHODS:
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            refusal = self.refusal(scope, headers)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def refusal(self, scope, headers: dict[str, str]):
        origin = headers.get("origin")
        # behind a reverse proxy the Host may be rewritten; the proxy's X-Forwarded-Host names what the browser saw
        hosts = [headers.get("host", "")] + [h.strip() for h in headers.get("x-forwarded-host", "").split(",") if h.strip()]
        if origin is not None and not any(same_origin(origin, host) for host in hosts):
            return PlainTextResponse("cross-origin requests are refused", status_code=403)
        if headers.get("sec-fetch-site") in ("cross-site", "same-site"):
            return PlainTextResponse("cross-site requests are refused", status_code=403)
        if scope.get("path", "").endswith("/upload"):
            try:
                length = int(headers.get("content-length", "0") or 0)
            except ValueError:
                return PlainTextResponse("bad Content-Length", status_code=400)
            if length > self.max_bytes * MAX_FILES_PER_UPLOAD + 65_536:
                return PlainTextResponse(f"upload larger than {self.max_bytes * MAX_FILES_PER_UPLOAD:,} bytes",
                                         status_code=413)
        return None


def same_origin(origin: str, host: str) -> bool:
    """Whether an Origin header names the host (and port) the request was sent to."""
    sent_from = urlparse(origin)
    if sent_from.scheme not in ("http", "https") or not sent_from.hostname:
        return False  # "null" (a sandboxed frame, a file:// page) and anything odd
    sent_to = urlparse(f"//{host}")
    default = 443 if sent_from.scheme == "https" else 80
    try:
        return (sent_from.hostname, sent_from.port or default) == (sent_to.hostname, sent_to.port or default)
    except ValueError:  # a port that is not a number
        return False


def loopback_without_proxy(host: str) -> None:
    """Gradio checks its own URL at start-up with an HTTP client that honours http_proxy: the page's own address
    and loopback must bypass any proxy, or the check fails and the page never starts."""
    wanted = [*LOOPBACK_NAMES, host] if host not in ("0.0.0.0", "::", "") else list(LOOPBACK_NAMES)
    present: list[str] = []
    for name in ("NO_PROXY", "no_proxy"):  # HTTP clients read one or the other: both get the same list
        present += [part.strip() for part in os.environ.get(name, "").split(",") if part.strip() and part.strip() not in present]
    value = ",".join(present + [h for h in wanted if h not in present])
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = value
