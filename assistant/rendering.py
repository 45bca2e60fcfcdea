"""HTML from Jinja2 templates (autoescaped), for the page, the briefing and the feeds.

Links from articles are untrusted: only http(s) URLs ever become a link.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlparse

import jinja2

from assistant.markers import MARKER, expand_marker


def safe_url(url: str | None) -> str:
    """The URL when it is a plain http(s) address, else "" (no javascript:, data:, file: links)."""
    if not url:
        return ""
    try:
        parsed = urlparse(str(url).strip())
    except ValueError:
        return ""
    return str(url).strip() if parsed.scheme in ("http", "https") and parsed.netloc else ""


def linked_markers(text: str) -> str:
    """Escape the text, then turn each [n] into an in-page link to source n."""
    from markupsafe import Markup, escape
    escaped = str(escape(text))
    return Markup(MARKER.sub(lambda m: "".join(f"<a class='cite' href='#src-{n}'>[{n}]</a>"
                                               for n in expand_marker(m.group(1))), escaped))


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("assistant", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["safe_url"] = safe_url
    env.filters["linked"] = linked_markers
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
