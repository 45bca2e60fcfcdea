"""`assistant bench ...`: benchmarks that print figures (the measuring lives in assistant/benchmarks.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from assistant.cli.common import PLAIN_HELP, chat_model_or_fail, fail, services_ingest, services_or_fail

bench_app = typer.Typer(help="Benchmarks that print figures.", **PLAIN_HELP)


@bench_app.command("ingest")
def bench_ingest(ctx: typer.Context,
                 corpus: Path = typer.Argument(..., help="A .jsonl corpus, e.g. ../shared/data/multihop-rag/corpus.jsonl"),
                 limit: int = typer.Option(0, help="Only the first N articles (0 = all)."),
                 backend: Optional[str] = typer.Option(None, help="torch, onnx or onnx-int8 (default: the setting).")) -> None:
    """Ingest a corpus into a fresh temporary index and compare with bare encode speed."""
    from assistant.benchmarks import run_ingest_benchmark
    settings = ctx.obj.settings.model_copy(update={"embedding_backend": backend}) if backend else ctx.obj.settings
    for line in run_ingest_benchmark(corpus, settings, ctx.obj.build_services, limit):
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
    from assistant.settings import is_store
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
    from assistant.benchmarks import run_update_benchmark
    for line in run_update_benchmark(ctx.obj.settings, ctx.obj.build_services, feeds, items):
        typer.echo(line)


@bench_app.command("scale")
def bench_scale(ctx: typer.Context,
                dataset: Path = typer.Argument(Path("../shared/data/multihop-rag"), help="The MultiHop dataset folder (its eval index is the source)."),
                sizes: str = typer.Option("1000,10000,100000", help="Chunk counts, comma-separated."),
                server: bool = typer.Option(False, "--server", help="Also on a Chroma server (`chroma run`)."),
                out: Path = typer.Option(Path("docs/scale.json"), help="Figures as JSON (and a PNG plot beside it).")) -> None:
    """Retrieval, BM25 and memory at 1k/10k/100k chunks of synthetic news (perturbed MultiHop copies)."""
    from assistant.scale_bench import run_scale_benchmarks, write_scale_report
    from assistant.evals.datasets import load_dataset
    from assistant.evals.orchestrate import eval_index_dir, prepare
    settings = ctx.obj.settings
    data = load_dataset(dataset)
    source_settings = settings.model_copy(update={"index_dir": eval_index_dir(settings, dataset)})
    typer.echo(prepare(services_or_fail(ctx, source_settings), data, True))
    questions = [q.question for q in data.questions[:40]]
    rows = []
    for row in run_scale_benchmarks(settings, ctx.obj.build_services, source_settings.index_dir,
                                    [int(s) for s in sizes.split(",")], questions, with_server=server):
        rows.append(row)
        typer.echo("  ".join(f"{k} {v}" for k, v in row.items()))
    plot = write_scale_report(rows, out)
    typer.echo(f"wrote {out} and {plot}")


@bench_app.command("parallel")
def bench_parallel(ctx: typer.Context,
                   dataset: Path = typer.Argument(Path("../shared/data/multihop-rag"), help="Questions whose real answer prompts are replayed."),
                   users: str = typer.Option("1,2,4,8", help="Concurrent users, comma-separated.")) -> None:
    """llama.cpp parallel slots vs one slot, on the chain's real answer prompts (time to first token, answers/min)."""
    from assistant.benchmarks import chat_model_file, parallel_prompts, run_parallel_benchmark
    from assistant.evals.datasets import load_dataset
    from assistant.evals.orchestrate import eval_settings, prepare
    settings = eval_settings(ctx.obj.settings, dataset, ctx.obj.index_given)
    services = services_or_fail(ctx, settings)
    data = load_dataset(dataset)
    typer.echo(prepare(services, data, False))
    prompts = parallel_prompts(services.answer_chain, data.questions)
    for row in run_parallel_benchmark(chat_model_file(settings), prompts, [int(u) for u in users.split(",")],
                                      settings.llm_threads):
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
