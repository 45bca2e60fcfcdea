"""The Feeds tab: subscribe, see each feed's last fetch and what went wrong, unsubscribe.

The subscriptions live in the follow database (assistant/follow/database.py); `serve` fetches them on its
schedule (update_every_minutes), like `assistant update` does from the command line.
"""

from __future__ import annotations

from datetime import datetime, timezone

import gradio as gr

from assistant.web.common import PageServices, cell, first_line

FEED_COLUMNS = ("name", "url", "last fetch", "status", "items", "problem")
FEED_COLUMN_WIDTHS = ["20%", "30%", "14%", "9%", "7%", "20%"]


def problems_by_url(database) -> dict[str, list[str]]:
    """What the feed-health check says about each feed (failing, unusually quiet, pages skipped), if it is there."""
    try:
        from assistant.follow.health import feed_health
    except ImportError:
        return {}
    found: dict[str, list[str]] = {}
    for problem in feed_health(database, datetime.now(timezone.utc)):
        found.setdefault(problem.url, []).append(f"{problem.reason} (since {problem.since})")
    return found


def feed_rows(services: PageServices):
    """The feeds table, the remove choices and a message ("" when all went well)."""
    try:
        database = services.follow_db()
        feeds = database.feeds()
        problems = problems_by_url(database) if feeds else {}
    except Exception as exc:  # a busy or damaged follow database: one line on the page
        return [], gr.update(choices=[], value=None), f"⚠️ {first_line(exc)}"
    rows = []
    for feed in feeds:
        problem = "; ".join(problems.get(feed.url, [])) or (f"error: {feed.last_error}" if feed.last_error else "")
        rows.append([feed.name or "(title after the first fetch)", feed.url,
                     (feed.last_fetch or "never")[:16].replace("T", " "), feed.last_status or "", feed.items, problem])
    choices = [(f"{feed.title[:80]} ({feed.url[:80]})", str(feed.id)) for feed in feeds]
    return rows, gr.update(choices=choices, value=None), "" if feeds else "No subscriptions yet: add a feed's URL above."


def build_feeds_tab(services: PageServices, destructive_api: bool):
    """The tab's components; returns (table, remove choices, message) for the page to fill on load."""
    from assistant.follow.database import FeedError, FollowDatabaseError

    def listed():
        return feed_rows(services)

    def add(url: str, name: str):
        url = (url or "").strip()
        if not url:
            return *listed()[:2], "Paste a feed's http(s) URL first.", gr.update(), gr.update()
        try:
            feed = services.follow_db().add_feed(url, (name or "").strip())
        except (FeedError, FollowDatabaseError) as exc:
            return *listed()[:2], f"⚠️ {cell(first_line(exc))}", gr.update(), gr.update()
        every = services.settings.update_every_minutes
        return (*listed()[:2], f"Subscribed to **{cell(feed.title)}**; the page's schedule fetches it within "
                f"{every} minutes (or run `assistant update`).", "", "")

    def remove(feed_id: str | None):
        if not feed_id:
            return *listed()[:2], "Choose a feed to remove."
        try:
            feed = services.follow_db().remove_feed(feed_id)
        except (FeedError, FollowDatabaseError) as exc:
            return *listed()[:2], f"⚠️ {cell(first_line(exc))}"
        return *listed()[:2], f"Unsubscribed from **{cell(feed.title)}** (its articles stay in the library)."

    gr.Markdown("Feeds are fetched on the page's schedule (every `update_every_minutes`) and by `assistant update`; "
                "their new items go into the library.")
    with gr.Row():
        url_box = gr.Textbox(label="Feed URL (RSS or Atom)", placeholder="https://example.com/rss.xml", elem_id="feed-url",
                             scale=3)
        name_box = gr.Textbox(label="Name (optional: default the feed's own title)", elem_id="feed-name", scale=2)
        add_button = gr.Button("Subscribe", variant="primary", elem_id="feed-add", scale=0, min_width=140)
    message = gr.Markdown(elem_id="feed-message")
    table = gr.Dataframe(headers=list(FEED_COLUMNS), interactive=False, elem_id="feeds", wrap=True,
                         column_widths=FEED_COLUMN_WIDTHS)
    with gr.Row():
        chosen = gr.Dropdown(choices=[], label="Feed to remove", elem_id="feed-choice", scale=4)
        remove_button = gr.Button("Unsubscribe", variant="stop", elem_id="feed-remove", scale=0, min_width=140)
        refresh = gr.Button("Refresh", elem_id="feed-refresh", scale=0, min_width=110)
    visibility = "public" if destructive_api else "private"  # writes are open to API clients only behind the login
    add_button.click(add, [url_box, name_box], [table, chosen, message, url_box, name_box], api_name="feeds_add",
                     api_visibility=visibility)
    url_box.submit(add, [url_box, name_box], [table, chosen, message, url_box, name_box], api_name="feeds_add_enter",
                   api_visibility="private")
    remove_button.click(remove, [chosen], [table, chosen, message], api_name="feeds_remove", api_visibility=visibility)
    refresh.click(listed, None, [table, chosen, message], api_name="feeds")
    return table, chosen, message
