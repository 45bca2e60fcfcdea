"""The `assistant` command."""

from __future__ import annotations

import json
import os
import sys
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
    embeddings, store = open_store_or_fail()
    report = run_ingest(inputs, store, embeddings, state.settings, progress=not quiet,
                        on_error=lambda line: typer.secho(f"failed: {line}", fg=typer.colors.RED, err=True))
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


@bench_app.command("ingest")
def bench_ingest(corpus: Path = typer.Argument(..., help="A .jsonl corpus, e.g. ../shared/data/multihop-rag/corpus.jsonl"),
                 limit: int = typer.Option(0, help="Only the first N articles (0 = all).")) -> None:
    """Ingest a corpus into a fresh temporary index and compare with bare encode speed."""
    from assistant.benchmarks import run_ingest_benchmark
    for line in run_ingest_benchmark(corpus, state.settings, limit):
        typer.echo(line)


if __name__ == "__main__":
    app()
