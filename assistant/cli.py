"""The `assistant` command: parsing and printing only; the work lives in the stages it calls."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer

from assistant.settings import Settings

# Plain help (rich_markup_mode=None): every character as written (rich markup ate "[n]"), no <bool> noise, and
# no rich import at start-up; assistant/cli_help.py adds the examples and value names.
PLAIN_HELP = {"rich_markup_mode": None, "no_args_is_help": True}
app = typer.Typer(help="Offline-first news assistant: ingest articles, ask cited questions, read a briefing.",
                  epilog="Start:\n\n\b\n  assistant ingest articles/\n  assistant ask \"What did the council decide?\"\n"
                         "  assistant serve   (the page: chat, briefing, library, feeds)",
                  add_completion=False, pretty_exceptions_enable=False, **PLAIN_HELP)
bench_app = typer.Typer(help="Benchmarks that print figures.", **PLAIN_HELP)
app.add_typer(bench_app, name="bench")
feeds_app = typer.Typer(help="Feed subscriptions: add, list, remove, import/export OPML.", **PLAIN_HELP)
app.add_typer(feeds_app, name="feeds")
topics_app = typer.Typer(help="Watchlist: topics, people or companies the briefing follows (\"Your topics\").", **PLAIN_HELP)
app.add_typer(topics_app, name="topics")


@dataclass(frozen=True)
class Context:
    """What the top-level options decided, handed to every command through typer's context."""

    settings: Settings
    index_given: bool


