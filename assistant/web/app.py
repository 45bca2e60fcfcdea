"""The Gradio page: chat with clickable sources, the daily briefing, and the library (ingest, list, delete)."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from assistant.qa.answer import AnswerChain, AnswerResult
from assistant.records import SearchFilters
from assistant.services import build_services
from assistant.settings import Settings
from assistant.qa.followups import suggest, summary_request
from assistant.web.render import PAGE_CSS, PAGE_HEAD, link_markers, passages_html, sources_html, summary_markdown


class PageError(RuntimeError):
    """Something the reader should see as a message, not a stack trace."""


class PageConfigError(RuntimeError):
    """The page's settings are unsafe or inconsistent (e.g. a password without a username)."""


class PageServices:
    """The product's parts, shared by every session (the model lock lives inside the model wrappers)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.services = build_services(settings)

    def store(self):
        return self.services.embeddings, self.services.store

    def chain(self) -> AnswerChain:
        from assistant.models.chat import ChatModelError
        if self.services.store.count() == 0:
            raise PageError("The library is empty: add articles in the Library tab first.")
        try:
            return self.services.answer_chain
        except ChatModelError as exc:
            raise PageError(f"The chat model is not available: {exc}") from None

    def articles(self) -> list[dict]:
        return [{"id": a.id, "title": a.title, "outlet": a.source, "date": (a.published_at or "")[:10], "chunks": a.chunks,
                 "published": a.published_at or ""} for a in self.services.store.list_articles()]


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


def cell(text: str) -> str:
    """Text for a Markdown table cell: no pipes, no line breaks, no raw HTML."""
    import html
    return html.escape(str(text)).replace("|", "/").replace("\n", " ")[:160]


def parse_day(value: str, name: str):
    from assistant.ingest.sources.common import LoadError, parse_datetime
    if not value or not value.strip():
        return None
    try:
        return parse_datetime(value.strip(), name)
    except LoadError as exc:
        raise PageError(str(exc)) from None


def build_app(settings: Settings) -> gr.Blocks:
    services = PageServices(settings)

    def outlets() -> list[str]:
        try:
            return sorted({row["outlet"] for row in services.articles()})
        except Exception:  # an unreachable store shows up when the reader asks, not at page load
            return []

    def respond(message: str, chat: list, history: list, chosen: list, since: str, until: str):
        message = (message or "").strip()
        if not message:
            yield chat, history, gr.update(), gr.update(), "", gr.update()
            return
        chat = list(chat or []) + [{"role": "user", "content": message}, {"role": "assistant", "content": "…"}]
        yield chat, history, gr.update(), "", "", gr.update(samples=[])
        try:
            filters = SearchFilters(sources=tuple(chosen or ()), since=parse_day(since, "since"), until=parse_day(until, "until"))
            chain = services.chain()
            asked_for = summary_request(message)
            if asked_for is not None:
                summary = services.services.summary_for(*asked_for, filters=filters)
                passages = getattr(summary, "passages", None) or summary.sources
                chat[-1] = {"role": "assistant", "content": summary_markdown(summary)}
                history = list(history) + [{"role": "user", "content": message}, {"role": "assistant", "content": chat[-1]["content"]}]
                yield chat, history, passages_html(passages), f"Summary of: *{asked_for[1]}*", "", gr.update(samples=[])
                return
            result, partial = None, ""
            for item in chain.stream(message, history, filters):
                if isinstance(item, AnswerResult):
                    result = item
                else:
                    partial += item
                    chat[-1] = {"role": "assistant", "content": partial}
                    yield chat, history, gr.update(), gr.update(), "", gr.update()
        except (PageError, ValueError) as exc:
            chat[-1] = {"role": "assistant", "content": f"⚠️ {exc}"}
            yield chat, history, gr.update(), "", "", gr.update()
            return
        except Exception as exc:  # the model or the store failed mid-answer: say so in one line
            chat[-1] = {"role": "assistant", "content": f"⚠️ Could not answer: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"}
            yield chat, history, gr.update(), "", "", gr.update()
            return
        assert result is not None
        valid = {c.n for c in result.checked.citations} if result.checked and not result.refused else set()
        chat[-1] = {"role": "assistant", "content": link_markers(result.answer, valid)}
        history = list(history) + [{"role": "user", "content": message}, {"role": "assistant", "content": result.answer}]
        searched = f"Searched for: *{result.query}*"
        cited = [c.passage for c in result.checked.citations] if valid else []
        followups = [[q] for q in suggest(result.query, cited)]
        yield chat, history, sources_html(result), searched, "", gr.update(samples=followups)

    def archive_days():
        from assistant.briefing.archive import archived_days
        return list(reversed(archived_days(settings)))

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

    def new_since(last_visit: str | None):
        """What was published since this browser last looked (kept in the browser's own storage)."""
        from datetime import datetime, timezone
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            rows = services.articles()
        except Exception:
            return "", now
        if not last_visit:
            return f"{len(rows)} articles in the library.", now
        fresh = [r for r in rows if (r.get("published") or "") > last_visit]
        if not fresh:
            return f"Nothing new since your last visit ({last_visit[:16].replace('T', ' ')} UTC).", now
        listed = "\n".join(f"- {cell(r['title'])} — {cell(r['outlet'])}, {r['date']}" for r in fresh[:10])
        return f"**{len(fresh)} new since your last visit:**\n{listed}", now

    def articles_table(query: str = ""):
        try:
            rows = services.articles()
        except Exception as exc:
            return [[f"⚠️ {exc}", "", "", 0, ""]], gr.update(choices=[])
        query = (query or "").lower().strip()
        if query:
            rows = [r for r in rows if query in r["title"].lower() or query in r["outlet"].lower()]
        table = [[r["title"], r["outlet"], r["date"], r["chunks"], r["id"]] for r in rows]
        return table, gr.update(choices=[(f"{r['title']} ({r['outlet']})", r["id"]) for r in rows], value=None)

    def run_ingest(files, urls: str, progress=gr.Progress()):
        from assistant.ingest.pipeline import ingest_articles, load_articles
        from assistant.store import IndexBusyError
        inputs, refused = page_inputs(files, urls)
        if not inputs and not refused:
            return "Nothing to ingest: upload files or paste URLs.", *articles_table(), gr.update(choices=outlets())
        embeddings, store = services.store()
        progress(0, desc="Reading inputs")
        articles, errors = load_articles(inputs, settings, typed_by_user=False)
        errors = refused + errors
        try:
            outcomes = ingest_articles(articles, store, embeddings, settings, progress=False) if articles else []
        except IndexBusyError as exc:
            return f"⚠️ {exc}", *articles_table(), gr.update(choices=outlets())
        lines = ["| input | article | result |", "|---|---|---|"]
        for o in outcomes:
            lines.append(f"| {cell(Path(o.origin).name)} | {cell(o.title)} | {o.status} ({o.chunks} chunks) |")
        for error in errors:
            where, _, reason = error.partition(": ")
            lines.append(f"| {cell(where.split('/')[-1])} | | failed: {cell(reason)} |")
        counts = {s: sum(1 for o in outcomes if o.status == s) for s in ("new", "updated", "unchanged")}
        summary = f"**{counts['new']} new, {counts['updated']} updated, {counts['unchanged']} unchanged, {len(errors)} failed**"
        return summary + "\n\n" + "\n".join(lines), *articles_table(), gr.update(choices=outlets())

    def delete(article_id: str, query: str):
        if not article_id:
            return "Choose an article to delete.", *articles_table(query)
        from assistant.store import IndexBusyError
        _, store = services.store()
        try:
            removed = store.delete_article(article_id)  # takes the store's write lock, like every writer
        except IndexBusyError as exc:
            return f"⚠️ {exc}", *articles_table(query)
        return f"Deleted {removed} chunks.", *articles_table(query)

    def write_briefing(day_text: str, progress=gr.Progress(track_tqdm=True)):
        import tempfile
        from datetime import date as date_type
        from assistant.briefing.render import to_html, to_markdown
        from assistant.models.chat import ChatModelError
        try:
            day = date_type.fromisoformat(day_text.strip()) if day_text and day_text.strip() else None
        except ValueError:
            return f"⚠️ {day_text!r} is not a date like 2024-05-14.", None, None
        embeddings, store = services.store()
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

    with gr.Blocks(title="News assistant") as demo:
        gr.Markdown("## News assistant\nAsk about your articles; every claim cites its passage. "
                    "Ask “summarize …” for an article or a topic over time.")
        last_visit = gr.BrowserState(None, storage_key="news-assistant-last-visit")
        whats_new = gr.Markdown(elem_id="whats-new")
        with gr.Tab("Chat", id="chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(label="Conversation", height=460, elem_id="chat")
                    question = gr.Textbox(label="Question", placeholder="Ask about the articles and press Enter",
                                          elem_id="question")
                    searched = gr.Markdown(elem_id="searched")
                    followups = gr.Dataset(components=[gr.Textbox(visible=False)], samples=[], label="Suggested follow-ups",
                                           elem_id="followups")
                    with gr.Accordion("Filters", open=False):
                        with gr.Row():
                            chosen = gr.Dropdown(choices=[], multiselect=True, label="Outlets", elem_id="outlets")
                            since = gr.Textbox(label="Since (YYYY-MM-DD)", elem_id="since")
                            until = gr.Textbox(label="Until (YYYY-MM-DD)", elem_id="until")
                    clear = gr.Button("New conversation", size="sm")
                with gr.Column(scale=2):
                    gr.Markdown("### Sources")
                    sources = gr.HTML("<div class='sources-empty'>Cited passages appear here.</div>", elem_id="sources")
            history = gr.State([])
            # one answer at a time (the model runs alone on 2 cores); waiting readers are served in order and see
            # their place in the queue, and each answer streams as soon as its turn starts
            question.submit(respond, [question, chatbot, history, chosen, since, until],
                            [chatbot, history, sources, searched, question, followups], concurrency_limit=1,
                            concurrency_id="model")
            followups.click(lambda sample: sample[0], followups, question).then(
                respond, [question, chatbot, history, chosen, since, until],
                [chatbot, history, sources, searched, question, followups], concurrency_limit=1, concurrency_id="model")
            clear.click(lambda: ([], [], "", "", gr.update(samples=[])), None, [chatbot, history, sources, searched, followups])
        with gr.Tab("Briefing", id="briefing"):
            with gr.Row():
                day_box = gr.Textbox(label="Day (YYYY-MM-DD; empty = latest day with articles)", elem_id="briefing-day")
                generate = gr.Button("Write briefing", variant="primary", elem_id="briefing-go")
            briefing_view = gr.Markdown(elem_id="briefing-view")
            with gr.Row():
                md_file = gr.File(label="Markdown", elem_id="briefing-md")
                html_file = gr.File(label="HTML", elem_id="briefing-html")
            generate_event = generate.click(write_briefing, [day_box], [briefing_view, md_file, html_file],
                                            concurrency_limit=1, concurrency_id="model")
            with gr.Accordion("Archive", open=False, elem_id="archive"):
                with gr.Row():
                    archived = gr.Dropdown(choices=[], label="Past briefings", elem_id="archive-day")
                    refresh = gr.Button("Refresh", size="sm", elem_id="archive-refresh")
                archive_changes = gr.Markdown(elem_id="archive-changes")
                archive_view = gr.Markdown(elem_id="archive-view")
            archived.change(show_archived, [archived], [archive_view, archive_changes])
            generate_event.then(lambda: gr.update(choices=archive_days()), None, [archived])
            refresh.click(lambda: gr.update(choices=archive_days()), None, [archived])
        with gr.Tab("Library", id="library"):
            with gr.Row():
                files = gr.File(file_count="multiple", label="Upload articles (.txt .md .html .json .jsonl .rss .xml)",
                                elem_id="upload")
                urls = gr.Textbox(label="URLs or feeds, one per line", lines=4, elem_id="urls")
            ingest_button = gr.Button("Ingest", variant="primary", elem_id="ingest")
            ingest_result = gr.Markdown(elem_id="ingest-result")
            filter_box = gr.Textbox(label="Search articles", elem_id="article-filter")
            table = gr.Dataframe(headers=["title", "outlet", "date", "chunks", "id"], interactive=False, elem_id="articles")
            with gr.Row():
                to_delete = gr.Dropdown(choices=[], label="Article to delete", elem_id="delete-choice")
                delete_button = gr.Button("Delete", variant="stop", elem_id="delete")
            ingest_button.click(run_ingest, [files, urls], [ingest_result, table, to_delete, chosen])
            filter_box.change(articles_table, [filter_box], [table, to_delete])
            delete_button.click(delete, [to_delete, filter_box], [ingest_result, table, to_delete])
        demo.load(lambda: (*articles_table(), gr.update(choices=outlets()), gr.update(choices=archive_days())), None,
                  [table, to_delete, chosen, archived])
        demo.load(new_since, [last_visit], [whats_new, last_visit])
    return demo


def page_auth(settings: Settings) -> tuple[str, str] | None:
    """The page's login, or None when it is open; half a login is an error, never a silently open page."""
    if bool(settings.web_username) != bool(settings.web_password):
        missing = "web_username" if not settings.web_username else "web_password"
        raise PageConfigError(f"{missing} is not set: the page needs both web_username and web_password, or neither")
    return (settings.web_username, settings.web_password) if settings.web_username else None


def serve(settings: Settings, host: str, port: int) -> None:
    auth = page_auth(settings)
    app = build_app(settings)
    app.queue(default_concurrency_limit=8).launch(server_name=host, server_port=port, auth=auth, css=PAGE_CSS,
                                                  head=PAGE_HEAD, show_error=False, inbrowser=False)
