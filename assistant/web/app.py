"""The Gradio page: one builder per tab (chat, briefing, library, feeds), a header with the live article count and
what is new since this browser's last visit, and the server in front of it (assistant/web/guard.py)."""

from __future__ import annotations

from datetime import datetime, timezone

import gradio as gr

from assistant.settings import Settings
from assistant.web.briefing_tab import archive_days, build_briefing_tab
from assistant.web.chat_tab import build_chat_tab, example_questions
from assistant.web.common import PageConfigError, PageError, PageServices, cell, page_inputs, uploaded_path
from assistant.web.feeds_tab import build_feeds_tab, feed_rows
from assistant.web.library_tab import build_library_tab, library_rows
from assistant.web.render import PAGE_CSS, PAGE_HEAD
from assistant.web.stories_tab import build_stories_tab

__all__ = ["PageConfigError", "PageError", "PageServices", "build_app", "page_auth", "page_inputs", "serve",
           "uploaded_path"]
MAX_LISTED_NEW = 10


def header_text(rows: list[dict], previous_visit: str | None) -> str:
    """The article count, and what came into the library since the previous visit (by when it was added, so that
    an article uploaded a minute ago counts, whatever day it was published)."""
    count = f"**{len(rows)} article{'s' if len(rows) != 1 else ''} in the library.**"
    if not previous_visit:
        return count
    when = previous_visit[:16].replace("T", " ")
    fresh = [r for r in rows if max(r.get("added") or "", r.get("published") or "") > previous_visit]
    if not fresh:
        return f"{count} Nothing new since your last visit ({when} UTC)."
    listed = "\n".join(f"- {cell(r['title'])} — {cell(r['outlet'])}, {r['date'] or 'undated'}" for r in fresh[:MAX_LISTED_NEW])
    more = f"\n- … and {len(fresh) - MAX_LISTED_NEW} more" if len(fresh) > MAX_LISTED_NEW else ""
    return f"{count} **{len(fresh)} new since your last visit** ({when} UTC):\n{listed}{more}"


def build_app(settings: Settings, services) -> gr.Blocks:
    """The page over `services`, the parts the caller built (the CLI's context; tests hand in stand-in models)."""
    page = PageServices(settings, services)
    destructive_api = page_auth(settings) is not None  # delete and unsubscribe as API calls only behind a login

    def rows() -> list[dict]:
        try:
            return page.articles()
        except Exception:  # an unreachable store shows up when the reader asks, not in the header
            return []

    def outlets(found: list[dict]) -> list[str]:
        return sorted({r["outlet"] for r in found})

    def on_load(last_visit: str | None):
        """Everything the page shows from the store, once per visit; the visit before this one is kept for the header."""
        found = rows()
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        table, choices = library_rows(page)
        feeds_table, feed_choices, feeds_message = feed_rows(page)
        return (header_text(found, last_visit), now, last_visit or "", gr.update(examples=example_questions(page, found) or None),
                gr.update(choices=outlets(found)), table, choices, gr.update(choices=archive_days(page)),
                feeds_table, feed_choices, feeds_message)

    def after_change(previous_visit: str):
        """After an ingest or a delete: the count, what is new, the outlets and the example questions."""
        found = rows()
        return (header_text(found, previous_visit or None), gr.update(choices=outlets(found)),
                gr.update(examples=example_questions(page, found) or None))

    with gr.Blocks(title="News assistant") as demo:
        gr.Markdown("## News assistant\nAsk about your articles; every claim cites its passage. "
                    "Ask “summarize …” for an article or a topic over time.")
        last_visit = gr.BrowserState(None, storage_key="news-assistant-last-visit")
        previous_visit = gr.State("")
        header = gr.Markdown(elem_id="library-count")
        with gr.Tab("Chat", id="chat"):
            chat = build_chat_tab(page)
        with gr.Tab("Briefing", id="briefing"):
            archived = build_briefing_tab(page)
        build_stories_tab(page)  # its own tab (assistant/web/stories_tab.py)
        with gr.Tab("Library", id="library"):
            library = build_library_tab(page, destructive_api)
        with gr.Tab("Feeds", id="feeds"):
            feeds_table, feed_choices, feeds_message = build_feeds_tab(page, destructive_api)
        refreshed = [header, chat.outlets, chat.chatbot]
        for event, name in ((library.ingested, "after_ingest"), (library.deleted, "after_delete")):
            event.then(after_change, [previous_visit], refreshed, api_name=name, api_visibility="private")
        demo.load(on_load, [last_visit], [header, last_visit, previous_visit, chat.chatbot, chat.outlets, library.table,
                                          library.to_delete, archived, feeds_table, feed_choices, feeds_message],
                  api_name="page_load", api_visibility="private")
    return demo


def page_auth(settings: Settings) -> tuple[str, str] | None:
    """The page's login, or None when it is open; half a login is an error, never a silently open page."""
    if bool(settings.web_username) != bool(settings.web_password):
        missing = "web_username" if not settings.web_username else "web_password"
        raise PageConfigError(f"{missing} is not set: the page needs both web_username and web_password, or neither")
    return (settings.web_username, settings.web_password) if settings.web_username else None


def launch_options(settings: Settings, host: str) -> dict:
    """Gradio's launch settings: uploads capped at max_article_bytes per file and accepted from the page's own
    origin only; no proxy between the server and its own start-up check."""
    from starlette.middleware import Middleware
    from assistant.api.guard import LoopbackHostGuard, allowed_host_names, is_loopback
    from assistant.web.guard import SameOriginUploads, loopback_without_proxy
    loopback_without_proxy(host)
    middleware = [Middleware(SameOriginUploads, max_bytes=settings.max_article_bytes)]
    if is_loopback(host):  # on loopback, a name other than this machine's is a rebound website's (docs/security.md)
        middleware.insert(0, Middleware(LoopbackHostGuard, allowed=allowed_host_names(settings.allowed_hosts, host)))
    return {"max_file_size": settings.max_article_bytes, "css": PAGE_CSS, "head": PAGE_HEAD, "show_error": False,
            "inbrowser": False, "app_kwargs": {"middleware": middleware}}


def serve(settings: Settings, host: str, port: int, services) -> None:
    auth = page_auth(settings)
    app = build_app(settings, services)
    app.queue(default_concurrency_limit=8).launch(server_name=host, server_port=port, auth=auth,
                                                  **launch_options(settings, host))
