"""The support check's commands: verify (any text against its passages) and train-verifier (fit it on human labels)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from assistant.cli.common import claim_judge_or_fail, embeddings_or_fail, fail, report_and_gate, terminal_safe


def verify(ctx: typer.Context, file: Path = typer.Argument(..., help='JSON lines: {"id", "text" (with [n] markers), "passages": [str, ...]}.'),
           out: Optional[Path] = typer.Option(None, "--out", help="Write the results here (default: print them)."),
           judge: bool = typer.Option(False, "--judge", help="Let the chat model read each sentence against its best source sentences too (about 2 s a sentence on 2 cores; the figures in docs/verifier.md).")) -> None:
    """Check each sentence of any text against its passages: state (supported, weak, unsupported), score and reason, as JSON lines.

    Example: assistant verify claims.jsonl --out checked.jsonl"""
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
    embeddings = embeddings_or_fail(ctx)
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


def train_verifier(ctx: typer.Context,
                   frank: Path = typer.Argument(..., help="FRANK's human-labelled summaries (valid.jsonl)."),
                   judge: bool = typer.Option(False, "--judge", help="Also train the model that reads the chat model's Yes/No (slow: most of an hour on 2 cores; scores are cached)."),
                   out: Path = typer.Option(Path("out/train-verifier"), help="Folder for report.json."),
                   quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars.")) -> None:
    """Fit the learned support check on human labels and write its weights into the package.

    Example: assistant train-verifier ../shared/data/frank/valid.jsonl --judge"""
    from assistant.evals.jobs import train_support_check
    if not frank.is_file():
        fail(f"{frank}: no such file")
    settings = ctx.obj.settings
    encode = embeddings_or_fail(ctx).encode
    claim_judge = claim_judge_or_fail(ctx) if judge else None
    report, path = train_support_check(frank, encode, settings, claim_judge, progress=not quiet)
    report_and_gate(out, report, None)
    typer.echo(f"weights: {path}")
