"""What every tab of the page shares: the product's parts, page errors as messages, safe inputs and table cells."""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import urlparse

from assistant.settings import Settings


class PageError(RuntimeError):
    """Something the reader should see as a message, not a stack trace."""


class PageConfigError(RuntimeError):
    """The page's settings are unsafe or inconsistent (e.g. a password without a username)."""


class PageServices:
    """The product's parts, shared by every session (the model lock lives inside the model wrappers).

    `services` is the product's Services (assistant/services.py), built by whoever builds the page (web/app.py):
    the tabs call it and never import it, so the page's rooms do not stand on everything it assembles.
    """

    def __init__(self, settings: Settings, services):
        self.settings = settings
        self.services = services

    def store(self):
        return self.services.embeddings, self.services.store

    def chain(self):
        from assistant.models.chat import ChatModelError
        from assistant.startup import openai_backend_problem
        if self.services.store.count() == 0:
            raise PageError("The library is empty: add articles in the Library tab first.")
        problem = openai_backend_problem(self.settings)
        if problem:
            raise PageError(f"The chat model is not configured: {problem}")
        try:
            return self.services.answer_chain
        except ChatModelError as exc:
            raise PageError(f"The chat model is not available: {exc}") from None

    def articles(self) -> list[dict]:
        return [{"id": a.id, "title": a.title, "outlet": a.source, "date": (a.published_at or "")[:10], "chunks": a.chunks,
                 "published": a.published_at or "", "added": a.ingested_at or "", "url": a.url or ""}
                for a in self.services.store.list_articles()]

    def follow_db(self):
        return self.services.follow_db


def uploaded_path(item) -> Path | None:
    """The server path of a file uploaded through the page, or None when it lies outside Gradio's upload folder.

    The page must never read other files of the server it runs on, whatever path a client sends.
    """
    from gradio.utils import get_upload_folder
    raw = item if isinstance(item, str) else getattr(item, "path", None) or getattr(item, "name", None) or \
        (item.get("path") if isinstance(item, dict) else None)
    if not raw:
        return None
    path = Path(raw).resolve()
    folder = Path(get_upload_folder()).resolve()
    return path if path.is_relative_to(folder) and path.is_file() else None


def page_inputs(files, urls: str) -> tuple[list[str], list[str]]:
    """What the page may ingest (uploaded files, http(s) URLs) and one refusal line for anything else."""
    inputs, refused = [], []
    for item in files or []:
        path = uploaded_path(item)
        if path is None:
            refused.append(f"{Path(str(getattr(item, 'path', item))).name}: only files uploaded through this page can be ingested")
        else:
            inputs.append(str(path))
    for line in (urls or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.lower().startswith(("http://", "https://")):
            inputs.append(line)
        else:
            refused.append(f"{line[:80]}: only http(s) URLs can be ingested from the page")
    return inputs, refused


def input_label(origin: str) -> str:
    """How an ingested input is named in a table: a URL by its host and path, a file by its name."""
    if "://" in origin:
        parsed = urlparse(origin)
        label = (parsed.netloc + parsed.path).rstrip("/")
        return label if len(label) <= 80 else label[:50] + "…" + label[-29:]
    return Path(origin).name


def cell(text: str) -> str:
    """Text for a Markdown table cell: no pipes, no line breaks, no raw HTML."""
    return html.escape(str(text)).replace("|", "/").replace("\n", " ")[:160]


def parse_day(value: str, name: str):
    from assistant.ingest.sources.common import LoadError, parse_datetime
    if not value or not value.strip():
        return None
    try:
        return parse_datetime(value.strip(), name)
    except LoadError as exc:
        raise PageError(str(exc)) from None


def first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
