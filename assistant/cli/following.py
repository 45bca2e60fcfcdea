"""The following commands: feeds and topics (subscriptions, watchlist), update, daily and watch."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer

from assistant.cli.common import PLAIN_HELP, chat_model_or_fail, fail, parse_date, services_or_fail, terminal_safe

feeds_app = typer.Typer(help="Feed subscriptions: add, list, remove, import/export OPML.", **PLAIN_HELP)
topics_app = typer.Typer(help="Watchlist: topics, people or companies the briefing follows (\"Your topics\").", **PLAIN_HELP)


def follow_db_or_fail(ctx: typer.Context, create: bool = False):
    """The subscriptions database beside the index. Only subscribing (`create`) may start one; a folder with neither
    an index nor subscriptions is a typo in --index for every other command: one line, and nothing written there."""
    from assistant.follow.database import FollowDatabaseError, folder_problem, open_database
    problem = folder_problem(ctx.obj.settings, create)
    if problem:
        fail(problem)
    try:
        return open_database(ctx.obj.settings)
    except FollowDatabaseError as exc:
        fail(str(exc), code=exc.code)


def new_home_note(ctx: typer.Context) -> str:
    """A second line when subscribing starts the database in a folder with no index: a typo in --index shows."""
    from assistant.follow.database import new_home
    settings = ctx.obj.settings
    if not new_home(settings):
        return ""
    return (f"\nnew subscriptions database in {terminal_safe(settings.index_dir)} (no index there yet: "
            "`assistant update` creates it)")


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
    note = new_home_note(ctx)
    with follow_errors():
        feed = follow_db_or_fail(ctx, create=True).add_feed(url, name)
    typer.echo(f"subscribed to {terminal_safe(feed.url)} (#{feed.id}); `assistant update` fetches it" + note)


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
        note = new_home_note(ctx)
        added, skipped, refused = follow_db_or_fail(ctx, create=True).add_feeds(outlines, progress=not quiet)
    for line in refused[:MAX_REFUSED_LINES]:
        typer.secho(f"refused: {terminal_safe(line)}", fg=typer.colors.RED, err=True)
    if len(refused) > MAX_REFUSED_LINES:
        typer.secho(f"refused: {len(refused) - MAX_REFUSED_LINES} more outlines that are not http(s) feed URLs",
                    fg=typer.colors.RED, err=True)
    typer.echo(f"{added} feeds added, {skipped} already subscribed" + (f", {len(refused)} refused" if refused else "")
               + (note if added else ""))
    if refused:
        raise typer.Exit(2)


@feeds_app.command("export")
def feeds_export(ctx: typer.Context, out: Optional[Path] = typer.Option(None, "--out", help="Write here (default: print).")) -> None:
    """The subscriptions as OPML, for a feed reader (reads only the feeds' URLs and names, so it works from a
    database whose other parts are damaged)."""
    from assistant.follow.opml import write_opml
    from assistant.outputs import OutputError, check_output, write_output
    database = follow_db_or_fail(ctx)  # before the output is checked (which may create its folder)
    try:
        if out is not None:
            check_output(out)
        with follow_errors():
            text = write_opml(database.subscriptions())
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
def topics_remove(ctx: typer.Context, topic: str = typer.Argument(..., help="The topic exactly as `assistant topics list` shows it.")) -> None:
    """Stop following a topic."""
    with follow_errors():
        follow_db_or_fail(ctx).remove_topic(topic)
    typer.echo(f"no longer following {terminal_safe(topic)!r}")


def update(ctx: typer.Context, quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
           workers: int = typer.Option(4, min=1, max=32, help="Feeds fetched at once.")) -> None:
    """Fetch every subscribed feed once and ingest new and changed items.

    Exit code 1 when a feed or an item failed (the others are stored); the summary says how many
    items were stored from the feed's own text because their page was skipped, and why.
    """
    from assistant.follow.update import update_feeds
    from assistant.chroma_client import StoreError
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


def daily(ctx: typer.Context, day: Optional[str] = typer.Option(None, "--date", help="YYYY-MM-DD (default: yesterday)."),
          no_update: bool = typer.Option(False, "--no-update", help="Do not fetch the feeds first."),
          quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """The daily job, for cron or systemd: update the feeds, write, archive and mail the briefing."""
    from assistant.follow.daily import run_daily
    from assistant.chroma_client import StoreError
    chosen = parse_date(day)
    with follow_errors():
        subscribed = bool(follow_db_or_fail(ctx).feeds())
    # the index may be new only when this run's update is to fill it (subscribed before the first ingest)
    services = services_or_fail(ctx, must_exist=no_update or not subscribed)
    chat_model_or_fail(services)
    with follow_errors():
        try:
            report = run_daily(services, chosen, progress=not quiet, update=not no_update)
        except StoreError as exc:
            fail(str(exc), code=1)
    for line in report.lines:
        typer.echo(terminal_safe(line))


def watch(ctx: typer.Context) -> None:
    """Headless schedule for servers: update the feeds every update_every_minutes, brief daily at briefing_time."""
    import logging
    from assistant.follow.schedule import make_scheduler
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    with follow_errors():
        subscribed = bool(follow_db_or_fail(ctx).feeds())
    services = services_or_fail(ctx, must_exist=not subscribed)  # a new index only for the feeds to fill
    chat_model_or_fail(services)
    settings = ctx.obj.settings
    typer.echo(f"watching: feeds every {settings.update_every_minutes} min, briefing at {settings.briefing_time} "
               f"{settings.briefing_timezone} (Ctrl+C to stop)")
    with follow_errors():
        try:
            make_scheduler(services, blocking=True).start()
        except (KeyboardInterrupt, SystemExit):
            pass
