"""The page's story view: a day's stories as the story memory sees them (first report, outlets and days,
who covered them and who did not, each claim's ledger status with its citations) and failing feeds.

`build_stories_tab(services)` adds the tab; call it inside the page's `gr.Blocks` (app.py wires it in).
`services` is the page's PageServices or the product's Services, whose story_views does the reading. Gradio is
imported only when the tab is built, so the story logic below can be used (and tested) without it.
"""

from __future__ import annotations

from datetime import date


def day_or_latest(text: str, core) -> date | None:
    """The day typed in the box (YYYY-MM-DD), else the latest day with articles; ValueError for anything else."""
    from assistant.briefing.stories import latest_day
    text = (text or "").strip()
    if text:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a date like 2024-05-14") from None
    return latest_day(core.store, core.settings.briefing_timezone)


def stories_of_day(core, day_text: str) -> tuple[list[tuple[str, str]], dict[str, str], str]:
    """(choices, story id -> Markdown, feed problems Markdown) for the day; raises ValueError with a reader's message."""
    from assistant.briefing.continuity import feed_problems
    from assistant.stories.render import feed_problems_markdown, story_markdown
    if core.store.count() == 0:
        raise ValueError("The library is empty: add articles in the Library tab first.")
    day = day_or_latest(day_text, core)
    if day is None:
        raise ValueError("No dated articles in the library.")
    views = core.story_views(day)
    pages = {str(v.record.id): story_markdown(v) for v in views}
    choices = [(f"{v.record.headline} · {len(v.reports)} reports, {len(v.days)} days", str(v.record.id)) for v in views]
    return choices, pages, feed_problems_markdown(feed_problems(core.settings))


def build_stories_tab(services) -> None:
    """The "Stories" tab: pick a day, choose one of its stories, read its ledger."""
    import gradio as gr
    core = getattr(services, "services", services)

    def load(day_text: str):
        try:
            choices, pages, problems = stories_of_day(core, day_text)
        except (ValueError, OSError) as exc:
            return gr.update(choices=[], value=None), f"⚠️ {exc}", "", {}
        if not choices:
            return gr.update(choices=[], value=None), "No stories on this day.", problems, {}
        first = choices[0][1]
        return gr.update(choices=choices, value=first), pages[first], problems, pages

    def show(story_id: str, pages: dict):
        return pages.get(story_id or "", "Choose a story.")

    with gr.Tab("Stories", id="stories"):
        with gr.Row():
            day_box = gr.Textbox(label="Day (YYYY-MM-DD; empty = latest day with articles)", elem_id="stories-day")
            go = gr.Button("Show stories", variant="primary", elem_id="stories-go")
        choice = gr.Dropdown(choices=[], label="Story", elem_id="stories-choice")
        view = gr.Markdown(elem_id="stories-view")
        problems = gr.Markdown(elem_id="stories-feeds")
        pages = gr.State({})
        go.click(load, [day_box], [choice, view, problems, pages], concurrency_limit=1, concurrency_id="model",
                 api_name="stories")
        choice.change(show, [choice, pages], [view], api_name="story_view", api_visibility="private")
