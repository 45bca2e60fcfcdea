"""Score article and topic summaries against gold (evals/summaries): central claim, key facts, facts that
must not appear, timeline order, length, speed; the product's verifier reported beside a plain overlap check.

Gold facts are lists of alternative spellings; a fact is found when one of them appears in the summary
(case-insensitive). The overlap check counts summary sentences whose content words are mostly absent
from the source articles: a measure that does not use the product's own verifier.
"""

from __future__ import annotations

import json
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING

from tqdm import tqdm

from assistant.evals.metrics import mean
from assistant.language import content_words
from assistant.markers import strip_markers
from assistant.grounding.citations import check_answer
from assistant.records import SearchFilters

if TYPE_CHECKING:
    from assistant.ingest.indexer import IngestReport


def found(fact: list[str], text: str) -> bool:
    lowered = text.lower()
    return any(alternative.lower() in lowered for alternative in fact)


def off_source(sentences: list[str], sources: str, at: float = 0.6) -> float:
    """Share of sentences with fewer than `at` of their content words in the sources (plain word overlap)."""
    available = content_words(sources)
    scored = [len(content_words(s) & available) / len(content_words(s)) for s in sentences if content_words(s)]
    return mean([float(score < at) for score in scored]) if scored else 0.0


def verifier_unsupported(sentences: list[str], passages, encode, threshold: float) -> float:
    if not sentences or not passages:
        return 0.0
    every = "".join(f"[{n}]" for n in range(1, len(passages) + 1))
    checks = [check_answer(strip_markers(s).rstrip(".") + f" {every}.", passages, encode, threshold, repair=False)
              for s in sentences]
    return mean([float(not all(x.supported for x in c.sentences)) for c in checks])


def order_accuracy(cited_order: list[str], gold_order: list[str]) -> float:
    """Pairwise agreement between the summary's timeline order and the gold order (over articles in both)."""
    rank = {doc: i for i, doc in enumerate(gold_order)}
    seen = [doc for doc in dict.fromkeys(cited_order) if doc in rank]
    pairs = [(a, b) for i, a in enumerate(seen) for b in seen[i + 1:]]
    return mean([float(rank[a] < rank[b]) for a, b in pairs]) if pairs else 0.0


def score_article(gold: dict, summary, corpus: dict, encode, threshold: float) -> dict:
    sentences = ([summary.line.text] if summary.line else []) + [p.text for p in summary.points]
    text = " ".join(strip_markers(s) for s in sentences)
    lead_text = strip_markers(sentences[0]) if sentences else ""
    article = corpus[gold["id"]]
    return {"id": gold["id"], "central_claim": float(all(found(f, lead_text) for f in gold["central"])),
            "key_fact_recall": mean([float(found(f, text)) for f in gold["key_facts"]]),
            "must_not_rate": mean([float(found(f, text)) for f in gold["must_not"]]) if gold["must_not"] else 0.0,
            "unsupported_verifier": verifier_unsupported(sentences, summary.passages, encode, threshold),
            "off_source_overlap": off_source(sentences, article["title"] + " " + article["body"]),
            "words": len(text.split()), "seconds": summary.timings.get("total_s", 0.0), "summary": sentences}


def score_topic(gold: dict, summary, corpus: dict, encode, threshold: float) -> dict:
    overview = [s.text for s in summary.overview]
    timeline = [f"{e.sentence}" for e in summary.timeline]
    text = " ".join(strip_markers(s) for s in overview + timeline)
    sources = " ".join(p.title + " " + corpus.get(p.article_id, {}).get("body", p.text) for p in summary.sources)
    cited_order = [summary.sources[e.n - 1].article_id for e in summary.timeline]
    return {"topic": gold["topic"], "central_claim": float(all(found(f, " ".join(strip_markers(s) for s in overview))
                                                              for f in gold["central"])),
            "key_fact_recall": mean([float(found(f, text)) for f in gold["key_facts"]]),
            "must_not_rate": mean([float(found(f, text)) for f in gold["must_not"]]) if gold["must_not"] else 0.0,
            "unsupported_verifier": verifier_unsupported(overview, summary.sources, encode, threshold),
            "off_source_overlap": off_source(overview, sources),
            "timeline_order_accuracy": order_accuracy(cited_order, gold["order"]),
            "gold_articles_found": mean([float(doc in cited_order) for doc in gold["order"]]),
            "articles": len({p.article_id for p in summary.sources}),
            "words": len(text.split()), "seconds": summary.timings.get("total_s", 0.0), "overview": overview}


