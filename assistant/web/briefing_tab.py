"""The Briefing tab: write a cited briefing of a day (Markdown and HTML downloads), and read the archive."""

from __future__ import annotations

import gradio as gr

from assistant.web.common import PageServices, cell


def archive_days(services: PageServices) -> list[str]:
    from assistant.briefing.archive import archived_days
    return list(reversed(archived_days(services.settings)))


def build_briefing_tab(services: PageServices) -> gr.Dropdown:
    """The tab's components; returns the archive's day picker (the page fills it on load)."""
    settings = services.settings

    def show_archived(day: str):
        from assistant.briefing.archive import changes_since_previous, day_path
        if not day:
            return "Pick a day.", ""
        path = day_path(settings, day, "md")
        if not path.is_file():
            return f"⚠️ No briefing archived for {day}.", ""
        changes = changes_since_previous(settings, day)
        lines = [f"**Since {changes['previous']}:**" if changes.get("previous") else "**First briefing in the archive.**"]
        lines += [f"- 🆕 {cell(h)}" for h in changes.get("new", [])]
        lines += [f"- ↻ continuing: {cell(h)}" for h in changes.get("continuing", [])]
        lines += [f"- ✓ no longer in the news: {cell(h)}" for h in changes.get("gone", [])]
        return path.read_text(encoding="utf-8"), "\n".join(lines)

    def write_briefing(day_text: str, progress=gr.Progress(track_tqdm=True)):
        import tempfile
        from datetime import date as date_type
        from pathlib import Path
        from assistant.briefing.render import to_html, to_markdown
        from assistant.models.chat import ChatModelError
        try:
            day = date_type.fromisoformat(day_text.strip()) if day_text and day_text.strip() else None
        except ValueError:
            return f"⚠️ {day_text!r} is not a date like 2024-05-14.", None, None
        _, store = services.store()
        if store.count() == 0:
            return "⚠️ The library is empty: add articles in the Library tab first.", None, None
        try:
            result, _ = services.services.briefing(day, progress=True)
        except (ChatModelError, ValueError) as exc:
            return f"⚠️ {exc}", None, None
        folder = Path(tempfile.mkdtemp(prefix="briefing-"))
        md_path, html_path = folder / f"briefing-{result.day}.md", folder / f"briefing-{result.day}.html"
        markdown = to_markdown(result)
        md_path.write_text(markdown)
        html_path.write_text(to_html(result))
        return markdown, str(md_path), str(html_path)

    def refreshed_days():
        return gr.update(choices=archive_days(services))

    with gr.Row():
        day_box = gr.Textbox(label="Day (YYYY-MM-DD; empty = latest day with articles)", elem_id="briefing-day")
        generate = gr.Button("Write briefing", variant="primary", elem_id="briefing-go")
    briefing_view = gr.Markdown(elem_id="briefing-view")
    with gr.Row():
        md_file = gr.File(label="Markdown", elem_id="briefing-md")
        html_file = gr.File(label="HTML", elem_id="briefing-html")
    generate_event = generate.click(write_briefing, [day_box], [briefing_view, md_file, html_file], api_name="briefing",
                                    concurrency_limit=1, concurrency_id="model")
    with gr.Accordion("Archive", open=False, elem_id="archive"):
        with gr.Row():
            archived = gr.Dropdown(choices=[], label="Past briefings", elem_id="archive-day")
            refresh = gr.Button("Refresh", size="sm", elem_id="archive-refresh")
        archive_changes = gr.Markdown(elem_id="archive-changes")
        archive_view = gr.Markdown(elem_id="archive-view")
    archived.change(show_archived, [archived], [archive_view, archive_changes], api_name="archived_briefing")
    generate_event.then(refreshed_days, None, [archived], api_name="archive_days_after_briefing", api_visibility="private")
    refresh.click(refreshed_days, None, [archived], api_name="archive_days", api_visibility="private")
    return archived