def fail(message: str, code: int = 2) -> None:
    """One line on stderr and an exit code: 2 for bad input or settings, 1 when the work itself could not run."""
    typer.secho(f"error: {terminal_safe(message)}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            fail(f"--set {pair!r}: expected NAME=VALUE, e.g. --set top_k=6")
        values[name.strip()] = value.strip()
    return values


def settings_error(exc: Exception) -> str:
    """The first validation problem of a pydantic error, with the setting's name."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        name = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        return f"bad setting {name}: {first.get('msg', str(exc))}"
    return f"bad settings: {str(exc).splitlines()[0]}"


@app.callback()
def main(ctx: typer.Context,
         index: Optional[Path] = typer.Option(None, "--index", help="Chroma store folder (default: settings.index_dir, ./index)."),
         chroma_url: Optional[str] = typer.Option(None, "--chroma-url", help="Use a Chroma server instead of the on-disk store."),
         assignments: list[str] = typer.Option([], "--set", help="Any setting as NAME=VALUE (repeatable); see the README's table.")) -> None:
    overrides: dict = parse_assignments(assignments)
    if index is not None:
        overrides["index_dir"] = index
    if chroma_url is not None:
        overrides["chroma_url"] = chroma_url
    try:
        settings = Settings(**overrides)
    except Exception as exc:  # pydantic validation of the CLI, env and config values
        fail(settings_error(exc))
    unknown = set(overrides) - set(Settings.model_fields)
    if unknown:
        fail(f"--set: unknown setting {sorted(unknown)[0]!r}; see the README's settings table")
    ctx.obj = Context(settings, index is not None or "ASSISTANT_INDEX_DIR" in os.environ)


def require_store(settings: Settings) -> None:
    """Commands that read the index need one there: a typo in --index is an error, not a new, empty store
    (only the commands that write articles create one)."""
    if settings.chroma_url:
        return
    from assistant.store import is_store
    folder = settings.index_dir
    if folder.exists() and not folder.is_dir():
        fail(f"{folder}: the index path is a file, not a folder; choose another --index")
    if not is_store(folder):
        fail(f"{folder}: no index there; check --index, or create one with `assistant ingest PATH`")


def services_or_fail(ctx: typer.Context, settings: Settings | None = None, need_articles: bool = False,
                     must_exist: bool | None = None):
    """The product's parts, or a one-line error naming what is wrong with the store or the models.

    `must_exist` (the default when the command needs articles): the index must be there already."""
    from assistant.models.embeddings import EmbeddingModelError
    from assistant.services import build_services
    from assistant.startup import quiet_first_export
    from assistant.store import StoreError
    settings = settings or ctx.obj.settings
    if need_articles if must_exist is None else must_exist:
        require_store(settings)
    services = build_services(settings)
    try:
        with quiet_first_export():
            services.store
    except (StoreError, EmbeddingModelError) as exc:
        fail(str(exc))
    if need_articles and services.store.count() == 0:
        fail("the index is empty; run `assistant ingest PATH` first")
    return services


def store_services_or_fail(ctx: typer.Context):
    """The parts for commands that only read or delete (stats, list, remove): the store opens under the
    embedder it was built with, and no embedder is loaded."""
    from assistant.services import build_services
    from assistant.startup import StoredEmbedder
    from assistant.store import StoreError, make_client, stored_embedding
    settings = ctx.obj.settings
    require_store(settings)
    try:
        identity = stored_embedding(make_client(settings.index_dir, settings.chroma_url), settings.collection,
                                    None if settings.chroma_url else settings.index_dir)
    except StoreError as exc:
        fail(str(exc))
    if identity is None:
        fail(f"collection {settings.collection!r} is not in {settings.chroma_url or settings.index_dir}; check "
             "--set collection=..., or create it with `assistant ingest PATH`")
    services = build_services(settings, embeddings=StoredEmbedder(*identity))
    try:
        services.store
    except StoreError as exc:
        fail(str(exc))
    return services


def chat_backend_or_fail(settings: Settings) -> None:
    """Settings the chat model cannot work with, found before minutes of loading."""
    from assistant.startup import openai_backend_problem
    problem = openai_backend_problem(settings)
    if problem:
        fail(problem)


def chat_model_or_fail(services, loading=None) -> None:
    """The chat model (waiting for a load started earlier, if any), or its problem in one line."""
    from assistant.models.chat import ChatModelError
    chat_backend_or_fail(services.settings)
    try:
        if loading is not None:
            loading.result()
        services.chat_model
    except ChatModelError as exc:
        fail(str(exc))


def terminal_safe(text: str) -> str:
    """Text from articles, without control characters (an escape sequence in a title must not drive the terminal)."""
    from assistant.safety import terminal_text
    return terminal_text(text)


@app.command()
def ingest(ctx: typer.Context, inputs: list[str] = typer.Argument(..., help="Files, folders, feeds or http(s) URLs."),
           source: Optional[str] = typer.Option(None, "--source", help="The outlet of articles whose files name none "
                                                "(a .txt never does; default: \"Local file\")."),
           day: Optional[str] = typer.Option(None, "--date", help="The publication date of articles whose files give "
                                             "none (a .txt never does; default: the file's modification time)."),
           quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar.")) -> None:
    """Read articles into the index (idempotent: unchanged articles are skipped; the same text under
    another name is stored once). Creates the index when it is not there yet.

    Files: .txt (first line = title), .md with optional front matter (title, source, url, published_at,
    author, id), .html, .json/.jsonl, .rss/.atom/.xml feeds; folders are read recursively.
    """
    from assistant.ingest.pipeline import ArticleDefaults
    from assistant.store import StoreError
    missing = [item for item in inputs if "://" not in item and not Path(item).exists()]
    if missing:
        fail(f"{missing[0]}: no such file or folder" + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    if source is not None and not source.strip():
        fail("--source is empty; name the outlet, e.g. --source \"Quay Gazette\"")
    defaults = ArticleDefaults(source=source.strip() if source else None, published_at=parse_day(day, "date"))
    services = services_or_fail(ctx)
    try:
        report = services_ingest(services, inputs, quiet, defaults if defaults != ArticleDefaults() else None)
    except StoreError as exc:  # another writer held the lock too long, or the disk is full
        fail(str(exc), code=1)
    typer.echo(report.summary())
    if report.errors:
        raise typer.Exit(2)


def services_ingest(services, inputs: list[str], quiet: bool, defaults=None):
    """Ingest through the services, with the outlet and date given on the command line (if any)."""
    on_error = lambda line: typer.secho(f"failed: {terminal_safe(line)}", fg=typer.colors.RED, err=True)  # noqa: E731
    if defaults is None:
        return services.ingest(inputs, progress=not quiet, on_error=on_error)
    from assistant.ingest.pipeline import ingest as run_ingest
    return run_ingest(inputs, services.store, services.embeddings, services.settings, progress=not quiet,
                      on_error=on_error, defaults=defaults)


def parse_day(value: Optional[str], name: str) -> Optional[datetime]:
    """A YYYY-MM-DD option as midnight UTC, or a one-line error naming the option."""
    if value is None:
        return None
    from datetime import date as date_type, timezone
    try:
        day = date_type.fromisoformat(value.strip())
    except ValueError:
        fail(f"--{name} {value!r} is not a date like 2024-05-19 (YYYY-MM-DD)")
    if not 1900 <= day.year <= datetime.now().year + 1:
        fail(f"--{name} {value!r} is out of range (1900 to next year)")
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def parse_when(value: Optional[str], name: str) -> Optional[datetime]:
    if value is None:
        return None
    from assistant.ingest.sources.common import LoadError, parse_datetime
    try:
        return parse_datetime(value, f"--{name}")
    except LoadError as exc:
        fail(str(exc))


def filters_from(source: list[str], since: Optional[str], until: Optional[str]):
    from assistant.records import SearchFilters
    return SearchFilters(sources=tuple(source), since=parse_when(since, "since"), until=parse_when(until, "until"))


@app.command()
def check(ctx: typer.Context, repair: bool = typer.Option(False, "--repair", help="Re-embed and rewrite damaged articles."),
          quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """Check that every stored chunk has its vector and that dense search finds it; --repair fixes what is not."""
    from assistant.ingest.integrity import check_store, repair as repair_store
    from assistant.store import IndexBusyError
    services = services_or_fail(ctx, must_exist=True)
    report = check_store(services.store, services.embeddings.dimension, progress=not quiet,
                         on_line=lambda line: typer.secho(f"damaged: {terminal_safe(line)}", fg=typer.colors.YELLOW, err=True))
    if report.damaged and repair:
        try:
            repair_store(services.store, services.embeddings, report, progress=not quiet)
        except IndexBusyError as exc:
            fail(str(exc), code=1)
        report = check_store(services.store, services.embeddings.dimension, progress=False) if not report.repaired else report
    typer.echo(report.summary())
    if report.damaged and not report.repaired:
        raise typer.Exit(1)


SEARCH_MODES = ("dense", "bm25", "hybrid")
MAX_SEARCH_K = 100


@app.command()
def search(ctx: typer.Context, query: str, k: int = typer.Option(5, "-k", help="How many passages."),
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


@app.command()
def stats(ctx: typer.Context) -> None:
    """Counts per source and the date range of the index."""
    store = store_services_or_fail(ctx).store
    articles = store.list_articles()
    typer.echo(f"{len(articles)} articles, {sum(a.chunks for a in articles)} chunks, embedding model {store.model_name}")
    per_source = Counter(a.source for a in articles)
    chunks_per_source = Counter()
    for a in articles:
        chunks_per_source[a.source] += a.chunks
    for source, n in per_source.most_common():
        typer.echo(f"  {terminal_safe(source):<40} {n:>5} articles {chunks_per_source[source]:>7} chunks")
    dates = sorted(a.published_at for a in articles if a.published_at)
    if dates:
        typer.echo(f"published from {dates[0]} to {dates[-1]}")


@app.command("list")
def list_articles(ctx: typer.Context,
                  source: list[str] = typer.Option([], "--source", help="Only this outlet (repeatable)."),
                  since: Optional[str] = typer.Option(None, help="Only articles published at or after this date."),
                  until: Optional[str] = typer.Option(None, help="Only articles published before this date."),
                  as_json: bool = typer.Option(False, "--json", help="Print JSON (id, title, source, url, "
                                               "published_at, chunks).")) -> None:
    """The stored articles, newest first: id, date, outlet, title and chunks (ids for `summarize` and `remove`)."""
    from assistant.safety import terminal_json
    filters = filters_from(source, since, until)
    articles = store_services_or_fail(ctx).store.list_articles(None if filters.is_empty() else filters)
    if as_json:
        typer.echo(terminal_json([{"id": a.id, "title": a.title, "source": a.source, "url": a.url,
                                   "published_at": a.published_at, "chunks": a.chunks} for a in articles], indent=2))
        return
    if not articles:
        typer.echo("no articles" + (" for those filters" if not filters.is_empty() else "; run `assistant ingest PATH`"))
    for a in articles:
        typer.echo(f"{a.id}  {(a.published_at or 'undated')[:10]:<10}  {terminal_safe(a.source)[:28]:<28}  "
                   f"{terminal_safe(a.title)[:90]}  ({a.chunks} chunk{'s' if a.chunks != 1 else ''})")


@app.command()
def remove(ctx: typer.Context,
           ids: list[str] = typer.Argument(..., help="Article ids, as `assistant list` shows them.")) -> None:
    """Delete articles from the index (every chunk and its vector, under the index's write lock)."""
    from assistant.store import StoreError
    store = store_services_or_fail(ctx).store
    wanted = list(dict.fromkeys(i.strip() for i in ids))
    known = {a.id: a for a in store.list_articles()}
    unknown = [i for i in wanted if i not in known]
    if unknown:  # nothing is removed when one id is wrong: the user fixes the list and runs it again
        fail(f"{unknown[0]}: no stored article with this id; `assistant list` shows the ids"
             + (f" ({len(unknown) - 1} more unknown)" if len(unknown) > 1 else ""))
    for article_id in wanted:
        try:
            chunks = store.delete_article(article_id)
        except StoreError as exc:  # another writer held the lock too long, or the disk is full
            fail(str(exc), code=1)
        typer.echo(f"removed {article_id} “{terminal_safe(known[article_id].title)}” ({chunks} chunks)")


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


MAX_QUESTION_CHARS = 2000


def check_question(question: str) -> None:
    if not question.strip():
        fail("the question is empty; ask something, e.g. assistant ask \"Who won the vote?\"")
    if len(question) > MAX_QUESTION_CHARS:
        fail(f"the question is {len(question):,} characters long; ask in at most {MAX_QUESTION_CHARS:,}")


@app.command()
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
    loading = ChatModelLoad(ctx.obj.settings)  # beside the store and the embedder, which open meanwhile
    try:
        services = services_or_fail(ctx, need_articles=True)
    except typer.Exit:
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


@app.command()
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


@app.command()
def briefing(ctx: typer.Context,
             day: Optional[str] = typer.Option(None, "--date", help="YYYY-MM-DD (default: the latest day with articles)."),
             since: Optional[str] = typer.Option(None, help="Start of a custom window (instead of --date)."),
             until: Optional[str] = typer.Option(None, help="End of a custom window."),
             source: list[str] = typer.Option([], "--source", help="Only this outlet (repeatable)."),
             out: Optional[Path] = typer.Option(None, "--out", help="Write FILE.md or FILE.html (default: print Markdown)."),
             quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """Write a cited briefing of one day's stories (Markdown or HTML)."""
    from datetime import date as date_type
    from assistant.briefing.render import to_html, to_markdown
    from assistant.models.chat import ChatModelError
    window = None
    if since or until:
        if not (since and until):
            fail("--since and --until go together")
        window = (parse_when(since, "since"), parse_when(until, "until"))
    chosen_day = None
    if day:
        try:
            chosen_day = date_type.fromisoformat(day)
        except ValueError:
            fail(f"--date {day!r} is not YYYY-MM-DD")
        if not 1900 <= chosen_day.year <= 2200:
            fail(f"--date {day}: out of range (a briefing day lies between 1900 and 2200)")
    if out is not None:
        problem = unwritable(out)
        if problem:
            fail(f"--out {out}: {problem}")
    chat_backend_or_fail(ctx.obj.settings)
    services = services_or_fail(ctx, need_articles=True)
    try:
        result, stored = services.briefing(chosen_day, window, source, progress=not quiet)
    except (ChatModelError, ValueError) as exc:
        fail(str(exc))
    text = to_html(result) if out is not None and out.suffix.lower() in (".html", ".htm") else to_markdown(result)
    if out is None:
        typer.echo(terminal_safe(text))
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"--out {out}: cannot write ({exc.strerror or exc})")
    typer.echo(f"wrote {out} ({len(result.stories)} stories, {len(result.sources)} sources, "
               f"{result.timings.get('total_s', 0):.0f} s); stored {stored}")


def unwritable(path: Path) -> str:
    """Why a file cannot be written there ("" when it can), checked before minutes of work."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create the folder {folder} ({exc.strerror or exc})"
    if path.is_dir():
        return "is a folder"
    if not os.access(folder, os.W_OK):
        return f"the folder {folder} is not writable"
    return ""


@app.command()
def serve(ctx: typer.Context, host: str = typer.Option("127.0.0.1", help="Interface to bind (default: this machine only)."),
          port: int = typer.Option(7860, help="Port (1-65535).")) -> None:
    """Open the chat page (chat with clickable sources, briefing, library)."""
    import socket
    if not 1 <= port <= 65535:
        fail(f"--port {port}: a port is a number from 1 to 65535")
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            fail(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port")
    from assistant.web.app import PageConfigError, serve as run_page
    settings = ctx.obj.settings
    if settings.schedule_in_serve:
        services = services_or_fail(ctx)
        if services.follow_db.feeds():  # the schedule follows subscriptions; none, no background work
            from assistant.follow.schedule import make_scheduler
            make_scheduler(services, blocking=False).start()
    typer.echo(f"page on http://{host}:{port}  (Ctrl+C to stop)")
    try:
        run_page(ctx.obj.settings, host, port)
    except PageConfigError as exc:
        fail(str(exc))


@app.command("eval")
def eval_command(ctx: typer.Context,
                 dataset: Path = typer.Argument(..., help="Folder with corpus.jsonl and qa.jsonl (or qa-dev.jsonl)."),
                 limit: int = typer.Option(0, help="Stratified sample of N questions (0 = all)."),
                 seed: int = typer.Option(0, help="Sample seed: 0 = evenly spaced within each question type, else random."),
                 distractors: int = typer.Option(0, help="Ingest only the sample's evidence articles and this many others (0 = the whole corpus)."),
                 model: Optional[str] = typer.Option(None, help="Chat model: a GGUF path (embedded) or a model name (ollama/openai)."),
                 out: Path = typer.Option(Path("out/eval"), help="Folder for report.md, report.json and chart.png."),
                 compare: Optional[Path] = typer.Option(None, help="An earlier report.json to compare with."),
                 thresholds: Optional[Path] = typer.Option(None, help="TOML of minimum metrics; exit 1 when one is missed."),
                 retrieval_only: bool = typer.Option(False, "--retrieval-only", help="Only Hits@k/MRR for dense, bm25 and hybrid."),
                 verifier_labels: Path = typer.Option(Path("evals/verifier/labels.jsonl"), help="Hand labels for the citation verifier's agreement (skipped if missing)."),
                 no_briefings: bool = typer.Option(False, "--no-briefings", help="Skip the briefing eval even if the dataset has briefings.jsonl."),
                 baseline: bool = typer.Option(False, "--baseline", help="Also run a textbook RAG (dense top-k whole chunks, one plain prompt) on the same questions and report it beside the product."),
                 quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """Score answers, citations, refusals and retrieval against a dataset's gold answers."""
    from assistant.evals.orchestrate import eval_settings, run_eval
    from assistant.store import IndexBusyError
    settings = eval_settings(ctx.obj.settings, dataset, ctx.obj.index_given, model,
                             variant=f"subset-{limit}-{seed}-{distractors}" if distractors else "")
    services = services_or_fail(ctx, settings)
    if retrieval_only:
        from assistant.evals.datasets import load_dataset, stratified
        from assistant.evals.orchestrate import prepare
        from assistant.evals.runner import retrieval_only as run_retrieval_only
        data = load_dataset(dataset)
        typer.echo(prepare(services, data, not quiet))
        questions = stratified(data.questions, limit, seed)
        table = {mode: run_retrieval_only(services.retriever, questions, mode, progress=not quiet)
                 for mode in ("dense", "bm25", "hybrid")}
        out.mkdir(parents=True, exist_ok=True)
        (out / "retrieval.json").write_text(json.dumps(table, indent=2))
        for mode, row in table.items():
            typer.echo(f"{mode:<8} " + "  ".join(f"{k} {v}" for k, v in row.items()))
        return
    chat_model_or_fail(services)
    try:
        outcome = run_eval(settings, dataset, limit, out, compare, thresholds, verifier_labels, not no_briefings,
                           not quiet, say=typer.echo, services=services, seed=seed, distractors=distractors,
                           baseline=baseline)
    except (FileNotFoundError, ValueError, KeyError, IndexBusyError) as exc:
        fail(str(exc))
    old = outcome.old_summary
    for key, value in outcome.summary["overall"].items():
        before = f"  (was {old['overall'][key]:.3f})" if old and isinstance(old["overall"].get(key), (int, float)) else ""
        typer.echo(f"{key:<32} {value:.3f}{before}" if isinstance(value, float) else f"{key:<32} {value}")
    typer.echo(f"report: {outcome.report_path}")
    if outcome.failures:
        for failure in outcome.failures:
            typer.secho(f"below threshold: {failure}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)


def follow_db_or_fail(ctx: typer.Context):
    from assistant.follow.database import FollowDatabaseError, open_database
    try:
        return open_database(ctx.obj.settings)
    except FollowDatabaseError as exc:
        fail(str(exc), code=exc.code)


@contextmanager
def follow_errors():
    """The subscription commands' errors as one line: a refused change (2), a busy or damaged database."""
    from assistant.follow.database import FeedError, FollowDatabaseError
    try:
        yield
    except FeedError as exc:
        fail(str(exc))
    except FollowDatabaseError as exc:
        fail(str(exc), code=exc.code)


@feeds_app.command("add")
def feeds_add(ctx: typer.Context, url: str = typer.Argument(..., help="The feed's http(s) URL."),
              name: str = typer.Option("", "--name", help="A name for the feed (default: the feed's own title).")) -> None:
    """Subscribe to a feed."""
    with follow_errors():
        feed = follow_db_or_fail(ctx).add_feed(url, name)
    typer.echo(f"subscribed to {terminal_safe(feed.url)} (#{feed.id}); `assistant update` fetches it")


@feeds_app.command("list")
def feeds_list(ctx: typer.Context) -> None:
    """The subscriptions: name, URL, last fetch, items, and health (failing, quiet, pages skipped)."""
    from datetime import timezone
    from assistant.follow.health import RECENT_ITEMS, feed_problems
    with follow_errors():
        database = follow_db_or_fail(ctx)
        feeds = database.feeds()
        now = datetime.now(timezone.utc)
        problems = {feed.id: feed_problems(feed, database.item_dates(feed.id, RECENT_ITEMS), now) for feed in feeds}
    if not feeds:
        typer.echo("no subscriptions; add one with `assistant feeds add URL`")
    for feed in feeds:
        lines = [f"#{feed.id} {terminal_safe(feed.title)}"]
        if feed.name:
            lines.append(f"    {terminal_safe(feed.url)}")
        lines.append(f"    last fetch {feed.last_fetch or 'never'} · {feed.last_status} · {feed.items} items · "
                     f"{feed.new_items} new so far")
        health = problems[feed.id]
        lines += [f"    problem since {p.since}: {terminal_safe(p.reason)}" for p in health]
        if not health:
            lines.append("    healthy" if feed.last_success else "    not fetched yet")
        if feed.last_error and feed.last_status != "failed":
            lines.append(f"    last error: {terminal_safe(feed.last_error)}")
        typer.echo("\n".join(lines))


@feeds_app.command("remove")
def feeds_remove(ctx: typer.Context, feed: str = typer.Argument(..., help="The feed's URL or #number.")) -> None:
    """Unsubscribe (articles already stored stay in the index)."""
    with follow_errors():
        removed = follow_db_or_fail(ctx).remove_feed(feed.lstrip("#"))
    typer.echo(f"unsubscribed from {terminal_safe(removed.url)}")


MAX_REFUSED_LINES = 5  # outlines named one by one when an import refuses some; the rest are counted


@feeds_app.command("import")
def feeds_import(ctx: typer.Context, file: Path = typer.Argument(..., help="An OPML file exported by a feed reader."),
                 quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar.")) -> None:
    """Subscribe to every feed of an OPML file (ones already subscribed are skipped), in one transaction."""
    from assistant.follow.opml import read_opml_file
    with follow_errors():
        outlines = read_opml_file(file)
        added, skipped, refused = follow_db_or_fail(ctx).add_feeds(outlines, progress=not quiet)
    for line in refused[:MAX_REFUSED_LINES]:
        typer.secho(f"refused: {terminal_safe(line)}", fg=typer.colors.RED, err=True)
    if len(refused) > MAX_REFUSED_LINES:
        typer.secho(f"refused: {len(refused) - MAX_REFUSED_LINES} more outlines that are not http(s) feed URLs",
                    fg=typer.colors.RED, err=True)
    typer.echo(f"{added} feeds added, {skipped} already subscribed" + (f", {len(refused)} refused" if refused else ""))
    if refused:
        raise typer.Exit(2)


@feeds_app.command("export")
def feeds_export(ctx: typer.Context, out: Optional[Path] = typer.Option(None, "--out", help="Write here (default: print).")) -> None:
    """The subscriptions as OPML, for a feed reader (reads only the feeds' URLs and names, so it works from a
    database whose other parts are damaged)."""
    from assistant.follow.opml import write_opml
    from assistant.outputs import OutputError, check_output, write_output
    try:
        if out is not None:
            check_output(out)
        with follow_errors():
            text = write_opml(follow_db_or_fail(ctx).subscriptions())
        if out is None:
            typer.echo(text, nl=False)
            return
        write_output(out, text)
    except OutputError as exc:
        fail(str(exc))
    typer.echo(f"wrote {terminal_safe(out)}")


@topics_app.command("add")
def topics_add(ctx: typer.Context, topic: str = typer.Argument(..., help='e.g. "chip plant" or "Veridian".')) -> None:
    """Follow a topic, person or company: the briefing lists every new cited item on it."""
    with follow_errors():
        added = follow_db_or_fail(ctx).add_topic(topic)
    typer.echo(f"following {terminal_safe(added)!r}")


@topics_app.command("list")
def topics_list(ctx: typer.Context) -> None:
    """The topics on the watchlist."""
    with follow_errors():
        topics = follow_db_or_fail(ctx).topics()
    for topic in topics:
        typer.echo(terminal_safe(topic))


@topics_app.command("remove")
def topics_remove(ctx: typer.Context, topic: str) -> None:
    """Stop following a topic."""
    with follow_errors():
        follow_db_or_fail(ctx).remove_topic(topic)
    typer.echo(f"no longer following {terminal_safe(topic)!r}")


@app.command()
def update(ctx: typer.Context, quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
           workers: int = typer.Option(4, min=1, max=32, help="Feeds fetched at once.")) -> None:
    """Fetch every subscribed feed once and ingest new and changed items.

    Exit code 1 when a feed or an item failed (the others are stored); the summary says how many
    items were stored from the feed's own text because their page was skipped, and why.
    """
    from assistant.follow.update import update_feeds
    from assistant.store import StoreError
    with follow_errors():
        database = follow_db_or_fail(ctx)
        if not database.feeds():
            fail("no subscriptions; add one with `assistant feeds add URL`")
        services = services_or_fail(ctx)
        try:
            report = update_feeds(services, database, progress=not quiet, workers=workers,
                                  on_error=lambda line: typer.secho(f"failed: {terminal_safe(line)}", fg=typer.colors.RED, err=True))
        except StoreError as exc:  # another writer held the index too long, or its disk is full
            fail(str(exc), code=1)
    typer.echo(report.summary())
    if not report.complete:
        raise typer.Exit(1)


@app.command()
def daily(ctx: typer.Context, day: Optional[str] = typer.Option(None, "--date", help="YYYY-MM-DD (default: yesterday)."),
          no_update: bool = typer.Option(False, "--no-update", help="Do not fetch the feeds first."),
          quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """The daily job, for cron or systemd: update the feeds, write, archive and mail the briefing."""
    from datetime import date as date_type
    from assistant.follow.daily import run_daily
    from assistant.store import StoreError
    chosen = None
    if day:
        try:
            chosen = date_type.fromisoformat(day)
        except ValueError:
            fail(f"--date {day!r} is not YYYY-MM-DD")
    follow_db_or_fail(ctx)
    services = services_or_fail(ctx)
    chat_model_or_fail(services)
    with follow_errors():
        try:
            report = run_daily(services, chosen, progress=not quiet, update=not no_update)
        except StoreError as exc:
            fail(str(exc), code=1)
    for line in report.lines:
        typer.echo(terminal_safe(line))


@app.command()
def watch(ctx: typer.Context) -> None:
    """Headless schedule for servers: update the feeds every update_every_minutes, brief daily at briefing_time."""
    import logging
    from assistant.follow.schedule import make_scheduler
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    follow_db_or_fail(ctx)
    services = services_or_fail(ctx)
    chat_model_or_fail(services)
    settings = ctx.obj.settings
    typer.echo(f"watching: feeds every {settings.update_every_minutes} min, briefing at {settings.briefing_time} "
               f"{settings.briefing_timezone} (Ctrl+C to stop)")
    with follow_errors():
        try:
            make_scheduler(services, blocking=True).start()
        except (KeyboardInterrupt, SystemExit):
            pass


def claim_judge_or_fail(ctx: typer.Context):
    """The chat model as a support judge (verify --judge, eval-verifier --frank-judge), or one line if it cannot load."""
    from assistant.grounding.judge import ClaimJudge
    services = services_or_fail(ctx, must_exist=False)
    chat_model_or_fail(services)
    return ClaimJudge(services.chat_model)


@app.command()
def verify(ctx: typer.Context, file: Path = typer.Argument(..., help='JSON lines: {"id", "text" (with [n] markers), "passages": [str, ...]}.'),
           out: Optional[Path] = typer.Option(None, "--out", help="Write the results here (default: print them)."),
           judge: bool = typer.Option(False, "--judge", help="Let the chat model read each sentence against its best source sentences too (about 2 s a sentence on 2 cores; the figures in docs/verifier.md).")) -> None:
    """Check each sentence of any text against its passages: state (supported, weak, unsupported), score and reason, as JSON lines.

    Example: assistant verify claims.jsonl --out checked.jsonl"""
    from assistant.models.embeddings import get_embeddings
    from assistant.outputs import OutputError, check_output, write_output
    from assistant.grounding.verify_file import VerifyInputError, verify_lines
    from assistant.safety import terminal_json
    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        if out is not None:
            check_output(out)  # before the model loads and the whole file is checked
    except OutputError as exc:
        fail(str(exc))
    settings = ctx.obj.settings
    embeddings = get_embeddings(settings.embedding_model, settings.embedding_batch_size)
    claim_judge = claim_judge_or_fail(ctx).score if judge else None
    try:
        lines = [terminal_json(row) for row in verify_lines(file, embeddings.encode, settings.support_threshold,
                                                            judge=claim_judge)]
    except VerifyInputError as exc:
        fail(str(exc))
    if out is None:
        for line in lines:
            typer.echo(line)
        return
    try:
        write_output(out, "\n".join(lines) + "\n")
    except OutputError as exc:
        fail(str(exc))
    typer.echo(f"wrote {terminal_safe(out)} ({len(lines)} texts)")


def report_and_gate(out: Path, report: dict, thresholds: Optional[Path]) -> None:
    """Write report.json, print its overall figures, and exit 1 when a figure misses its threshold."""
    from assistant.evals.report import check_thresholds
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    for key, value in report["summary"]["overall"].items():
        typer.echo(f"{key:<44} {value}")
    failures = check_thresholds(report["summary"], thresholds) if thresholds else []
    for failure in failures:
        typer.secho(f"below threshold: {failure}", fg=typer.colors.RED, err=True)
    if failures:
        raise typer.Exit(1)


@app.command("eval-verifier")
def eval_verifier(ctx: typer.Context,
                  corpus: Path = typer.Argument(..., help="Articles (.jsonl) to take sentences from, e.g. the MultiHop corpus."),
                  labels: Path = typer.Option(Path("evals/verifier/labels.jsonl"), help="Hand labels, scored beside."),
                  per_kind: int = typer.Option(40, help="Unfaithful sentences per error type (twice as many faithful)."),
                  seed: int = typer.Option(7, help="Which sentences and perturbations (fixed for comparable runs)."),
                  out: Path = typer.Option(Path("out/verifier-eval"), help="Folder for report.json."),
                  thresholds: Optional[Path] = typer.Option(None, help="TOML of minimum figures; exit 1 when one is missed."),
                  frank: Optional[Path] = typer.Option(None, help="FRANK's human-labelled summaries (valid.jsonl): the figures of record, learned check cross-validated by article, the rules beside it."),
                  frank_every: int = typer.Option(1, min=1, help="Score every n-th FRANK article only (CI uses a sample)."),
                  frank_judge: bool = typer.Option(False, "--frank-judge", help="With --frank: the chat-model judge too, as `verify --judge` runs it (scores cached in cache_dir).")) -> None:
    """Score the citation verifier on perturbed article sentences (entity, number, negation, relation, added detail)
    and, with --frank, on summaries people labelled."""
    from assistant.evals.perturb import build
    from assistant.evals.verifier_eval import hand_labels, score_examples
    from assistant.models.embeddings import get_embeddings
    if not corpus.is_file():
        fail(f"{corpus}: no such file")
    settings = ctx.obj.settings
    encode = get_embeddings(settings.embedding_model, settings.embedding_batch_size).encode
    examples = [{"text": e.text, "passage": e.passage, "supported": e.supported, "kind": e.kind, "id": e.id}
                for e in build(corpus, per_kind, seed)]
    perturbed = score_examples(examples, encode, settings.support_threshold, progress=True)
    summary = {"overall": {f"verifier.{k}": v for k, v in perturbed["summary"].items()}}
    if labels.is_file():
        labelled = score_examples(hand_labels(labels), encode, settings.support_threshold)
        summary["overall"].update({f"verifier.hand.{k}": v for k, v in labelled["summary"].items()})
    if frank is not None:
        from assistant.evals.support_training import frank_figures
        if not frank.is_file():
            fail(f"{frank}: no such file")
        from assistant.grounding.support_model import shipped_model
        claim_judge = claim_judge_or_fail(ctx) if frank_judge else None
        figures, _, _ = frank_figures(frank, encode, claim_judge, settings.cache_dir / "frank-judge.json", every=frank_every,
                                      rules_threshold=settings.support_threshold,
                                      shipped=shipped_model("judge") if frank_judge else None)
        summary["overall"].update({f"verifier.{k}": v for k, v in figures.items()})
    report_and_gate(out, {"summary": summary, "threshold": settings.support_threshold, "details": perturbed["details"]},
                    thresholds)


@app.command("eval-summaries")
def eval_summaries(ctx: typer.Context,
                   corpus: Path = typer.Argument(..., help="The articles the gold refers to (.jsonl), e.g. the MultiHop corpus."),
                   gold: Path = typer.Option(Path("evals/summaries"), help="Folder with articles.jsonl and topics.jsonl."),
                   out: Path = typer.Option(Path("out/summary-eval"), help="Folder for report.json."),
                   thresholds: Optional[Path] = typer.Option(None, help="TOML of minimum/maximum figures; exit 1 when one is missed."),
                   every: int = typer.Option(1, min=1, help="Score every n-th gold article only (CI uses 2)."),
                   quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """Score article and topic summaries against gold central claims, key facts and timeline order."""
    from assistant.evals.orchestrate import eval_settings
    from assistant.evals.summary_eval import run_summary_eval
    if not corpus.is_file():
        fail(f"{corpus}: no such file")
    settings = eval_settings(ctx.obj.settings, corpus.parent, ctx.obj.index_given)
    services = services_or_fail(ctx, settings)
    chat_model_or_fail(services)
    from assistant.evals.summary_eval import gold_article_ids
    from assistant.ingest.pipeline import IngestReport, ingest_articles, load_articles
    needed = gold_article_ids(gold)
    articles, _ = load_articles([str(corpus)], settings)
    outcomes = ingest_articles([a for a in articles if a.id in needed], services.store, services.embeddings, settings,
                               progress=not quiet)
    typer.echo(f"gold articles: {IngestReport(outcomes=outcomes).summary()}")
    try:
        result = run_summary_eval(services, corpus, gold, progress=not quiet, every=every)
    except (ValueError, FileNotFoundError, KeyError) as exc:
        fail(str(exc))
    report_and_gate(out, result, thresholds)


@bench_app.command("ingest")
def bench_ingest(ctx: typer.Context,
                 corpus: Path = typer.Argument(..., help="A .jsonl corpus, e.g. ../shared/data/multihop-rag/corpus.jsonl"),
                 limit: int = typer.Option(0, help="Only the first N articles (0 = all)."),
                 backend: Optional[str] = typer.Option(None, help="torch, onnx or onnx-int8 (default: the setting).")) -> None:
    """Ingest a corpus into a fresh temporary index and compare with bare encode speed."""
    from assistant.benchmarks import run_ingest_benchmark
    settings = ctx.obj.settings.model_copy(update={"embedding_backend": backend}) if backend else ctx.obj.settings
    for line in run_ingest_benchmark(corpus, settings, limit):
        typer.echo(line)


@bench_app.command("startup")
def bench_startup(ctx: typer.Context,
                  corpus: Path = typer.Argument(Path("evals/gold/corpus.jsonl"), help="Articles for a fresh index (unless "
                                                "--index names an existing one)."),
                  runs: int = typer.Option(5, min=1, help="Fresh processes per command (the median is reported)."),
                  query: str = typer.Option("Quds Force leader", help="What `search` looks for."),
                  question: str = typer.Option("Who is the new leader of the Quds Force?", help="What `ask` is asked."),
                  no_ask: bool = typer.Option(False, "--no-ask", help="Skip `ask` (it needs the chat model).")) -> None:
    """Wall time of `--help`, `stats`, `search` and `ask` from a fresh process each (median of --runs)."""
    import tempfile
    from assistant.benchmarks import run_startup_benchmark
    from assistant.store import is_store
    settings = ctx.obj.settings
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder:
        index = settings.index_dir
        if not (ctx.obj.index_given and is_store(index)):
            if not corpus.is_file():
                fail(f"{corpus}: no such file")
            index = Path(folder) / "index"
            services = services_or_fail(ctx, settings.model_copy(update={"index_dir": index, "chroma_url": None}))
            typer.echo(f"index: {services_ingest(services, [str(corpus)], True).summary()}")
        typer.echo(f"{runs} fresh processes per command; index {index}")
        try:
            for line in run_startup_benchmark(index, runs, query, question, with_ask=not no_ask):
                typer.echo(line)
        except RuntimeError as exc:
            fail(str(exc), code=1)


@bench_app.command("update")
def bench_update(ctx: typer.Context, feeds: int = typer.Option(50, help="Local feeds."),
                 items: int = typer.Option(20, help="Items per feed.")) -> None:
    """`update` over local feeds: cold, then again with nothing new (conditional GET), items/s, peak memory."""
    import tempfile
    from assistant.benchmarks import peak_rss_mb
    from assistant.evals.feedsite import NewsSite
    from assistant.follow.database import FollowDatabase
    from assistant.follow.update import update_feeds
    from assistant.services import build_services
    site = NewsSite(feeds=feeds, items_per_day=items)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-update-") as folder:
            settings = ctx.obj.settings.model_copy(update={"index_dir": Path(folder) / "index", "chroma_url": None,
                                                           "allow_private_urls": True})
            services = build_services(settings)
            database = FollowDatabase(Path(folder) / "follow.sqlite3")
            for n in range(feeds):
                database.add_feed(f"{site.base}/feed/{n}")
            for label in ("cold", "nothing new"):
                started = time.perf_counter()
                report = update_feeds(services, database, progress=False)
                seconds = time.perf_counter() - started
                typer.echo(f"{label:<12} {seconds:6.1f} s  {report.summary()}  "
                           f"{(report.new + report.updated) / seconds:6.1f} items/s  peak RSS {peak_rss_mb():.0f} MB")
    finally:
        site.close()


@bench_app.command("scale")
def bench_scale(ctx: typer.Context,
                dataset: Path = typer.Argument(Path("../shared/data/multihop-rag"), help="The MultiHop dataset folder (its eval index is the source)."),
                sizes: str = typer.Option("1000,10000,100000", help="Chunk counts, comma-separated."),
                server: bool = typer.Option(False, "--server", help="Also on a Chroma server (`chroma run`)."),
                out: Path = typer.Option(Path("docs/scale.json"), help="Figures as JSON (and a PNG plot beside it).")) -> None:
    """Retrieval, BM25 and memory at 1k/10k/100k chunks of synthetic news (perturbed MultiHop copies)."""
    from assistant.benchmarks import run_scale_benchmark, write_scale_plot
    from assistant.evals.datasets import load_dataset
    from assistant.evals.orchestrate import eval_index_dir, prepare
    settings = ctx.obj.settings
    data = load_dataset(dataset)
    source_settings = settings.model_copy(update={"index_dir": eval_index_dir(settings, dataset)})
    typer.echo(prepare(services_or_fail(ctx, source_settings), data, True))
    questions = [q.question for q in data.questions[:40]]
    rows = []
    for kind in ([False, True] if server else [False]):
        for row in run_scale_benchmark(settings, source_settings.index_dir, [int(s) for s in sizes.split(",")], questions,
                                       server=kind):
            rows.append(row)
            typer.echo("  ".join(f"{k} {v}" for k, v in row.items()))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2))
    write_scale_plot(rows, out.with_suffix(".png"))
    typer.echo(f"wrote {out} and {out.with_suffix('.png')}")


@bench_app.command("parallel")
def bench_parallel(ctx: typer.Context,
                   dataset: Path = typer.Argument(Path("../shared/data/multihop-rag"), help="Questions whose real answer prompts are replayed."),
                   users: str = typer.Option("1,2,4,8", help="Concurrent users, comma-separated.")) -> None:
    """llama.cpp parallel slots vs one slot, on the chain's real answer prompts (time to first token, answers/min)."""
    from assistant.benchmarks import run_parallel_benchmark
    from assistant.evals.datasets import load_dataset, stratified
    from assistant.evals.orchestrate import eval_settings, prepare
    from assistant.models.gguf import embedded_model_path
    settings = eval_settings(ctx.obj.settings, dataset, ctx.obj.index_given)
    services = services_or_fail(ctx, settings)
    data = load_dataset(dataset)
    typer.echo(prepare(services, data, False))
    chain = services.answer_chain
    prompts = []
    for question in stratified([q for q in data.questions if q.question_type == "inference_query"], 8):
        result = chain.ask(question.question)
        if result.prompt_inputs:
            prompts.append([{"role": "system" if m.type == "system" else "user", "content": m.content}
                            for m in chain.answer_prompt.format_messages(**result.prompt_inputs)])
    path = settings.llm_model_path or embedded_model_path(settings.cache_dir / "models")
    for row in run_parallel_benchmark(path, prompts, [int(u) for u in users.split(",")], settings.llm_threads):
        typer.echo("  ".join(f"{k} {v}" for k, v in row.items()))


@bench_app.command("qa")
def bench_qa(ctx: typer.Context,
             dataset: Path = typer.Argument(..., help="A dataset folder (corpus.jsonl + qa.jsonl), e.g. ../shared/data/multihop-rag"),
             limit: int = typer.Option(12, help="Stratified sample of N questions.")) -> None:
    """Per-question latency of the answer chain against the bare model on the same prompt."""
    from assistant.benchmarks import run_qa_benchmark
    from assistant.evals.datasets import load_dataset, stratified
    from assistant.evals.orchestrate import eval_settings, prepare
    data = load_dataset(dataset)
    settings = eval_settings(ctx.obj.settings, dataset, ctx.obj.index_given)
    services = services_or_fail(ctx, settings)
    typer.echo(prepare(services, data, True))
    chat_model_or_fail(services)
    for line in run_qa_benchmark(services.answer_chain, stratified(data.questions, limit), settings):
        typer.echo(line)


@app.command("mcp")
def mcp_command(ctx: typer.Context,
                transport: str = typer.Option("stdio", help="stdio (for desktop assistants and IDEs) or http (streamable HTTP at /mcp)."),
                host: str = typer.Option("127.0.0.1", help="http: interface to bind; anything but loopback needs api_token."),
                port: int = typer.Option(8766, help="http: port (1-65535).")) -> None:
    """Serve the assistant to MCP clients: search, ask, summarize, briefing, verify, ingest, list; briefings as resources."""
    from assistant.api.guard import bind_problem
    from assistant.api.mcp_server import run_mcp
    if transport not in ("stdio", "http"):
        fail(f"--transport {transport!r}: choose stdio or http")
    settings = ctx.obj.settings
    if transport == "http":
        if not 1 <= port <= 65535:
            fail(f"--port {port}: a port is a number from 1 to 65535")
        if bind_problem(host, settings.api_token):
            fail(bind_problem(host, settings.api_token))
        typer.echo(f"MCP on http://{host}:{port}/mcp  (Ctrl+C to stop)", err=True)
    services = services_or_fail(ctx)
    try:
        run_mcp(services, "stdio" if transport == "stdio" else "streamable-http", host, port, settings.api_token)
    except KeyboardInterrupt:
        pass


@app.command("api")
def api_command(ctx: typer.Context, host: str = typer.Option("127.0.0.1", help="Interface to bind; anything but loopback needs api_token."),
                port: int = typer.Option(8765, help="Port (1-65535).")) -> None:
    """Serve an OpenAI-compatible /v1/chat/completions and JSON routes for search, summaries and briefings."""
    import socket
    from assistant.api.guard import bind_problem
    from assistant.api.http import run_api
    settings = ctx.obj.settings
    if not 1 <= port <= 65535:
        fail(f"--port {port}: a port is a number from 1 to 65535")
    if bind_problem(host, settings.api_token):
        fail(bind_problem(host, settings.api_token))
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            fail(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port")
    services = services_or_fail(ctx)
    typer.echo(f"API on http://{host}:{port}/v1 (model news-assistant){' with bearer token' if settings.api_token else ''}  (Ctrl+C to stop)")
    run_api(services, host, port, settings.api_token)


@bench_app.command("audio")
def bench_audio(ctx: typer.Context, minutes: float = typer.Option(2.0, min=0.1, max=30, help="Length of the synthetic briefing.")) -> None:
    """Read a synthetic briefing aloud: seconds of rendering per minute of audio (bar: at most 60, i.e. real time)."""
    from assistant.briefing.audio import AudioUnavailable
    from assistant.briefing.audio_bench import run_audio_benchmark
    try:
        lines = run_audio_benchmark(ctx.obj.settings, minutes, progress=True)
    except AudioUnavailable as exc:
        fail(str(exc), code=1)
    for line in lines:
        typer.echo(line)


@app.command("stories")
def stories_command(ctx: typer.Context,
                    day: Optional[str] = typer.Option(None, "--date", help="YYYY-MM-DD (default: the latest day with articles)."),
                    as_json: bool = typer.Option(False, "--json", help="Print one JSON object: the day's stories with their ledgers."),
                    quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """Stories across days as of a day: first report, outlets and days, who covered them, and each claim's ledger."""
    from datetime import date as date_type
    from assistant.briefing.continuity import feed_problems
    from assistant.briefing.stories import latest_day
    from assistant.stories.memory import StoryMemoryError
    from assistant.stories.outlets import OutletFileError
    from assistant.stories.render import feed_problems_markdown, story_markdown
    from assistant.stories.update import catch_up, open_memory
    from assistant.stories.view import StoryReader
    services = services_or_fail(ctx, need_articles=True)
    settings = services.settings
    chosen = None
    if day:
        try:
            chosen = date_type.fromisoformat(day)
        except ValueError:
            fail(f"--date {day!r} is not YYYY-MM-DD")
    chosen = chosen or latest_day(services.store, settings.briefing_timezone)
    try:
        memory = open_memory(settings, services.embeddings.name)
        catch_up(settings, services.store, services.embeddings.encode, memory, chosen, progress=not quiet and not as_json)
        views = StoryReader(settings, memory).views_on(chosen)
    except (StoryMemoryError, OutletFileError) as exc:
        fail(str(exc))
    problems = feed_problems(settings)
    if as_json:
        typer.echo(json.dumps({"day": chosen.isoformat(), "stories": [v.json() for v in views], "feed_problems": problems},
                              ensure_ascii=False))
        return
    typer.echo(terminal_safe(f"# Stories on {chosen.isoformat()}\n"))
    typer.echo(terminal_safe("\n".join(story_markdown(v) for v in views) or "No stories on this day.\n"))
    if problems:
        typer.echo(terminal_safe(feed_problems_markdown(problems)))


@app.command("eval-stories")
def eval_stories(ctx: typer.Context,
                 fixture: Path = typer.Argument(Path("evals/stories"), help="Folder with corpus.jsonl, gold.json and outlets.toml."),
                 multihop: Optional[Path] = typer.Option(None, "--multihop", help="Also score cross-day linking on this MultiHop folder's corpus.jsonl."),
                 pairs: Path = typer.Option(Path("evals/stories/multihop-pairs.jsonl"), help="Hand-labelled MultiHop pairs (with --multihop)."),
                 out: Path = typer.Option(Path("out/stories-eval"), help="Folder for report.json."),
                 thresholds: Optional[Path] = typer.Option(None, help="TOML of minimum figures; exit 1 when one is missed."),
                 quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """Score the story memory: ledger states per status and cross-day linking on the fixture (and on MultiHop)."""
    from assistant.evals.stories_eval import run_fixture, run_multihop
    from assistant.models.embeddings import EmbeddingModelError, get_embeddings
    for path in (fixture / "corpus.jsonl", fixture / "gold.json"):
        if not path.is_file():
            fail(f"{path}: no such file")
    if multihop is not None and not (multihop / "corpus.jsonl").is_file():
        fail(f"--multihop {multihop}: no corpus.jsonl there")
    if multihop is not None and not pairs.is_file():
        fail(f"--pairs {pairs}: no such file")
    settings = ctx.obj.settings
    try:
        embeddings = get_embeddings(settings.embedding_model, settings.embedding_batch_size, settings.embedding_backend,
                                    settings.cache_dir)
    except EmbeddingModelError as exc:
        fail(str(exc))
    started = time.perf_counter()
    report = run_fixture(fixture, settings, embeddings.encode, embeddings.name)
    report["summary"]["overall"]["stories.fixture_seconds"] = round(time.perf_counter() - started, 2)
    if multihop is not None:
        extra = run_multihop(multihop / "corpus.jsonl", pairs, settings, embeddings.encode, embeddings.name, progress=not quiet)
        report["summary"]["overall"].update(extra["summary"]["overall"])
        report["multihop"] = extra
    report_and_gate(out, report, thresholds)


# Keep this after the last command: every command gets its example, every option its value name and help.
from assistant.cli_help import annotate  # noqa: E402
annotate(app)

if __name__ == "__main__":
    app()


@app.command("train-verifier")
def train_verifier(ctx: typer.Context,
                   frank: Path = typer.Argument(..., help="FRANK's human-labelled summaries (valid.jsonl)."),
                   judge: bool = typer.Option(False, "--judge", help="Also train the model that reads the chat model's Yes/No (slow: most of an hour on 2 cores; scores are cached)."),
                   out: Path = typer.Option(Path("out/train-verifier"), help="Folder for report.json."),
                   quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars.")) -> None:
    """Fit the learned support check on human labels and write its weights into the package.

    Example: assistant train-verifier ../shared/data/frank/valid.jsonl --judge"""
    from assistant.evals.support_training import frank_figures, trained
    from assistant.grounding.support_model import weights_path
    from assistant.models.embeddings import get_embeddings
    if not frank.is_file():
        fail(f"{frank}: no such file")
    settings = ctx.obj.settings
    encode = get_embeddings(settings.embedding_model, settings.embedding_batch_size).encode
    judge_model = None
    if judge:
        from assistant.grounding.judge import ClaimJudge
        services = services_or_fail(ctx, must_exist=False)
        chat_model_or_fail(services)
        judge_model = ClaimJudge(services.chat_model)
    figures, summaries, scores = frank_figures(frank, encode, judge_model, settings.cache_dir / "frank-judge.json",
                                               rules_threshold=settings.support_threshold, progress=not quiet)
    model = trained(summaries, scores)
    path = weights_path("judge" if judge else "features")
    path.write_text(json.dumps(model.to_json(), indent=2) + "\n")
    report_and_gate(out, {"summary": {"overall": figures}, "weights": str(path), "model": model.to_json()}, None)
    typer.echo(f"weights: {path}")