def gold_article_ids(gold_folder: Path) -> set[str]:
    """Every article the gold names (the summarized articles and the topics' expected timelines)."""
    ids = {json.loads(l)["id"] for l in (gold_folder / "articles.jsonl").read_text().splitlines() if l.strip()}
    for line in (gold_folder / "topics.jsonl").read_text().splitlines():
        if line.strip():
            ids |= set(json.loads(line)["order"])
    return ids


def ingest_gold_articles(services, corpus_path: Path, gold_folder: Path, progress: bool = True) -> IngestReport:
    """Store only the corpus articles the gold names, so the summaries are made from a small index."""
    from assistant.ingest.indexer import IngestReport, ingest_articles
    from assistant.ingest.sources import load_articles
    needed = gold_article_ids(gold_folder)
    articles, _ = load_articles([str(corpus_path)], services.settings)
    outcomes = ingest_articles([a for a in articles if a.id in needed], services.store, services.embeddings,
                               services.settings, progress=progress)
    return IngestReport(outcomes=outcomes)


def run_summary_eval(services, corpus_path: Path, gold_folder: Path, progress: bool = True, every: int = 1) -> dict:
    """Score article and topic summaries; `every` > 1 scores every n-th gold article only (CI keeps its time)."""
    corpus = {}
    for line in corpus_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            corpus[row["id"]] = row
    articles_gold = [json.loads(l) for l in (gold_folder / "articles.jsonl").read_text().splitlines() if l.strip()][::every]
    topics_gold = [json.loads(l) for l in (gold_folder / "topics.jsonl").read_text().splitlines() if l.strip()]
    settings, encode = services.settings, services.embeddings.encode
    rows = []
    for gold in tqdm(articles_gold, desc="Article summaries", disable=not progress):
        stored = services.store.articles(article_ids=[gold["id"]])
        if not stored:
            raise ValueError(f"{gold['id']}: not in the index; ingest {corpus_path} first")
        rows.append(score_article(gold, services.article_summarizer.summarize(stored[0], "short"), corpus, encode,
                                  settings.support_threshold))
    topic_rows = []
    from datetime import datetime, timezone
    for gold in tqdm(topics_gold, desc="Topic summaries", disable=not progress):
        filters = SearchFilters(since=datetime.fromisoformat(gold["since"]).replace(tzinfo=timezone.utc),
                                until=datetime.fromisoformat(gold["until"]).replace(tzinfo=timezone.utc))
        topic_rows.append(score_topic(gold, services.topic_summarizer.summarize(gold["topic"], filters), corpus, encode,
                                      settings.support_threshold))
    summary = {}
    for prefix, table in (("article", rows), ("topic", topic_rows)):
        for key in ("central_claim", "key_fact_recall", "must_not_rate", "unsupported_verifier", "off_source_overlap",
                    "timeline_order_accuracy", "gold_articles_found"):
            if table and key in table[0]:
                summary[f"summary.{prefix}.{key}"] = round(mean([r[key] for r in table]), 4)
        if table:
            summary[f"summary.{prefix}.words_p50"] = median(r["words"] for r in table)
            summary[f"summary.{prefix}.p50_s"] = round(median(r["seconds"] for r in table), 2)
            if "articles" in table[0]:
                summary[f"summary.{prefix}.articles_p50"] = median(r["articles"] for r in table)
    return {"summary": {"overall": summary}, "articles": rows, "topics": topic_rows}
