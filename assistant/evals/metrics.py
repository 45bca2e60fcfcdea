"""Offline metrics (no judge model): retrieval hits, answer matching, refusal, citations, speed."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence

from assistant.language import normalize_answer
from assistant.markers import strip_markers


def squash(text: str) -> str:
    """MultiHop-RAG's matching rule: compare with all whitespace removed."""
    return re.sub(r"\s+", "", text)


def retrieval_scores(retrieved_texts: Sequence[str], facts: Sequence[str]) -> dict[str, float]:
    """Hits@4, Hits@10 and MRR@10: a chunk hits when it contains any gold fact (whitespace ignored)."""
    gold = [squash(f) for f in facts if f.strip()]
    first_hit = None
    for rank, text in enumerate(retrieved_texts[:10], 1):
        flat = squash(text)
        if any(g in flat for g in gold):
            first_hit = rank
            break
    covered = sum(1 for g in gold if any(g in squash(t) for t in retrieved_texts[:10]))
    return {
        "hits@4": float(first_hit is not None and first_hit <= 4),
        "hits@10": float(first_hit is not None),
        "mrr@10": 1.0 / first_hit if first_hit else 0.0,
        "evidence_recall@10": covered / len(gold) if gold else 0.0,
    }




def token_f1(prediction: str, gold: str) -> float:
    pred_tokens = normalize_answer(prediction).split()
    gold_tokens = normalize_answer(gold).split()
    if not pred_tokens or not gold_tokens:
        return float(pred_tokens == gold_tokens)
    common = Counter(pred_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred_tokens), same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def leading_yes_no(text: str) -> str | None:
    match = re.match(r"\W*(yes|no)\b", text.strip().lower())
    return match.group(1) if match else None


# The product's own time stamp on an older lead ("Ismail Qaani (as of 9 January 2020).", "(reported 2 May 2024)"):
# a label for the reader, not part of the answer, so neither grade reads it (a gold "2024" is not in the label).
DATE_LABEL = re.compile(r"\s*\((?:as of|reported) [^)]*\)")


def short_answer(text: str) -> str:
    """The answer's lead: its first sentence (or line) without citation markers or its date label."""
    text = strip_markers(text)
    return DATE_LABEL.sub("", re.split(r"(?<=[.!?])\s+|\n", text, maxsplit=1)[0])


def answer_scores(prediction: str, gold: str, answer_type: str) -> dict[str, float]:
    """exact: normalised exact match of the answer's lead (yes/no: its first word); contains: gold inside answer."""
    norm_pred, norm_gold = normalize_answer(DATE_LABEL.sub("", prediction)), normalize_answer(gold)
    if answer_type == "yes_no":
        exact = float(leading_yes_no(prediction) == norm_gold)
        contains = exact
    else:
        exact = float(normalize_answer(short_answer(prediction)) == norm_gold)
        contains = float(bool(norm_gold) and f" {norm_gold} " in f" {norm_pred} ")
    return {"exact": exact, "contains": contains, "f1": token_f1(prediction, gold)}


def precision_recall(predicted: Sequence[bool], actual: Sequence[bool]) -> dict[str, float]:
    true_pos = sum(1 for p, a in zip(predicted, actual) if p and a)
    pred_pos = sum(predicted)
    actual_pos = sum(actual)
    precision = true_pos / pred_pos if pred_pos else 0.0
    recall = true_pos / actual_pos if actual_pos else 0.0
    return {"precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0}


def percentile(values: Sequence[float], pct: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1])


def mean(values: Sequence[float]) -> float:
    return float(statistics.fmean(values)) if values else 0.0
