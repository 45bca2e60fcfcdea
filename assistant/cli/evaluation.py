"""The eval commands: eval (answers against gold), eval-verifier, eval-summaries, eval-stories."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Optional

import typer

from assistant.briefing.model import Briefing
from assistant.cli.common import (chat_model_or_fail, claim_judge_or_fail, embeddings_or_fail, fail, report_and_gate,
                                  services_or_fail)
from assistant.settings import Settings


def eval_command(ctx: typer.Context,
                 dataset: Path = typer.Argument(..., help="Folder with corpus.jsonl and qa.jsonl (or qa-dev.jsonl)."),
                 limit: int = typer.Option(0, help="Stratified sample of N questions (0 = all)."),
                 seed: int = typer.Option(0, help="Sample seed: 0 = evenly spaced within each question type, else random."),
                 whole_type: list[str] = typer.Option([], "--whole-type", help="Keep every question of this type in the --limit sample (repeatable), e.g. null."),
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
    from assistant.chroma_client import IndexBusyError
    settings = eval_settings(ctx.obj.settings, dataset, ctx.obj.index_given, model,
                             variant=f"subset-{limit}-{seed}-{distractors}" if distractors else "")
    services = services_or_fail(ctx, settings)
    if retrieval_only:
        from assistant.evals.jobs import retrieval_table
        table = retrieval_table(services, dataset, limit, seed, out, progress=not quiet, say=typer.echo)
        for mode, row in table.items():
            typer.echo(f"{mode:<8} " + "  ".join(f"{k} {v}" for k, v in row.items()))
        return
    chat_model_or_fail(services)
    try:
        outcome = run_eval(settings, dataset, limit, out, compare, thresholds, verifier_labels,
                           None if no_briefings else briefing_writer(services), not quiet, say=typer.echo,
                           services=services, seed=seed, distractors=distractors, baseline=baseline,
                           whole_types=tuple(whole_type))
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


def briefing_writer(services) -> Callable[[Settings, date], Briefing]:
    """The product's briefing of one day under that day's settings (its timezone), for the briefing eval."""
    from assistant.briefing.service import make_briefing

    def write_briefing(day_settings: Settings, day: date) -> Briefing:
        return make_briefing(day_settings, services.store, services.embeddings, day, progress=False,
                             chat_model=services.chat_model)[0]
    return write_briefing


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
    from assistant.evals.jobs import verifier_report
    if not corpus.is_file():
        fail(f"{corpus}: no such file")
    if frank is not None and not frank.is_file():  # before minutes of scoring the perturbed sentences
        fail(f"{frank}: no such file")
    settings = ctx.obj.settings
    encode = embeddings_or_fail(ctx).encode
    claim_judge = claim_judge_or_fail(ctx) if frank is not None and frank_judge else None
    report = verifier_report(corpus, labels, per_kind, seed, encode, settings, frank, frank_every, claim_judge)
    report_and_gate(out, report, thresholds)


def eval_summaries(ctx: typer.Context,
                   corpus: Path = typer.Argument(..., help="The articles the gold refers to (.jsonl), e.g. the MultiHop corpus."),
                   gold: Path = typer.Option(Path("evals/summaries"), help="Folder with articles.jsonl and topics.jsonl."),
                   out: Path = typer.Option(Path("out/summary-eval"), help="Folder for report.json."),
                   thresholds: Optional[Path] = typer.Option(None, help="TOML of minimum/maximum figures; exit 1 when one is missed."),
                   every: int = typer.Option(1, min=1, help="Score every n-th gold article only (CI uses 4)."),
                   quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """Score article and topic summaries against gold central claims, key facts and timeline order."""
    from assistant.evals.orchestrate import eval_settings
    from assistant.evals.summary_eval import ingest_gold_articles, run_summary_eval
    if not corpus.is_file():
        fail(f"{corpus}: no such file")
    settings = eval_settings(ctx.obj.settings, corpus.parent, ctx.obj.index_given)
    services = services_or_fail(ctx, settings)
    chat_model_or_fail(services)
    typer.echo(f"gold articles: {ingest_gold_articles(services, corpus, gold, progress=not quiet).summary()}")
    try:
        result = run_summary_eval(services, corpus, gold, progress=not quiet, every=every)
    except (ValueError, FileNotFoundError, KeyError) as exc:
        fail(str(exc))
    report_and_gate(out, result, thresholds)


def eval_stories(ctx: typer.Context,
                 fixture: Path = typer.Argument(Path("evals/stories"), help="Folder with corpus.jsonl, gold.json and outlets.toml."),
                 multihop: Optional[Path] = typer.Option(None, "--multihop", help="Also score cross-day linking on this MultiHop folder's corpus.jsonl."),
                 pairs: Path = typer.Option(Path("evals/stories/multihop-pairs.jsonl"), help="Hand-labelled MultiHop pairs (with --multihop)."),
                 out: Path = typer.Option(Path("out/stories-eval"), help="Folder for report.json."),
                 thresholds: Optional[Path] = typer.Option(None, help="TOML of minimum figures; exit 1 when one is missed."),
                 quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """Score the story memory: ledger states per status and cross-day linking on the fixture (and on MultiHop)."""
    from assistant.evals.jobs import stories_report
    for path in (fixture / "corpus.jsonl", fixture / "gold.json"):
        if not path.is_file():
            fail(f"{path}: no such file")
    if multihop is not None and not (multihop / "corpus.jsonl").is_file():
        fail(f"--multihop {multihop}: no corpus.jsonl there")
    if multihop is not None and not pairs.is_file():
        fail(f"--pairs {pairs}: no such file")
    settings = ctx.obj.settings
    embeddings = embeddings_or_fail(ctx)
    report = stories_report(fixture, settings, embeddings.encode, embeddings.name,
                            multihop / "corpus.jsonl" if multihop is not None else None, pairs, progress=not quiet)
    report_and_gate(out, report, thresholds)
