"""One eval run from start to finish: prepare the dataset's own index, ask, score, report, gate."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from assistant.briefing.model import Briefing
from assistant.settings import Settings


def eval_index_dir(settings: Settings, dataset_folder: Path, variant: str = "") -> Path:
    """Eval corpora get their own store so they never mix with the user's articles."""
    key = hashlib.sha256(f"{dataset_folder.resolve()}{variant}".encode()).hexdigest()[:8]
    return settings.cache_dir / "eval-index" / f"{dataset_folder.name}-{key}"


def eval_settings(settings: Settings, dataset_folder: Path, index_given: bool, model: str | None = None,
                  variant: str = "") -> Settings:
    """A copy of the settings for this dataset: its own index (unless one was named) and the chosen model."""
    update: dict = {}
    if not index_given and not settings.chroma_url:
        update["index_dir"] = eval_index_dir(settings, dataset_folder, variant)
    if model:
        update["llm_model_path" if Path(model).is_file() else "llm_model"] = Path(model) if Path(model).is_file() else model
    return settings.model_copy(update=update)


@dataclass
class EvalOutcome:
    summary: dict
    failures: list[str] | None
    report_path: Path
    old_summary: dict | None


def prepare(services, data, progress: bool, keep: set[str] | None = None) -> str:
    """The dataset's articles in the index of `services` (the product's parts, built by the caller)."""
    from assistant.evals.runner import prepare_index
    return prepare_index(data, services.store, services.embeddings, services.settings, progress=progress, keep=keep)


# Figures of the product shown beside the textbook RAG's (and their ratio) in every report.
BASELINE_METRICS = ("answer.accuracy", "answer.accuracy_weighted", "answer.contains", "refusal.precision",
                    "refusal.recall", "refusal.false_refusal_rate", "retrieval.answer_in_prompt",
                    "retrieval.gold_article_in_prompt", "speed.p50_s")


def add_baseline(summary: dict, baseline: dict) -> None:
    """The baseline's overall figures as `baseline.<metric>`, and the product's accuracy over the baseline's."""
    summary["baseline"] = baseline
    overall = summary["overall"]
    for key in BASELINE_METRICS:
        if key in baseline["overall"]:
            overall[f"baseline.{key}"] = baseline["overall"][key]
    accuracy = "answer.accuracy_weighted" if "answer.accuracy_weighted" in overall else "answer.accuracy"
    base = baseline["overall"].get(accuracy, 0.0)
    overall["baseline.accuracy_ratio"] = round(overall[accuracy] / base, 4) if base else 0.0


def run_eval(settings: Settings, dataset: Path, limit: int, out: Path, compare: Path | None, thresholds: Path | None,
             verifier_labels: Path | None, write_briefing: Callable[[Settings, date], Briefing] | None, progress: bool,
             *, services, say=print, seed: int = 0, distractors: int = 0, baseline: bool = False,
             whole_types: tuple[str, ...] = ()) -> EvalOutcome:
    """`services`: the product's parts built on `settings` by the caller (the CLI, which reports a store or
    model problem in one line before the run starts). `write_briefing(day_settings, day)`: the product's briefing
    for the briefing eval, also the caller's (None skips that eval)."""
    from assistant.evals.datasets import load_dataset, stratified
    from assistant.evals.report import check_thresholds, write_chart, write_json, write_markdown
    from assistant.evals.runner import run_questions, summarise

    from assistant.evals.runner import subset_ids
    data = load_dataset(dataset)
    questions = stratified(data.questions, limit, seed, whole_types)
    keep = subset_ids(data, questions, distractors, seed) if distractors else None
    say(f"index {settings.chroma_url or settings.index_dir}: {prepare(services, data, progress, keep)}"
        + (f" ({len(keep)} articles: the sample's evidence and {distractors} distractors)" if keep else ""))
    out.mkdir(parents=True, exist_ok=True)
    started = datetime.now().isoformat(timespec="seconds")
    records = list(run_questions(services.answer_chain, questions, settings, progress=progress))
    from collections import Counter
    weights = dict(Counter(q.question_type for q in data.questions))
    summary = summarise(records, weights)
    baseline_records = []
    if baseline:
        from assistant.evals.baseline import TextbookRAG
        rag = TextbookRAG(settings, services.retriever, services.chat_model, top_k=settings.top_k)
        baseline_records = list(run_questions(rag, questions, settings, progress=progress))
        add_baseline(summary, summarise(baseline_records, weights))
    if verifier_labels is not None and verifier_labels.is_file():
        from assistant.evals.verifier_eval import verifier_agreement
        summary["overall"].update({k: round(v, 4) for k, v in verifier_agreement(
            verifier_labels, services.embeddings.encode, settings.support_threshold).items()})
    briefing_rows = None
    if data.briefings_path and write_briefing is not None:
        from assistant.evals.briefing_eval import run_briefings
        briefing_eval = run_briefings(data.briefings_path, settings, write_briefing, progress=progress)
        summary["overall"].update(briefing_eval["summary"])
        briefing_rows = briefing_eval["days"]
    meta = {"dataset": str(dataset), "questions": len(records), "started": started,
            "finished": datetime.now().isoformat(timespec="seconds"), "seed": seed, "limit": limit, "whole_types": list(whole_types), "distractors": distractors,
            "model": str(settings.llm_model_path or settings.llm_model), "backend": settings.llm_backend,
            "retrieval_mode": settings.retrieval_mode, "top_k": settings.top_k,
            "passage_chars": settings.passage_chars, "chunk_size": settings.chunk_size,
            "embedding_model": settings.embedding_model, "briefings": briefing_rows}
    old = json.loads(compare.read_text())["summary"] if compare else None
    failures = check_thresholds(summary, thresholds) if thresholds else None
    write_json(out / "report.json", summary, records, meta, baseline_records)
    write_markdown(out / "report.md", summary, records, meta, old, failures)
    write_chart(out / "chart.png", summary)
    return EvalOutcome(summary, failures, out / "report.md", old)
