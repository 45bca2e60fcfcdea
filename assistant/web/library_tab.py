"""The Library tab: upload files or paste URLs to ingest, find articles, delete one by title (after confirming)."""

from __future__ import annotations

from dataclasses import dataclass
import gradio as gr

from assistant.web.common import PageServices, cell, input_label, page_inputs

# Columns of the library table, in order, and their share of the width: date, chunks and id stay visible at
# 1280 px because the title (the only long one) wraps inside its share.
COLUMNS = ("date", "title", "outlet", "chunks", "id")
COLUMN_WIDTHS = ["11%", "44%", "18%", "8%", "19%"]


@dataclass
class LibraryTab:
    """The events after which the rest of the page (header count, outlets, examples) must be refreshed."""

    ingested: object
    deleted: object
    table: gr.Dataframe
    to_delete: gr.Dropdown


def choice_label(row: dict) -> str:
    return f"{row['title'][:90]} ({row['outlet']}, {row['date'] or 'undated'})"


def library_rows(services: PageServices, query: str = ""):
    """The library table (newest first, filtered by title or outlet) and the delete choices that go with it."""
    try:
        rows = services.articles()
    except Exception as exc:  # an unreachable store: said in the table, not a stack trace
        return [[f"⚠️ {exc}", "", "", 0, ""]], gr.update(choices=[], value=None)
    query = (query or "").lower().strip()
    if query:
        rows = [r for r in rows if query in r["title"].lower() or query in r["outlet"].lower()]
    table = [[r["date"], r["title"], r["outlet"], r["chunks"], r["id"]] for r in rows]
    return table, gr.update(choices=[(choice_label(r), r["id"]) for r in rows], value=None)


def delete_refusal(article_id: str, confirmed: str, api_open: bool) -> str | None:
    """Why "Yes, delete it" may not delete this article (None: it may).

    `confirmed` is the id the confirmation question named, kept in the session's server-side state (a client
    cannot send it). Only that article is deleted (a choice changed after "Delete…" is not deleted unasked),
    and without the page's login (`api_open` False) only after the question: one POST to Gradio's queue does
    not delete. Not access control: a client that reaches the page can ask first too (docs/security.md).
    Behind the login, API clients may delete directly."""
    if (confirmed or not api_open) and confirmed != article_id:
        return "⚠️ Confirm first: choose the article, then Delete… and Yes."
    return None


