"""What every command shares: one-line errors, the checks made before any model loads, and the product's parts
opened or refused in one line. Heavy modules are imported inside the helpers, so `--help` stays light."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import NoReturn, Optional

import typer

from assistant.settings import Settings

# Plain help (rich_markup_mode=None): every character as written (rich markup ate "[n]"), no <bool> noise, and
# no rich import at start-up; assistant/cli/help_text.py adds the examples and value names.
PLAIN_HELP = {"rich_markup_mode": None, "no_args_is_help": True}


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr and an exit code: 2 for bad input or settings, 1 when the work itself could not run."""
    typer.secho(f"error: {terminal_safe(message)}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def terminal_safe(text: str) -> str:
    """Text from articles, without control characters (an escape sequence in a title must not drive the terminal)."""
    from assistant.safety import terminal_text
    return terminal_text(text)


def require_store(settings: Settings) -> None:
    """Commands that read the index need one there: a typo in --index is an error, not a new, empty store
    (only the commands that write articles create one)."""
    if settings.chroma_url:
        return
    from assistant.settings import is_store
    folder = settings.index_dir
    if folder.exists() and not folder.is_dir():
        fail(f"{folder}: the index path is a file, not a folder; choose another --index")
    if not is_store(folder):
        fail(f"{folder}: no index there; check --index, or create one with `assistant ingest PATH`")


def services_or_fail(ctx: typer.Context, settings: Settings | None = None, need_articles: bool = False,
                     must_exist: bool | None = None):
    """The product's parts (built by the app's context, `cli.__main__.Context.build_services`), or a one-line error naming
    what is wrong with the store or the models.

    `must_exist` (the default when the command needs articles): the index must be there already."""
    from assistant.models.embeddings import EmbeddingModelError
    from assistant.startup import quiet_first_export
    from assistant.chroma_client import StoreError
    settings = settings or ctx.obj.settings
    if need_articles if must_exist is None else must_exist:
        require_store(settings)
    services = ctx.obj.build_services(settings)
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
    from assistant.startup import StoredEmbedder
    from assistant.chroma_client import StoreError, make_client, stored_embedding
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
    services = ctx.obj.build_services(settings, embeddings=StoredEmbedder(*identity))
    try:
        services.store
    except StoreError as exc:
        fail(str(exc))
    return services


def embeddings_or_fail(ctx: typer.Context):
    """The embedder alone, for the commands that compare texts without a store (verify, eval-verifier,
    eval-stories, train-verifier): the services' one, built from the settings (or the one handed in)."""
    from assistant.models.embeddings import EmbeddingModelError
    from assistant.startup import quiet_first_export
    try:
        with quiet_first_export():
            return ctx.obj.build_services().embeddings
    except EmbeddingModelError as exc:
        fail(str(exc))


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


def claim_judge_or_fail(ctx: typer.Context):
    """The chat model as a support judge (verify --judge, eval-verifier --frank-judge), or one line if it cannot load."""
    from assistant.grounding.judge import ClaimJudge
    services = services_or_fail(ctx, must_exist=False)
    chat_model_or_fail(services)
    return ClaimJudge(services.chat_model)


def services_ingest(services, inputs: list[str], quiet: bool, defaults=None):
    """Ingest through the services, with the outlet and date given on the command line (if any)."""
    on_error = lambda line: typer.secho(f"failed: {terminal_safe(line)}", fg=typer.colors.RED, err=True)  # noqa: E731
    if defaults is None:
        return services.ingest(inputs, progress=not quiet, on_error=on_error)
    from assistant.ingest.pipeline import ingest as run_ingest
    return run_ingest(inputs, services.store, services.embeddings, services.settings, progress=not quiet,
                      on_error=on_error, defaults=defaults)


# --- values typed on the command line -------------------------------------------------------------------------

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


def parse_date(value: Optional[str]):
    """--date as a calendar day (briefing, stories, daily), or a one-line error; None when not given."""
    if not value:
        return None
    from datetime import date as date_type
    try:
        return date_type.fromisoformat(value)
    except ValueError:
        fail(f"--date {value!r} is not YYYY-MM-DD")


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


def check_port(port: int) -> None:
    if not 1 <= port <= 65535:
        fail(f"--port {port}: a port is a number from 1 to 65535")


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
