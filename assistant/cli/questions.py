"""The reading commands: search, ask, summarize."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from assistant.cli.common import (chat_backend_or_fail, chat_model_or_fail, fail, filters_from, require_store,
                                  services_or_fail, store_services_or_fail, terminal_safe)

MAX_QUESTION_CHARS = 2000
SEARCH_MODES = ("dense", "bm25", "hybrid")
MAX_SEARCH_K = 100


def search(ctx: typer.Context, query: str = typer.Argument(..., help="Words to find, e.g. \"night ferry\" (at most 2,000 characters)."),
           k: int = typer.Option(5, "-k", help="How many passages."),
           source: list[str] = typer.Option([], "--source", help="Only this outlet (repeatable)."),
           since: Optional[str] = typer.Option(None, help="Only articles published at or after this date."),
           until: Optional[str] = typer.Option(None, help="Only articles published before this date."),
           mode: Optional[str] = typer.Option(None, help="dense, bm25 or hybrid (default: settings)."),
           as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Print the top passages for a query with title, source, date and score."""
    from assistant.safety import terminal_json
    if not query.strip():
        fail("the query is empty; search for some words, e.g. assistant search \"chip plant\"")
    if len(query) > MAX_QUESTION_CHARS:
        fail(f"the query is {len(query):,} characters long; search with at most {MAX_QUESTION_CHARS:,}")
    if not 1 <= k <= MAX_SEARCH_K:
        fail(f"-k {k}: how many passages, from 1 to {MAX_SEARCH_K}")
    if mode is not None and mode not in SEARCH_MODES:
        fail(f"--mode {mode!r}: choose {', '.join(SEARCH_MODES[:-1])} or {SEARCH_MODES[-1]}")
    filters = filters_from(source, since, until)
    services = services_or_fail(ctx, need_articles=True)
    passages = services.retriever.search(query, k=k, filters=filters, mode=mode)
    if as_json:
        typer.echo(terminal_json([p.__dict__ for p in passages], indent=2))
        return
    for rank, p in enumerate(passages, 1):
        typer.secho(f"[{rank}] {terminal_safe(p.title)}", bold=True)
        typer.echo(f"    {terminal_safe(p.source)} · {p.published_at[:10] or 'undated'} · score {p.score:.4f} · chars {p.start}-{p.end}")
        typer.echo("    " + terminal_safe(p.text[:300].replace("\n", " ")) + ("…" if len(p.text) > 300 else ""))


def print_sources(result) -> None:
    if result.refused or not result.checked:
        return
    typer.echo("")
    for citation in result.checked.citations:
        p = citation.passage
        typer.secho(f"[{citation.n}] {terminal_safe(p.title)}", bold=True)
        typer.echo(f"    {terminal_safe(p.source)} · {(p.published_at or 'undated')[:10]} · "
                   f"{terminal_safe(p.url or p.article_id)} · chars {p.start}-{p.end}")
    for check in result.checked.sentences:
        if check.state != "supported":  # three states, each with its reason, instead of a blanket "checked"
            from assistant.grounding.citations import STATE_LABELS
            label = STATE_LABELS.get(check.state, "not supported")
            typer.secho(f"{label}: {terminal_safe(check.text)} ({terminal_safe(check.reason)})", fg=typer.colors.YELLOW)



def check_question(question: str) -> None:
    if not question.strip():
        fail("the question is empty; ask something, e.g. assistant ask \"Who won the vote?\"")
    if len(question) > MAX_QUESTION_CHARS:
        fail(f"the question is {len(question):,} characters long; ask in at most {MAX_QUESTION_CHARS:,}")


