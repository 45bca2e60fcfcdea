"""The `assistant` command: the Typer app, its top-level options, and the table that puts each command in its
place (in the order `assistant --help` lists them). Parsing and printing only: each command group lives in a module
of its own here, and the work in the stages it calls. Heavy libraries load inside the commands, never at import.

The app lives in `__main__` so that the `assistant` script (`assistant.cli.__main__:app`) and `python -m assistant.cli`
run the same module; a package `__init__` that held it would need a re-exporting `__main__` one floor above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import typer

from assistant.cli import benches, briefings, evaluation, following, library, questions, servers, verifying
from assistant.cli.common import PLAIN_HELP, check_port, fail, require_store, services_or_fail
from assistant.cli.help_text import annotate
from assistant.services import Services, build_services
from assistant.settings import Settings, set_in_environment

app = typer.Typer(help="Offline-first news assistant: ingest articles, ask cited questions, read a briefing.",
                  epilog="Start:\n\n\b\n  assistant ingest articles/\n  assistant ask \"What did the council decide?\"\n"
                         "  assistant serve   (the page: chat, briefing, library, feeds)",
                  add_completion=False, pretty_exceptions_enable=False, **PLAIN_HELP)


@dataclass(frozen=True)
class Context:
    """What the top-level options decided, handed to every command through typer's context.

    `given`: ready-made parts (embeddings=, chat_model=) for build_services, from whoever called the app with
    `obj={...}` (the tests hand in their stand-in models this way instead of patching the model loaders)."""

    settings: Settings
    index_given: bool
    given: dict = field(default_factory=dict)

    def build_services(self, settings: Settings | None = None, **parts) -> Services:
        """The product's parts for `settings` (default: the context's), with the parts handed in and any named in
        `parts` in place of the ones the settings would build. The command modules get their parts here, so no
        module under the app imports the composition root."""
        return build_services(settings or self.settings, **{**self.given, **parts})


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
    given = dict(ctx.obj) if isinstance(ctx.obj, dict) else {}
    ctx.obj = Context(settings, index is not None or set_in_environment("index_dir"), given)


# `serve` is declared here rather than in a module of its own: the page (assistant.web.app) is the deepest room
# the command line reaches, and a command beside the app keeps a command module's floor off it.
def serve(ctx: typer.Context, host: str = typer.Option("127.0.0.1", help="Interface to bind (default: this machine only)."),
          port: int = typer.Option(7860, help="Port (1-65535).")) -> None:
    """Open the page: chat with clickable sources, briefing, stories, library, and a Feeds tab to subscribe,
    see each feed's last fetch and its error, and unsubscribe.

    While it runs, serve also runs the feed schedule, as `assistant watch` does: the subscribed feeds are
    fetched every update_every_minutes (60) and the day's briefing is written at briefing_time (07:00,
    briefing_timezone); with no subscriptions it runs nothing, and --set schedule_in_serve=false turns it
    off (cron with `assistant daily` instead).
    """
    import socket
    require_store(ctx.obj.settings)  # the page reads an index: a typo in --index is one line, not a new, empty store
    check_port(port)
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            fail(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port")
    from assistant.web.app import PageConfigError, serve as run_page
    settings = ctx.obj.settings
    if settings.schedule_in_serve:
        services = services_or_fail(ctx, must_exist=True)
        if services.follow_db.feeds():  # the schedule follows subscriptions; none, no background work
            from assistant.follow.schedule import make_scheduler
            make_scheduler(services, blocking=False).start()
    typer.echo(f"page on http://{host}:{port}  (Ctrl+C to stop)")
    try:
        run_page(settings, host, port, ctx.obj.build_services())
    except PageConfigError as exc:
        fail(str(exc))


# Every top-level command by its name, in the order `--help` lists them; then the command groups.
COMMANDS: tuple[tuple[str, Callable[..., None]], ...] = (
    ("ingest", library.ingest), ("check", library.check), ("search", questions.search), ("stats", library.stats),
    ("list", library.list_articles), ("remove", library.remove), ("ask", questions.ask),
    ("summarize", questions.summarize), ("briefing", briefings.briefing), ("serve", serve),
    ("eval", evaluation.eval_command), ("update", following.update), ("daily", following.daily),
    ("watch", following.watch), ("verify", verifying.verify), ("eval-verifier", evaluation.eval_verifier),
    ("eval-summaries", evaluation.eval_summaries), ("mcp", servers.mcp_command), ("api", servers.api_command),
    ("stories", briefings.stories_command), ("eval-stories", evaluation.eval_stories),
    ("train-verifier", verifying.train_verifier),
)
GROUPS: tuple[tuple[str, typer.Typer], ...] = (
    ("bench", benches.bench_app), ("feeds", following.feeds_app), ("topics", following.topics_app),
)

for _name, _command in COMMANDS:
    app.command(_name)(_command)
for _name, _group in GROUPS:
    app.add_typer(_group, name=_name)
# After the last command: every command gets its example, every option its value name and help.
annotate(app)


if __name__ == "__main__":
    app()
