"""Run a dataset through the real chain and score every answer (no judge model)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Protocol

from tqdm import tqdm

from assistant.evals.datasets import Dataset, Question
from assistant.evals.question_record import QuestionRecord
from assistant.evals.staleness import staleness_scores
from assistant.evals.metrics import answer_scores, mean, percentile, precision_recall, retrieval_scores, squash
from assistant.qa.result import AnswerResult
from assistant.records import SearchFilters
from assistant.retrieval.protocol import Retriever
from assistant.settings import Settings


class Answerer(Protocol):
    """What the runner asks and scores: the product's answer chain (qa/answer.py) or the textbook baseline."""

    retriever: Retriever

    def ask(self, question: str, history: Sequence[dict] = (), filters: SearchFilters | None = None,
            today: date | None = None) -> AnswerResult:
        ...


def citation_scores(result, question: Question, threshold: float) -> dict[str, float]:
    """Citations graded against gold evidence (articles and facts), with the product's own verifier beside them.

    A cited passage is right when it comes from a gold evidence article or contains a gold fact.
    """
    if result.refused or not result.checked:
        return {}
    sentences = [s for s in result.checked.sentences if s.support < 1.0 or s.markers]
    pairs = [(n, score) for s in sentences for n, score in s.marker_support.items()]
    gold_docs = {e.doc_id for e in question.evidence}
    gold_facts = [squash(e.fact) for e in question.evidence if e.fact.strip()]
    cited = result.checked.citations
    right = [c.passage.article_id in gold_docs or any(f in squash(c.passage.text) or squash(c.passage.text) in f
                                                      for f in gold_facts) for c in cited]
    scores = {
        "recall": mean([float(s.supported and bool(s.markers)) for s in sentences]) if sentences else 0.0,
        "precision": mean([float(score >= threshold) for _, score in pairs]) if pairs else 0.0,
        "cited_any": float(bool(cited)),
        "dangling": float(result.checked.dangling),
    }
    if gold_docs:
        scores["gold_precision"] = mean([float(r) for r in right]) if cited else 0.0
        scores["gold_doc_recall"] = len({c.passage.article_id for c in cited} & gold_docs) / len(gold_docs)
        scores["gold_fact_cited"] = float(any(f and f in squash(c.passage.text) for c in cited for f in gold_facts))
        scores["gold_right"] = float(sum(right))
        scores["gold_cited"] = float(len(cited))
    return scores


def answer_correct(answer: str, refused: bool, question: Question) -> float:
    """Right or wrong against the gold: unanswerable -> refused; yes/no -> the leading word; else the gold inside."""
    if not question.answerable:
        return float(refused)
    if refused:
        return 0.0
    return answer_scores(answer, question.answer, question.answer_type)["contains"]


def prompt_scores(passages, question: Question) -> dict[str, float]:
    """Whether what the model was shown could answer: a gold article, and a passage holding the gold answer."""
    from assistant.evals.gold_evidence import holds
    gold_docs = {e.doc_id for e in question.evidence}
    return {"gold_article_in_prompt": float(any(p.article_id in gold_docs for p in passages)),
            "answer_in_prompt": float(any(holds(p.title + " \n " + p.text, question.answer) for p in passages))}


def score_question(chain: Answerer, question: Question, settings: Settings) -> QuestionRecord:
    record = QuestionRecord(question.id, question.question_type, question.answer_type, question.question,
                            question.answer, answerable=question.answerable)
    today = date.fromisoformat(question.today) if question.today else None
    result = chain.ask(question.question, list(question.history), today=today)
    record.answer, record.query, record.refused = result.answer, result.query, result.refused
    record.refusal_reason, record.raw_answer = result.refusal_reason, result.raw_answer
    record.timings = {k: round(v, 3) for k, v in result.timings.items()}
    record.route = result.route
    record.shape = result.plan.shape if result.plan else ""
    record.claims = result.claims
    record.correct = answer_correct(result.answer, result.refused, question)
    if question.answerable:
        record.scores = answer_scores("" if result.refused else result.answer, question.answer, question.answer_type)
        if question.evidence:
            record.scores.update(prompt_scores(result.passages, question))
            mark = time.perf_counter()
            focus = getattr(result, "focus", None)
            retrieved = chain.retriever.search(result.query, k=10, filters=result.filters,
                                               **({"focus": focus} if focus is not None else {}))
            record.timings["retrieval10_ms"] = round((time.perf_counter() - mark) * 1000, 1)
            record.scores.update(retrieval_scores([p.text for p in retrieved], [e.fact for e in question.evidence]))
        if today is not None:
            record.scores.update(staleness_scores(result, today, record.correct))
    record.citation = citation_scores(result, question, settings.support_threshold)
    return record


def prepare_index(dataset: Dataset, store, embeddings, settings: Settings, progress: bool = True,
                  keep: set[str] | None = None) -> str:
    """Ingest the dataset's corpus (only the articles in `keep` when given) into the eval's own store."""
    from assistant.ingest.indexer import IngestReport, ingest_articles
    from assistant.ingest.sources import load_articles
    articles, errors = load_articles([str(dataset.corpus_path)], settings)
    if errors:
        raise ValueError(f"{dataset.corpus_path}: {len(errors)} articles failed to load ({errors[0]})")
    if keep is not None:
        articles = [a for a in articles if a.id in keep]
    outcomes = ingest_articles(articles, store, embeddings, settings, progress=progress)
    return IngestReport(outcomes=outcomes).summary()


