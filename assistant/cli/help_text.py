"""What `--help` shows beyond each command's docstring: an example per command, and the value names and help
text every option needs, so that the help reads DATE, N and TEXT rather than <str>, <int> and <bool>.

Kept as tables beside the commands (and applied to them once, in `annotate`), so that a command added later
gets the same treatment and a test can check that none lacks an example or a line of help.
"""

from __future__ import annotations

import inspect

from typer.core import TyperArgument, TyperCommand

# One example per command (by its full name); shown under "Example:" at the end of its --help.
EXAMPLES: dict[str, list[str]] = {
    "ingest": ["assistant ingest articles/ https://example.com/feed.xml",
               "assistant ingest --source 'Quay Gazette' --date 2024-05-19 notes.txt"],
    "list": ["assistant list --source 'The New York Times' --since 2024-05-01"],
    "remove": ["assistant remove a-3f9c2b1d7e6a5f40"],
    "check": ["assistant check --repair"],
    "search": ['assistant search "night ferry" -k 3 --since 2024-05-01'],
    "stats": ["assistant --index ~/news/index stats"],
    "ask": ['assistant ask "Who leads the Quds Force now?"', "assistant ask   (an interactive loop with follow-ups)"],
    "summarize": ["assistant summarize a-3f9c2b1d7e6a5f40 --length full",
                  'assistant summarize --topic "chip plant" --since 2024-01-01'],
    "briefing": ["assistant briefing --date 2024-05-19 --out briefing-2024-05-19.html"],
    "serve": ["assistant serve --port 7860   (then open http://127.0.0.1:7860)"],
    "eval": ["assistant eval ../shared/data/multihop-rag --limit 40 --out out/eval"],
    "eval-verifier": ["assistant eval-verifier ../shared/data/multihop-rag/corpus.jsonl --out out/verifier-eval"],
    "eval-summaries": ["assistant eval-summaries ../shared/data/multihop-rag/corpus.jsonl --every 2"],
    "feeds add": ["assistant feeds add https://example.com/rss.xml --name 'Example News'"],
    "feeds list": ["assistant feeds list"],
    "feeds remove": ["assistant feeds remove '#3'"],
    "feeds import": ["assistant feeds import subscriptions.opml"],
    "feeds export": ["assistant feeds export --out subscriptions.opml"],
    "topics add": ['assistant topics add "chip plant"'],
    "topics list": ["assistant topics list"],
    "topics remove": ['assistant topics remove "chip plant"'],
    "update": ["assistant update --workers 8"],
    "daily": ["assistant daily --date 2024-05-19   (in cron: 0 7 * * * assistant daily -q)"],
    "watch": ["assistant watch"],
    "verify": ["assistant verify answers.jsonl --out checked.jsonl"],
    "stories": ["assistant stories --date 2024-03-06 --json"],
    "eval-stories": ["assistant eval-stories evals/stories --multihop ../shared/data/multihop-rag"],
    "api": ["assistant api --port 8765   (then POST http://127.0.0.1:8765/v1/chat/completions)"],
    "mcp": ["assistant mcp   (stdio, for a desktop assistant or an IDE)", "assistant mcp --transport http --port 8766"],
    "bench ingest": ["assistant bench ingest ../shared/data/multihop-rag/corpus.jsonl --limit 150"],
    "bench update": ["assistant bench update --feeds 50 --items 20"],
    "bench scale": ["assistant bench scale ../shared/data/multihop-rag --sizes 1000,10000"],
    "bench parallel": ["assistant bench parallel ../shared/data/multihop-rag --users 1,2,4"],
    "bench qa": ["assistant bench qa ../shared/data/multihop-rag --limit 12"],
    "bench startup": ["assistant bench startup --runs 5"],
    "bench audio": ["assistant bench audio --minutes 2"],
}

# Help for options a command declared without any (the same words wherever they appear).
OPTION_HELP: dict[str, str] = {
    "quiet": "No progress bars (for cron and scripts).",
}

# What a value looks like, by option name, then by type; flags show no value at all.
METAVAR_BY_NAME: dict[str, str] = {
    "since": "YYYY-MM-DD", "until": "YYYY-MM-DD", "day": "YYYY-MM-DD", "date": "YYYY-MM-DD",
    "source": "OUTLET", "out": "PATH", "index": "FOLDER", "chroma_url": "URL", "assignments": "NAME=VALUE",
    "host": "ADDRESS", "port": "PORT", "mode": "dense|bm25|hybrid", "length": "line|short|full",
    "topic": "TEXT", "name": "TEXT", "backend": "torch|onnx|onnx-int8", "transport": "stdio|http",
}
METAVAR_BY_TYPE: dict[str, str] = {"int": "N", "float": "NUMBER", "Path": "PATH", "str": "TEXT"}


def _metavar(name: str, annotation: str) -> str:
    if name in METAVAR_BY_NAME:
        return METAVAR_BY_NAME[name]
    for type_name, metavar in METAVAR_BY_TYPE.items():
        if type_name in annotation:
            return metavar
    return "VALUE"


def _annotate_callback(callback) -> None:
    from typer.models import ArgumentInfo, OptionInfo
    for name, parameter in inspect.signature(callback).parameters.items():
        info = parameter.default
        annotation = str(parameter.annotation)
        if isinstance(info, ArgumentInfo) and info.metavar is None:
            info.metavar = name.upper()  # PlainArgument adds "..." where it takes several
        if not isinstance(info, OptionInfo):
            continue
        if not info.help and name in OPTION_HELP:
            info.help = OPTION_HELP[name]
        if info.metavar is None and not isinstance(info.default, bool) and annotation != "bool":
            info.metavar = _metavar(name, annotation)


class PlainArgument(TyperArgument):
    """An argument shown as click shows one (`INPUTS...`, `[QUESTION]`): typer 0.29 prints its type beside its
    name even when it has a value name (`INPUTS... <list[str]>`, `FILE <path>`) and braces it in the usage line
    (`{INPUTS...}...`); the value name and the help say what it takes."""

    @property
    def display_name_raw(self) -> str:
        return self.metavar or self.name.upper()

    def _rich_display_name(self) -> str:
        return self.display_name_raw + ("..." if self.nargs != 1 else "")

    def _usage_display_name(self) -> str:
        name = self._rich_display_name()
        return name if self.required else f"[{name}]"

    def display_type_rich(self, ctx) -> None:
        return None


class PlainCommand(TyperCommand):
    """Typer's command with its arguments displayed as PlainArgument (typer builds them; the class is swapped)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for param in self.params:
            if type(param) is TyperArgument:
                param.__class__ = PlainArgument  # same state: only the displays above differ


def _epilog(lines: list[str]) -> str:
    # "\b" keeps click from re-flowing the lines of the block that follows it
    return "Example:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)


def commands(app, prefix: str = ""):
    """(full name, CommandInfo) of every command of a typer app, sub-apps included."""
    for info in app.registered_commands:
        name = info.name or info.callback.__name__.replace("_", "-")
        yield f"{prefix}{name}", info
    for group in app.registered_groups:
        yield from commands(group.typer_instance, f"{prefix}{group.name} ")


def annotate(app) -> None:
    """Give every command its example and every option its value name and help (once, before parsing)."""
    for full_name, info in commands(app):
        _annotate_callback(info.callback)
        if info.cls in (None, TyperCommand):
            info.cls = PlainCommand
        if full_name in EXAMPLES and not info.epilog:
            info.epilog = _epilog(EXAMPLES[full_name])
    _annotate_callback(app.registered_callback.callback)
