"""How well the citation verifier separates supported from unsupported sentences.

Two label sources, neither made from the product's own answers: perturbed copies of real article
sentences (assistant.evals.perturb) and hand labels (evals/verifier/labels.jsonl). Reported:
balanced accuracy, the share of faithful sentences kept, and the share caught per error type.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from tqdm import tqdm

from assistant.grounding.citations import check_answer
from assistant.records import Passage


def verdict_for(text: str, passage: str, encode, threshold: float) -> tuple[bool, float, str]:
    source = Passage("label", "label", "", "", "", "", 0, len(passage), passage)
    checked = check_answer(text.rstrip().rstrip(".") + " [1].", [source], encode, threshold, repair=False)
    sentences = checked.sentences or []
    supported = all(s.supported for s in sentences)
    score = min((s.support for s in sentences), default=0.0)
    reason = next((s.reason for s in sentences if not s.supported), "")
    return supported, score, reason


def score_examples(rows: list[dict], encode, threshold: float, progress: bool = False) -> dict:
    """rows: {"text", "passage", "supported", "kind"}; kind "faithful" for supported ones."""
    by_kind: dict[str, list[bool]] = defaultdict(list)
    details = []
    for row in tqdm(rows, desc="Verifier", unit="sentence", disable=not progress):
        said, score, reason = verdict_for(row["text"], row["passage"], encode, threshold)
        kind = row.get("kind") or ("faithful" if row["supported"] else "unsupported")
        by_kind[kind].append(said == row["supported"])
        details.append({**row, "said": said, "score": round(score, 3), "reason": reason})
    kept = by_kind.get("faithful", [])
    caught = [ok for kind, oks in by_kind.items() if kind != "faithful" for ok in oks]
    keep_rate = sum(kept) / len(kept) if kept else 0.0
    catch_rate = sum(caught) / len(caught) if caught else 0.0
    summary = {"balanced_accuracy": round(0.5 * (keep_rate + catch_rate), 4), "faithful_kept": round(keep_rate, 4),
               "unfaithful_caught": round(catch_rate, 4), "examples": len(rows)}
    summary.update({f"caught.{kind}": round(sum(oks) / len(oks), 4) for kind, oks in sorted(by_kind.items())
                    if kind != "faithful"})
    return {"summary": summary, "details": details}


def hand_labels(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"text": r["sentence"], "passage": r["passage"], "supported": r["supported"],
             "kind": r.get("kind") or ("faithful" if r["supported"] else "hand-labelled")} for r in rows]


def verifier_agreement(labels_path: Path, encode, threshold: float) -> dict[str, float]:
    """The hand labels alone, as figures for the answer eval's report."""
    result = score_examples(hand_labels(labels_path), encode, threshold)["summary"]
    return {"verifier.balanced_accuracy": result["balanced_accuracy"], "verifier.labels": result["examples"]}
