"""The `assistant` command."""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer

from assistant.settings import Settings

app = typer.Typer(help="Offline-first news assistant: ingest articles, ask cited questions, read a briefing.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
bench_app = typer.Typer(help="Benchmarks that print figures.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")


class State:
    settings: Settings
    index_given: bool = False


state = State()


def fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@app.callback()
def main(index: Optional[Path] = typer.Option(None, "--index", help="Chroma store folder (default: settings.index_dir, ./index)."),
         chroma_url: Optional[str] = typer.Option(None, "--chroma-url", help="Use a Chroma server instead of the on-disk store.")) -> None:
    overrides = {}
    if index is not None:
        overrides["index_dir"] = index
    state.index_given = index is not None or "ASSISTANT_INDEX_DIR" in os.environ
    if chroma_url is not None:
        overrides["chroma_url"] = chroma_url
    try:
        state.settings = Settings(**overrides)
    except Exception as exc:  # pydantic validation of env/config
        fail(f"bad settings: {str(exc).splitlines()[0]}")


def open_store_or_fail():
    from assistant.runtime import open_store
    from assistant.store import StoreError
    from assistant.models.embeddings import EmbeddingModelError
    try:
        return open_store(state.settings)
    except (StoreError, EmbeddingModelError) as exc:
        fail(str(exc))


@app.command()
def ingest(inputs: list[str] = typer.Argument(..., help="Files, folders, feeds or http(s) URLs."),
           quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar.")) -> None:
    """Read articles into the index (idempotent: unchanged articles are skipped)."""
    from assistant.ingest import ingest as run_ingest
    from assistant.runtime import IndexBusyError, write_lock
    embeddings, store = open_store_or_fail()
    try:
        with write_lock(state.settings):
            report = run_ingest(inputs, store, embeddings, state.settings, progress=not quiet,
                                on_error=lambda line: typer.secho(f"failed: {line}", fg=typer.colors.RED, err=True))
    except IndexBusyError as exc:
        fail(str(exc))
    typer.echo(report.summary())
    if report.errors:
        raise typer.Exit(2)


def parse_when(value: Optional[str], name: str) -> Optional[datetime]:
    if value is None:
        return None
    from assistant.sources.common import LoadError, parse_datetime
    try:
        return parse_datetime(value, f"--{name}")
    except LoadError as exc:
        fail(str(exc))


@app.command()
def search(query: str, k: int = typer.Option(5, "-k", help="How many passages."),
           source: list[str] = typer.Option([], "--source", help="Only this outlet (repeatable)."),
           since: Optional[str] = typer.Option(None, help="Only articles published at or after this date."),
           until: Optional[str] = typer.Option(None, help="Only articles published before this date."),
           mode: Optional[str] = typer.Option(None, help="dense, bm25 or hybrid (default: settings)."),
           as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Print the top passages for a query with title, source, date and score."""
    from assistant.retrieval import HybridRetriever, SearchFilters
    embeddings, store = open_store_or_fail()
    if store.count() == 0:
        fail("the index is empty; run `assistant ingest PATH` first")
    retriever = HybridRetriever(store, embeddings, state.settings)
    filters = SearchFilters(sources=source, since=parse_when(since, "since"), until=parse_when(until, "until"))
    passages = retriever.search(query, k=k, filters=filters, mode=mode)
    if as_json:
        typer.echo(json.dumps([p.__dict__ for p in passages], ensure_ascii=False, indent=2))
        return
    for rank, p in enumerate(passages, 1):
        typer.secho(f"[{rank}] {p.title}", bold=True)
        typer.echo(f"    {p.source} · {p.published_at[:10] or 'undated'} · score {p.score:.4f} · chars {p.start}-{p.end}")
        typer.echo("    " + p.text[:300].replace("\n", " ") + ("…" if len(p.text) > 300 else ""))


@app.command()
def stats() -> None:
    """Counts per source and the date range of the index."""
    _, store = open_store_or_fail()
    listing = store.all_chunks(include_documents=False)
    articles: dict[str, dict] = {}
    for meta in listing["metadatas"]:
        articles.setdefault(meta["article_id"], meta)
    typer.echo(f"{len(articles)} articles, {len(listing['ids'])} chunks, embedding model {store.model_name}")
    per_source = Counter(m["source"] for m in articles.values())
    chunks_per_source = Counter(m["source"] for m in listing["metadatas"])
    for source, n in per_source.most_common():
        typer.echo(f"  {source:<40} {n:>5} articles {chunks_per_source[source]:>7} chunks")
    dates = sorted(m["published_at"] for m in articles.values() if m.get("published_at"))
    if dates:
        typer.echo(f"published from {dates[0]} to {dates[-1]}")


def build_chain():
    """Store, retriever and chat model, or a one-line error naming what is missing."""
    from assistant.answer import AnswerChain
    from assistant.models.chat import ChatModelError, get_chat_model
    from assistant.retrieval import HybridRetriever
    embeddings, store = open_store_or_fail()
    if store.count() == 0:
        fail("the index is empty; run `assistant ingest PATH` first")
    try:
        chat_model = get_chat_model(state.settings)
    except ChatModelError as exc:
        fail(str(exc))
    return AnswerChain(state.settings, HybridRetriever(store, embeddings, state.settings), chat_model, embeddings)


def print_sources(result) -> None:
    if result.refused or not result.checked:
        return
    typer.echo("")
    for citation in result.checked.citations:
        p = citation.passage
        typer.secho(f"[{citation.n}] {p.title}", bold=True)
        typer.echo(f"    {p.source} · {(p.published_at or 'undated')[:10]} · {p.url or p.article_id} · chars {p.start}-{p.end}")
    for sentence in result.unsupported:
        typer.secho(f"unsupported: {sentence}", fg=typer.colors.YELLOW)


@app.command()
def ask(question: Optional[str] = typer.Argument(None, help="The question; leave out for an interactive loop."),
        source: list[str] = typer.Option([], "--source", help="Only this outlet (repeatable)."),
        since: Optional[str] = typer.Option(None, help="Only articles published at or after this date."),
        until: Optional[str] = typer.Option(None, help="Only articles published before this date."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of streaming.")) -> None:
    """Answer a question from the articles, with [n] citations (follow-ups work in the loop)."""
    from assistant.answer import AnswerResult
    from assistant.retrieval import SearchFilters
    chain = build_chain()
    filters = SearchFilters(sources=source, since=parse_when(since, "since"), until=parse_when(until, "until"))
    history: list[dict] = []
    questions = [question] if question else None
    while True:
        if questions is not None:
            if not questions:
                return
            current = questions.pop()
        else:
            try:
                current = input("\nquestion> ").strip()
            except EOFError:
                return
            if current.lower() in {"", "quit", "exit"}:
                return
        result = None
        for item in chain.stream(current, history, filters):
            if isinstance(item, AnswerResult):
                result = item
            elif not as_json:
                typer.echo(item, nl=False)
        assert result is not None
        if as_json:
            typer.echo(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            typer.echo("")
            if result.query != current:
                typer.secho(f"(searched for: {result.query})", dim=True)
            print_sources(result)
        history += [{"role": "user", "content": current}, {"role": "assistant", "content": result.answer}]


def eval_index_dir(dataset_folder: Path) -> Path:
    """Eval corpora get their own store so they never mix with the user's articles."""
    import hashlib
    key = hashlib.sha256(str(dataset_folder.resolve()).encode()).hexdigest()[:8]
    return state.settings.cache_dir / "eval-index" / f"{dataset_folder.name}-{key}"


@app.command()
def briefing(day: Optional[str] = typer.Option(None, "--date", help="YYYY-MM-DD (default: the latest day with articles)."),
             since: Optional[str] = typer.Option(None, help="Start of a custom window (instead of --date)."),
             until: Optional[str] = typer.Option(None, help="End of a custom window."),
             source: list[str] = typer.Option([], "--source", help="Only this outlet (repeatable)."),
             out: Optional[Path] = typer.Option(None, "--out", help="Write FILE.md or FILE.html (default: print Markdown)."),
             quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """Write a cited briefing of one day's stories (Markdown or HTML)."""
    from datetime import date as date_type
    from assistant.briefing.render import to_html, to_markdown
    from assistant.briefing.service import make_briefing
    from assistant.models.chat import ChatModelError
    embeddings, store = open_store_or_fail()
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
    try:
        result, stored = make_briefing(state.settings, store, embeddings, chosen_day, window, source, progress=not quiet)
    except (ChatModelError, ValueError) as exc:
        fail(str(exc))
    text = to_html(result) if out is not None and out.suffix.lower() in (".html", ".htm") else to_markdown(result)
    if out is None:
        typer.echo(text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        typer.echo(f"wrote {out} ({len(result.stories)} stories, {len(result.sources)} sources, "
                   f"{result.timings.get('total_s', 0):.0f} s); stored {stored}")


@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="Interface to bind (default: this machine only)."),
          port: int = typer.Option(7860, help="Port.")) -> None:
    """Open the chat page (chat with clickable sources, library)."""
    from assistant.web.app import serve as run_page
    typer.echo(f"page on http://{host}:{port}  (Ctrl+C to stop)")
    run_page(state.settings, host, port)


@app.command("eval")
def eval_command(dataset: Path = typer.Argument(..., help="Folder with corpus.jsonl and qa.jsonl (or qa-dev.jsonl)."),
                 limit: int = typer.Option(0, help="Stratified sample of N questions (0 = all)."),
                 model: Optional[str] = typer.Option(None, help="Chat model: a GGUF path (embedded) or a model name (ollama/openai)."),
                 out: Path = typer.Option(Path("out/eval"), help="Folder for report.md, report.json and chart.png."),
                 compare: Optional[Path] = typer.Option(None, help="An earlier report.json to compare with."),
                 thresholds: Optional[Path] = typer.Option(None, help="TOML of minimum metrics; exit 1 when one is missed."),
                 retrieval_only: bool = typer.Option(False, "--retrieval-only", help="Only Hits@k/MRR for dense, bm25 and hybrid."),
                 verifier_labels: Path = typer.Option(Path("evals/verifier/labels.jsonl"), help="Hand labels for the citation verifier's agreement (skipped if missing)."),
                 no_briefings: bool = typer.Option(False, "--no-briefings", help="Skip the briefing eval even if the dataset has briefings.jsonl."),
                 quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """Score answers, citations, refusals and retrieval against a dataset's gold answers."""
    from assistant.evals.datasets import load_dataset, stratified
    from assistant.evals.report import check_thresholds, write_chart, write_json, write_markdown
    from assistant.evals.runner import prepare_index, retrieval_only as run_retrieval_only, run_questions, summarise
    from assistant.retrieval import HybridRetriever
    try:
        data = load_dataset(dataset)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        fail(str(exc))
    if model:
        if Path(model).is_file():
            state.settings.llm_model_path = Path(model)
        else:
            state.settings.llm_model = model
    if not state.index_given and not state.settings.chroma_url:
        state.settings.index_dir = eval_index_dir(dataset)
    from assistant.runtime import IndexBusyError, write_lock
    embeddings, store = open_store_or_fail()
    try:
        with write_lock(state.settings):
            summary_line = prepare_index(data, store, embeddings, state.settings, progress=not quiet)
    except (IndexBusyError, ValueError) as exc:
        fail(str(exc))
    typer.echo(f"index {state.settings.chroma_url or state.settings.index_dir}: {summary_line}")
    questions = stratified(data.questions, limit)
    out.mkdir(parents=True, exist_ok=True)
    if retrieval_only:
        retriever = HybridRetriever(store, embeddings, state.settings)
        table = {mode: run_retrieval_only(retriever, questions, mode, progress=not quiet) for mode in ("dense", "bm25", "hybrid")}
        (out / "retrieval.json").write_text(json.dumps(table, indent=2))
        for mode, row in table.items():
            typer.echo(f"{mode:<8} " + "  ".join(f"{k} {v}" for k, v in row.items()))
        return
    chain = build_chain()
    started = datetime.now().isoformat(timespec="seconds")
    records = list(run_questions(chain, questions, state.settings, progress=not quiet))
    summary = summarise(records)
    if verifier_labels.is_file():
        from assistant.evals.verifier_eval import verifier_agreement
        summary["overall"].update({k: round(v, 4) for k, v in verifier_agreement(
            verifier_labels, embeddings.encode, state.settings.support_threshold).items()})
    briefing_rows = None
    if data.briefings_path and not no_briefings:
        from assistant.evals.briefing_eval import run_briefings
        briefing_eval = run_briefings(data.briefings_path, state.settings, store, embeddings, progress=not quiet)
        summary["overall"].update(briefing_eval["summary"])
        briefing_rows = briefing_eval["days"]
    meta = {"dataset": str(dataset), "questions": len(records), "started": started,
            "finished": datetime.now().isoformat(timespec="seconds"),
            "model": str(state.settings.llm_model_path or state.settings.llm_model), "backend": state.settings.llm_backend,
            "retrieval_mode": state.settings.retrieval_mode, "top_k": state.settings.top_k,
            "passage_chars": state.settings.passage_chars, "chunk_size": state.settings.chunk_size,
            "embedding_model": state.settings.embedding_model, "briefings": briefing_rows}
    old = json.loads(compare.read_text())["summary"] if compare else None
    failures = check_thresholds(summary, thresholds) if thresholds else None
    write_json(out / "report.json", summary, records, meta)
    write_markdown(out / "report.md", summary, records, meta, old, failures)
    write_chart(out / "chart.png", summary)
    for key, value in summary["overall"].items():
        before = f"  (was {old['overall'][key]:.3f})" if old and isinstance(old["overall"].get(key), (int, float)) else ""
        typer.echo(f"{key:<32} {value:.3f}{before}" if isinstance(value, float) else f"{key:<32} {value}")
    typer.echo(f"report: {out / 'report.md'}")
    if failures:
        for failure in failures:
            typer.secho(f"below threshold: {failure}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)


@bench_app.command("ingest")
def bench_ingest(corpus: Path = typer.Argument(..., help="A .jsonl corpus, e.g. ../shared/data/multihop-rag/corpus.jsonl"),
                 limit: int = typer.Option(0, help="Only the first N articles (0 = all).")) -> None:
    """Ingest a corpus into a fresh temporary index and compare with bare encode speed."""
    from assistant.benchmarks import run_ingest_benchmark
    for line in run_ingest_benchmark(corpus, state.settings, limit):
        typer.echo(line)



@bench_app.command("qa")
def bench_qa(dataset: Path = typer.Argument(..., help="A dataset folder (corpus.jsonl + qa.jsonl), e.g. ../shared/data/multihop-rag"),
             limit: int = typer.Option(12, help="Stratified sample of N questions.")) -> None:
    """Per-question latency of the answer chain against the bare model on the same prompt."""
    from assistant.benchmarks import run_qa_benchmark
    from assistant.evals.datasets import load_dataset, stratified
    from assistant.evals.runner import prepare_index
    from assistant.runtime import write_lock
    data = load_dataset(dataset)
    if not state.index_given and not state.settings.chroma_url:
        state.settings.index_dir = eval_index_dir(dataset)
    embeddings, store = open_store_or_fail()
    with write_lock(state.settings):
        typer.echo(prepare_index(data, store, embeddings, state.settings))
    chain = build_chain()
    for line in run_qa_benchmark(chain, stratified(data.questions, limit), state.settings):
        typer.echo(line)


if __name__ == "__main__":
    app()