def build_library_tab(services: PageServices, destructive_api: bool) -> LibraryTab:
    def articles_table(query: str = ""):
        return library_rows(services, query)

    def run_ingest(files, urls: str, query: str, progress=gr.Progress()):
        from assistant.chroma_client import StoreError
        inputs, refused = page_inputs(files, urls)
        if not inputs and not refused:
            return "Nothing to ingest: upload files or paste URLs.", *articles_table(query), gr.update(), gr.update()
        services.store()  # built first: a store that cannot open fails the call, as in every tab
        progress(0, desc="Reading inputs")
        try:
            report = services.services.ingest(inputs, progress=False, typed_by_user=False)
        except StoreError as exc:  # another writer held the lock too long, or the disk is full
            return f"⚠️ {exc}", *articles_table(query), gr.update(), gr.update()
        outcomes, errors = report.outcomes, refused + report.errors
        lines = ["| input | article | result |", "|---|---|---|"]
        for o in outcomes:
            result = "already in the library (same text)" if o.status == "duplicate" else f"{o.status} ({o.chunks} chunks)"
            lines.append(f"| {cell(input_label(o.origin))} | {cell(o.title)} | {result} |")
        for error in errors:
            where, _, reason = error.partition(": ")
            lines.append(f"| {cell(input_label(where))} | | failed: {cell(reason)} |")
        counts = {s: sum(1 for o in outcomes if o.status == s) for s in ("new", "updated", "unchanged", "duplicate")}
        summary = (f"**{counts['new']} new, {counts['updated']} updated, {counts['unchanged']} unchanged, "
                   f"{len(errors)} failed**" + (f" ({counts['duplicate']} already in the library)" if counts["duplicate"] else ""))
        # the inputs are cleared once read: the box shows what is still to do, not what was done
        return summary + "\n\n" + "\n".join(lines), *articles_table(query), None, ""

    def ask_to_confirm(article_id: str | None):
        """The question, and the id it names kept in this session's server-side state (what "Yes" may delete)."""
        if not article_id:
            return "Choose an article to delete.", gr.update(visible=False), "", ""
        found = [r for r in services.articles() if r["id"] == article_id]
        if not found:
            return "⚠️ That article is no longer in the library.", gr.update(visible=False), "", ""
        row = found[0]
        question = (f"Delete **“{cell(row['title'])}”** ({cell(row['outlet'])}, {row['date'] or 'undated'}, "
                    f"{row['chunks']} chunks) from the library? This cannot be undone.")
        return "", gr.update(visible=True), question, article_id

    def delete(article_id: str | None, query: str, confirmed: str):
        from assistant.chroma_client import StoreError
        hidden = gr.update(visible=False)
        if not article_id:
            return "Choose an article to delete.", *articles_table(query), hidden, ""
        refusal = delete_refusal(article_id, confirmed, destructive_api)
        if refusal:
            return refusal, *articles_table(query), hidden, ""
        found = [r for r in services.articles() if r["id"] == article_id]
        if not found:
            return "⚠️ That article is no longer in the library.", *articles_table(query), hidden, ""
        _, store = services.store()
        try:
            removed = store.delete_article(article_id)  # takes the store's write lock, like every writer
        except StoreError as exc:
            return f"⚠️ {exc}", *articles_table(query), hidden, ""
        row = found[0]
        return (f"Deleted **“{cell(row['title'])}”** ({cell(row['outlet'])}, {removed} chunks).",
                *articles_table(query), hidden, "")

    with gr.Row():
        files = gr.File(file_count="multiple", label="Upload articles (.txt .md .html .json .jsonl .rss .xml)",
                        elem_id="upload")
        urls = gr.Textbox(label="URLs or feeds, one per line", lines=4, elem_id="urls")
    ingest_button = gr.Button("Ingest", variant="primary", elem_id="ingest")
    ingest_result = gr.Markdown(elem_id="ingest-result")
    filter_box = gr.Textbox(label="Search articles (title or outlet)", elem_id="article-filter")
    table = gr.Dataframe(headers=list(COLUMNS), interactive=False, elem_id="articles", wrap=True,
                         column_widths=COLUMN_WIDTHS, max_height=520)
    with gr.Row():
        to_delete = gr.Dropdown(choices=[], label="Article to delete (by title)", elem_id="delete-choice", scale=4)
        delete_button = gr.Button("Delete…", variant="stop", elem_id="delete", scale=0, min_width=140)
    with gr.Group(visible=False, elem_id="delete-confirm") as confirm_box:
        confirm_text = gr.Markdown(elem_id="delete-question")
        with gr.Row():
            confirm_button = gr.Button("Yes, delete it", variant="stop", elem_id="delete-yes")
            cancel_button = gr.Button("Cancel", elem_id="delete-cancel")
    ingested = ingest_button.click(run_ingest, [files, urls, filter_box], [ingest_result, table, to_delete, files, urls],
                                   api_name="ingest")
    filter_box.change(articles_table, [filter_box], [table, to_delete], api_name="articles")
    confirmed = gr.State("")  # the id the confirmation question named, kept on the server for this session
    delete_button.click(ask_to_confirm, [to_delete], [ingest_result, confirm_box, confirm_text, confirmed],
                        api_name="delete_confirm", api_visibility="private")
    cancel_button.click(lambda: (gr.update(visible=False), ""), None, [confirm_box, confirmed], api_name="delete_cancel",
                        api_visibility="private")
    # deleting is listed for API clients only behind the page's login (web_username / web_password)
    deleted = confirm_button.click(delete, [to_delete, filter_box, confirmed],
                                   [ingest_result, table, to_delete, confirm_box, confirmed],
                                   api_name="delete", api_visibility="public" if destructive_api else "private")
    return LibraryTab(ingested=ingested, deleted=deleted, table=table, to_delete=to_delete)
