"""The briefing commands: briefing (one day's cited stories) and stories (stories across days)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from assistant.cli.common import (chat_backend_or_fail, fail, parse_date, parse_when, services_or_fail,
                                  terminal_safe)


def briefing(ctx: typer.Context,
             day: Optional[str] = typer.Option(None, "--date", help="YYYY-MM-DD (default: the latest day with articles)."),
             since: Optional[str] = typer.Option(None, help="Start of a custom window (instead of --date)."),
             until: Optional[str] = typer.Option(None, help="End of a custom window."),
             source: list[str] = typer.Option([], "--source", help="Only this outlet (repeatable)."),
             out: Optional[Path] = typer.Option(None, "--out", help="Write FILE.md or FILE.html (default: print Markdown)."),
             quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """Write a cited briefing of one day's stories (Markdown or HTML)."""
    from assistant.briefing.render import to_html, to_markdown
    from assistant.models.chat import ChatModelError
    from assistant.outputs import OutputError, check_output, write_output
    window = None
    if since or until:
        if not (since and until):
            fail("--since and --until go together")
        window = (parse_when(since, "since"), parse_when(until, "until"))
    chosen_day = parse_date(day)
    if chosen_day is not None:
        if not 1900 <= chosen_day.year <= 2200:
            fail(f"--date {day}: out of range (a briefing day lies between 1900 and 2200)")
    if out is not None:
        try:
            check_output(out)
        except OutputError as exc:
            fail(str(exc))
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
        write_output(out, text)
    except OutputError as exc:
        fail(str(exc))
    typer.echo(f"wrote {out} ({len(result.stories)} stories, {len(result.sources)} sources, "
               f"{result.timings.get('total_s', 0):.0f} s); stored {stored}")


def stories_command(ctx: typer.Context,
                    day: Optional[str] = typer.Option(None, "--date", help="YYYY-MM-DD (default: the latest day with articles)."),
                    as_json: bool = typer.Option(False, "--json", help="Print one JSON object: the day's stories with their ledgers."),
                    quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """Stories across days as of a day: first report, outlets and days, who covered them, and each claim's ledger."""
    from assistant.briefing.continuity import feed_problems
    from assistant.briefing.stories import latest_day
    from assistant.stories.memory import StoryMemoryError
    from assistant.stories.outlets import OutletFileError
    from assistant.stories.render import feed_problems_markdown, story_markdown
    services = services_or_fail(ctx, need_articles=True)
    settings = services.settings
    chosen = parse_date(day) or latest_day(services.store, settings.briefing_timezone)
    try:
        views = services.story_views(chosen, progress=not quiet and not as_json)
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
