"""Score briefings against gold stories: key-fact recall, supported key points, duplicate stories, new/continuing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from tqdm import tqdm

from assistant.briefing.model import Briefing
from assistant.briefing.render import to_markdown
from assistant.evals.metrics import mean
from assistant.language import normalize_answer
from assistant.settings import Settings


def score_day(briefing, gold: dict) -> dict:
    text = normalize_answer(to_markdown(briefing))
    facts = [f for story in gold["stories"] for f in story["key_facts"]]
    found = [normalize_answer(f) in text for f in facts]
    by_n = {s["n"]: s["article_id"] for s in briefing.sources}
    gold_of = {doc: i for i, story in enumerate(gold["stories"]) for doc in story["doc_ids"]}
    matched = []
    for story in briefing.stories:
        ids = {gold_of.get(by_n[n]) for n in story.sources} - {None}
        matched.append(ids)
    duplicates = sum(1 for i, ids in enumerate(matched) if ids and any(ids & other for j, other in enumerate(matched) if j != i))
    points = sum(len(s.points) + s.dropped for s in briefing.stories)
    supported = sum(sum(p.supported for p in s.points) for s in briefing.stories)
    status_checks = []
    for story, ids in zip(briefing.stories, matched):
        for gold_index in ids:
            expected = "continuing" if gold["stories"][gold_index].get("continues") else "new"
            status_checks.append(story.status == expected)
    return {"day": gold["day"], "key_fact_recall": mean([float(f) for f in found]),
            "supported_points": supported / points if points else 0.0,
            "duplicate_story_rate": duplicates / len(briefing.stories) if briefing.stories else 0.0,
            "status_accuracy": mean([float(c) for c in status_checks]), "stories": len(briefing.stories),
            "seconds": briefing.timings.get("total_s", 0.0), "missing_facts": [f for f, ok in zip(facts, found) if not ok]}


def run_briefings(path: Path, settings: Settings, write_briefing: Callable[[Settings, date], Briefing],
                  progress: bool = True) -> dict:
    """Score one written briefing per gold day. `write_briefing(day_settings, day)` is the caller's (the eval run
    hands in the product's briefing), so this module scores briefings without knowing how they are made."""
    days = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    rows = []
    for gold in tqdm(sorted(days, key=lambda d: d["day"]), desc="Briefings", unit="day", disable=not progress):
        day_settings = settings.model_copy(update={"briefing_timezone": gold.get("timezone", settings.briefing_timezone)})
        rows.append(score_day(write_briefing(day_settings, date.fromisoformat(gold["day"])), gold))
    summary = {f"briefing.{k}": round(mean([r[k] for r in rows]), 4)
               for k in ("key_fact_recall", "supported_points", "duplicate_story_rate", "status_accuracy")}
    summary["briefing.p50_s"] = sorted(r["seconds"] for r in rows)[len(rows) // 2] if rows else 0.0
    return {"summary": summary, "days": rows}
