"""Score the story memory: the multi-day fixture (ledger states per status, cross-day linking, coverage)
and cross-day linking on the MultiHop evidence pairs that were labelled by hand (evals/stories/)."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

from assistant.records import StoredArticle
from assistant.stories.ledger import Entry, ledger_as_of
from assistant.stories.memory import StoryMemory
from assistant.stories.outlets import load_outlets
from assistant.stories.update import link_by_day
from assistant.stories.view import StoryReader


def read_articles(path: Path) -> list[StoredArticle]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [StoredArticle(r["id"], r["title"], r["source"], r.get("url") or "", r["published_at"], r["body"]) for r in rows]


def pair_scores(story_of: dict[str, int], pairs: list[tuple[str, str, bool]]) -> dict:
    """Precision and recall of 'linked as one story' over labelled pairs (label True: one story)."""
    linked = [(story_of[a] == story_of[b], same) for a, b, same in pairs]
    true_links = sum(1 for link, same in linked if link and same)
    links = sum(1 for link, _ in linked if link)
    positives = sum(1 for _, same in linked if same)
    return {"precision": round(true_links / links, 4) if links else 0.0,
            "recall": round(true_links / positives, 4) if positives else 0.0,
            "pairs": len(pairs), "positives": positives, "linked": links, "true_links": true_links}


def cross_day_pairs(articles: list[StoredArticle], gold_story: dict[str, str]) -> list[tuple[str, str, bool]]:
    found = []
    for i, a in enumerate(articles):
        for b in articles[i + 1:]:
            if a.published_at[:10] != b.published_at[:10]:
                found.append((a.id, b.id, gold_story[a.id] == gold_story[b.id]))
    return found


def matching_entry(entries: list[Entry], match: dict) -> Entry | None:
    """The ledger entry a gold check is about: a figure by quantity and value, else by words of its first mention."""
    if "quantity" in match:
        return next((e for e in entries if e.kind == "figure" and e.quantity == match["quantity"]
                     and float(match["value"]) in e.values), None)
    words = match["text"].lower()
    return next((e for e in entries if words in e.first.claim.text.lower()), None) or \
        next((e for e in entries if any(words in m.claim.text.lower() for m in e.mentions)), None)


def run_fixture(folder: Path, settings, encode, model_name: str) -> dict:
    """Link the fixture day by day into a fresh memory and score it against gold.json."""
    articles = read_articles(folder / "corpus.jsonl")
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    book = load_outlets(folder / "outlets.toml") if (folder / "outlets.toml").is_file() else load_outlets(None)
    with tempfile.TemporaryDirectory() as scratch:
        memory = StoryMemory(Path(scratch) / "stories.sqlite3", model_name)
        story_of = link_by_day(memory, articles, settings, encode)
        first_of = {}
        for article in sorted(articles, key=lambda a: a.published_at):
            first_of.setdefault(gold["stories"][article.id], article.id)
        checks, by_status = [], Counter()
        for check in gold["ledger"]:
            entries = ledger_as_of(memory, story_of[first_of[check["story"]]], date.fromisoformat(check["as_of"]))
            entry = matching_entry(entries, check["match"])
            got = entry.status if entry else "missing"
            checks.append({**check, "got": got, "ok": got == check["status"],
                           "text": entry.first.claim.text if entry else ""})
            by_status[check["status"]] += 1
        reader = StoryReader(settings, memory, book, followed=sorted(book.outlets))
        coverage_checks = []
        for check in gold.get("coverage", []):
            view = reader.view(story_of[first_of[check["story"]]], date.fromisoformat(check["as_of"]))
            got = {"only_by": view.coverage.only_by, "missing": view.coverage.missing, "first": view.coverage.first.get("source")}
            ok = got["only_by"] == check["only_by"] and got["missing"] == sorted(check["missing"]) and \
                (check.get("first") is None or got["first"] == check["first"])
            coverage_checks.append({**check, "got": got, "ok": ok})
        stories = len(set(story_of.values()))
    linking = pair_scores(story_of, cross_day_pairs(articles, gold["stories"]))
    overall = {"stories.ledger_accuracy": round(sum(c["ok"] for c in checks) / len(checks), 4),
               "stories.link_precision": linking["precision"], "stories.link_recall": linking["recall"],
               "stories.coverage_accuracy": round(sum(c["ok"] for c in coverage_checks) / len(coverage_checks), 4)
               if coverage_checks else 0.0,
               "stories.found": stories, "stories.gold": len(set(gold["stories"].values()))}
    for status in sorted(by_status):
        mine = [c for c in checks if c["status"] == status]
        overall[f"stories.ledger_accuracy.{status}"] = round(sum(c["ok"] for c in mine) / len(mine), 4)
    return {"summary": {"overall": overall}, "linking": linking, "ledger": checks, "coverage": coverage_checks}


def run_multihop(corpus: Path, pairs_path: Path, settings, encode, model_name: str, progress: bool = True) -> dict:
    """Link the whole MultiHop corpus day by day (leads only: no claims) and score the hand-labelled
    cross-day evidence pairs; 'unsure' pairs are counted, not scored."""
    articles = read_articles(corpus)
    labelled = [json.loads(line) for line in pairs_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as scratch:
        memory = StoryMemory(Path(scratch) / "stories.sqlite3", model_name)
        story_of = link_by_day(memory, articles, settings, encode, with_claims=False, progress=progress)
    scored = [(p["a"], p["b"], p["label"] == "same") for p in labelled if p["label"] != "unsure"]
    result = pair_scores(story_of, scored)
    per_story = {}
    for name in sorted({p["story"] for p in labelled if p["label"] == "same"}):
        mine = [(p["a"], p["b"], True) for p in labelled if p["story"] == name]
        per_story[name] = pair_scores(story_of, mine)["recall"]
    missed = [p for p in labelled if p["label"] == "same" and story_of[p["a"]] != story_of[p["b"]]]
    wrong = [p for p in labelled if p["label"] == "different" and story_of[p["a"]] == story_of[p["b"]]]
    sizes = Counter(story_of.values())
    overall = {"stories.multihop.link_precision": result["precision"], "stories.multihop.link_recall": result["recall"],
               "stories.multihop.story_recall_macro": round(sum(per_story.values()) / len(per_story), 4) if per_story else 0.0,
               "stories.multihop.pairs_scored": result["pairs"], "stories.multihop.pairs_unsure":
                   sum(p["label"] == "unsure" for p in labelled),
               "stories.multihop.articles": len(articles), "stories.multihop.stories": len(sizes),
               "stories.multihop.largest_story": max(sizes.values()) if sizes else 0}
    return {"summary": {"overall": overall}, "pairs": result, "per_story_recall": per_story,
            "missed": [{k: p[k] for k in ("a", "b", "story", "title_a", "title_b", "days_apart")} for p in missed],
            "wrongly_linked": [{k: p[k] for k in ("a", "b", "title_a", "title_b", "days_apart")} for p in wrong]}