def subset_ids(dataset: Dataset, questions: list[Question], distractors: int, seed: int) -> set[str]:
    """The sampled questions' evidence articles plus `distractors` other articles drawn with the seed.

    A smaller corpus for the CI gate: every question can still be answered (its evidence is there)
    and retrieval still has to find it among unrelated articles.
    """
    import random
    from assistant.evals.gold_evidence import corpus_articles
    ids = [row["id"] for row in corpus_articles(dataset.corpus_path)]  # the loader's ids: not every corpus names one
    evidence = {e.doc_id for q in questions for e in q.evidence}
    others = sorted(set(ids) - evidence)
    return evidence | set(random.Random(seed).sample(others, min(distractors, len(others))))


def run_questions(chain: Answerer, questions: list[Question], settings: Settings,
                  progress: bool = True) -> Iterator[QuestionRecord]:
    bar = tqdm(questions, desc="Evaluating", unit="question", disable=not progress, dynamic_ncols=True)
    for question in bar:
        record = score_question(chain, question, settings)
        bar.set_postfix(last=f"{record.timings.get('total_s', 0):.1f}s")
        yield record


def summarise(records: list[QuestionRecord], weights: dict[str, int] | None = None) -> dict:
    """Overall and per-question-type figures; `weights` are question counts per type in the whole dataset."""
    def block(rows: list[QuestionRecord]) -> dict[str, float]:
        answerable = [r for r in rows if r.answerable]
        with_evidence = [r for r in answerable if "hits@10" in r.scores]
        answered = [r for r in rows if r.citation]
        out = {"questions": len(rows)}
        for key in ("exact", "contains", "f1"):
            out[f"answer.{key}"] = mean([r.scores[key] for r in answerable])
        for key in ("hits@4", "hits@10", "mrr@10", "evidence_recall@10", "gold_article_in_prompt", "answer_in_prompt"):
            out[f"retrieval.{key}"] = mean([r.scores.get(key, 0.0) for r in with_evidence])
        out["answer.accuracy"] = mean([r.correct for r in rows])
        dated = [r for r in answerable if "stale_as_present" in r.scores]  # answered, asked on a day
        if dated:
            for key in ("old_report_lead", "stale_as_present"):
                out[f"answer.{key}"] = mean([r.scores[key] for r in dated])
        graded = [r for r in answered if "gold_cited" in r.citation]
        cited = sum(r.citation["gold_cited"] for r in graded)
        out["citation.gold_precision"] = sum(r.citation["gold_right"] for r in graded) / cited if cited else 0.0
        out["citation.gold_doc_recall"] = mean([r.citation["gold_doc_recall"] for r in graded])
        out["citation.gold_fact_cited"] = mean([r.citation["gold_fact_cited"] for r in graded])
        for key in ("recall", "precision"):
            out[f"citation.verifier_{key}"] = mean([r.citation[key] for r in answered])
        out["citation.dangling_per_answer"] = mean([r.citation["dangling"] for r in answered])
        refusal = precision_recall([r.refused for r in rows], [not r.answerable for r in rows])
        out.update({f"refusal.{k}": v for k, v in refusal.items()})
        out["refusal.false_refusal_rate"] = mean([float(r.refused) for r in answerable])
        totals = [r.timings.get("total_s", 0.0) for r in rows]
        firsts = [r.timings["first_token_s"] for r in rows if "first_token_s" in r.timings]
        out.update({"speed.p50_s": percentile(totals, 50), "speed.p95_s": percentile(totals, 95),
                    "speed.first_token_p50_s": percentile(firsts, 50), "speed.first_token_p95_s": percentile(firsts, 95)})
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}

    types = sorted({r.question_type for r in records})
    by_type = {t: block([r for r in records if r.question_type == t]) for t in types}
    overall = block(records)
    if weights:
        # accuracy weighted by each type's share of the whole dataset, not of the (stratified) sample
        total = sum(weights.get(t, 0) for t in types)
        overall["answer.accuracy_weighted"] = round(sum(weights.get(t, 0) * by_type[t]["answer.accuracy"] for t in types)
                                                    / total, 4) if total else 0.0
        overall["answer.accuracy_min_type"] = min(by_type[t]["answer.accuracy"] for t in types)
    return {"overall": overall, "by_type": by_type}


def retrieval_only(retriever: Retriever, questions: list[Question], mode: str | None = None,
                   progress: bool = True) -> dict[str, float]:
    """Hits@4/Hits@10/MRR@10 and p50 latency for one retrieval mode, no generation."""
    rows, times = [], []
    for question in tqdm(questions, desc=f"Retrieval {mode or ''}".strip(), disable=not progress, dynamic_ncols=True):
        if not question.answerable or not question.evidence:
            continue
        mark = time.perf_counter()
        passages = retriever.search(question.question, k=10, mode=mode)
        times.append((time.perf_counter() - mark) * 1000)
        rows.append(retrieval_scores([p.text for p in passages], [e.fact for e in question.evidence]))
    result = {key: round(mean([r[key] for r in rows]), 4) for key in ("hits@4", "hits@10", "mrr@10", "evidence_recall@10")}
    result.update({"questions": len(rows), "p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1)})
    return result