def ask(ctx: typer.Context, question: Optional[str] = typer.Argument(None, help="The question; leave out for an interactive loop."),
        source: list[str] = typer.Option([], "--source", help="Only this outlet (repeatable)."),
        since: Optional[str] = typer.Option(None, help="Only articles published at or after this date."),
        until: Optional[str] = typer.Option(None, help="Only articles published before this date."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of streaming.")) -> None:
    """Answer a question from the articles, with [n] citations (follow-ups work in the loop).

    The terminal shows the answer only once it is checked: a sentence no cited passage supports never
    reaches the screen as fact.
    """
    from assistant.startup import ChatModelLoad, exit_now
    if question is not None:
        check_question(question)
    filters = filters_from(source, since, until)
    chat_backend_or_fail(ctx.obj.settings)
    require_store(ctx.obj.settings)
    # beside the store and the embedder, which open meanwhile (unless the caller handed in a chat model)
    loading = None if "chat_model" in ctx.obj.given else ChatModelLoad(ctx.obj.settings)
    try:
        services = services_or_fail(ctx, need_articles=True)
    except typer.Exit:
        if loading is not None:
            loading.finish_quietly()
        raise
    chat_model_or_fail(services, loading)
    chain = services.answer_chain
    history: list[dict] = []
    questions = [question] if question is not None else None
    while True:
        if questions is not None:
            if not questions:
                exit_now()  # the answer is out: no teardown of the chat model to wait for
                return
            current = questions.pop().strip()
        else:
            try:
                current = input("\nquestion> ").strip()
            except EOFError:
                return
            if current.lower() in {"", "quit", "exit"}:
                return
        check_question(current)
        result = chain.ask(current, history, filters)
        if as_json:
            typer.echo(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            typer.echo(terminal_safe(result.answer))
            if result.query != current:
                typer.secho(f"(searched for: {terminal_safe(result.query)})", dim=True)
            print_sources(result)
        history += [{"role": "user", "content": current}, {"role": "assistant", "content": result.answer}]


def summarize(ctx: typer.Context,
              article: Optional[str] = typer.Argument(None, help="A stored article id, a file or a URL (ingested first)."),
              topic: Optional[str] = typer.Option(None, "--topic", help="Summarize a topic over time instead of one article."),
              length: str = typer.Option("short", "--length", help="line | short | full (article summaries)."),
              source: list[str] = typer.Option([], "--source", help="Topic: only this outlet (repeatable)."),
              since: Optional[str] = typer.Option(None, help="Topic: only articles published at or after this date."),
              until: Optional[str] = typer.Option(None, help="Topic: only articles published before this date."),
              as_json: bool = typer.Option(False, "--json", help="Print one JSON object (citations as in `ask --json`).")) -> None:
    """Summarize one article (a cited line and key points) or a topic over time (timeline, who said what).

    ARTICLE is an id from `assistant list` (a-0123456789abcdef), or a file or URL, which is ingested first.
    """
    from assistant.ingest.sources import LoadError
    if (article is None) == (topic is None):
        fail("give an ARTICLE (id, file or URL) or --topic TEXT, not both")
    if length not in ("line", "short", "full"):
        fail(f"--length {length!r}: choose line, short or full")
    filters = filters_from(source, since, until)
    chat_backend_or_fail(ctx.obj.settings)
    if topic is not None:
        if not topic.strip():
            fail("--topic is empty; name a topic, e.g. --topic \"chip plant\"")
        services = services_or_fail(ctx, need_articles=True)
        chat_model_or_fail(services)
        result = services.topic_summarizer.summarize(topic, filters)
        if not result.timeline:
            fail(f"no articles about {topic!r} in the index{' for those filters' if source or since or until else ''}", code=1)
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False) if as_json else terminal_safe(result.to_markdown()))
        return
    readable = article.lower().startswith(("http://", "https://")) or Path(article).exists()
    if not readable:  # an id: found in the store (opened without an embedder), or one line before any model loads
        found = store_services_or_fail(ctx).store.articles(article_ids=[article])
        if not found:
            fail(f"{article}: no stored article with this id, and no such file or URL; "
                 "`assistant list` shows the ids")
        stored = found[0]
    services = services_or_fail(ctx, must_exist=not readable)
    if readable:
        try:
            stored = services.stored_article(article)
        except (ValueError, LoadError) as exc:
            fail(str(exc))
        if stored is None:
            fail(f"{article}: no article could be read from it")
    chat_model_or_fail(services)
    summary = services.article_summarizer.summarize(stored, length)
    if as_json:
        typer.echo(json.dumps(summary.to_json(), ensure_ascii=False))
        return
    typer.secho(terminal_safe(f"{stored.title} — {stored.source}, {(stored.published_at or '')[:10]}"), bold=True)
    typer.echo(terminal_safe(summary.text()))
    typer.echo("")
    for n, passage in enumerate(summary.passages, 1):
        typer.echo(f"[{n}] chars {passage.start}-{passage.end}")
