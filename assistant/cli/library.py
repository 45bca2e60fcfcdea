"""The library commands: ingest, check, stats, list, remove."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Optional

import typer

from assistant.cli.common import (fail, filters_from, parse_day, services_ingest, services_or_fail,
                                  store_services_or_fail, terminal_safe)


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
    from assistant.ingest.sources.provenance import ArticleDefaults
    from assistant.chroma_client import StoreError
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


def check(ctx: typer.Context, repair: bool = typer.Option(False, "--repair", help="Re-embed and rewrite damaged articles."),
          quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """Check that every stored chunk has its vector and that dense search finds it; --repair fixes what is not."""
    from assistant.ingest.integrity import check_store, repair as repair_store
    from assistant.chroma_client import IndexBusyError
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


def remove(ctx: typer.Context,
           ids: list[str] = typer.Argument(..., help="Article ids, as `assistant list` shows them.")) -> None:
    """Delete articles from the index (every chunk and its vector, under the index's write lock)."""
    from assistant.chroma_client import StoreError
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
