"""Gold evidence for datasets that give only an answer and a date (RealTimeQA): the articles that hold it.

An article holds the answer when the gold text's words occur in it as whole words (case and
punctuation ignored: the same rule that grades the answer). Common answers ("Japan", "25") occur in
many articles of other weeks, so the evidence is the holding articles published in the quiz's own
weeks (EVIDENCE_WINDOW around its date) when there are any, else every holding article. The gold
facts are the holding sentences, so MultiHop-RAG's chunk rule (a chunk hits when it contains a fact)
grades retrieval here too.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from assistant.language import normalize_answer
from assistant.sentences import split_sentences

# (days before, days after) the quiz date in which a holding article counts as the question's own.
EVIDENCE_WINDOW = (21, 3)


def holds(text: str, gold: str) -> bool:
    """The gold's words occur in the text as whole words (case, punctuation and articles ignored)."""
    return holds_normalized(f" {normalize_answer(text)} ", gold)


def holds_normalized(padded_text: str, gold: str) -> bool:
    """`holds` for a text already normalised and padded with a space each side (an article read once, asked often)."""
    wanted = normalize_answer(gold)
    return bool(wanted) and f" {wanted} " in padded_text


def in_window(published: str, today: str) -> bool:
    if not published or not today:
        return False
    day, quiz = date.fromisoformat(published[:10]), date.fromisoformat(today[:10])
    return quiz - timedelta(days=EVIDENCE_WINDOW[0]) <= day <= quiz + timedelta(days=EVIDENCE_WINDOW[1])


def corpus_articles(corpus: Path) -> list[dict]:
    """The corpus as the loader reads it (same ids as the stored articles), as plain dicts."""
    from assistant.ingest.sources.jsonl import article_from_record
    rows = []
    for number, line in enumerate(corpus.read_text(encoding="utf-8").split("\n"), 1):
        if line.strip():
            article = article_from_record(json.loads(line), f"{corpus}:{number}")
            rows.append({"id": article.id, "title": article.title, "body": article.body,
                         "published_at": article.published_at.isoformat() if article.published_at else ""})
    return rows


def corpus_evidence(questions: list, corpus: Path) -> list[list[tuple[str, str]]]:
    """For each question, its gold-holding articles and sentences as (article id, fact) pairs.

    Pairs rather than the dataset's Evidence type, so that this module does not import the loader that calls it.
    """
    articles = corpus_articles(corpus)
    padded = [f" {normalize_answer(a['title'] + ' ' + a['body'])} " for a in articles]
    out = []
    for question in questions:
        holding = [a for a, text in zip(articles, padded) if holds_normalized(text, question.answer)]
        own = [a for a in holding if in_window(a["published_at"], question.today or "")]
        evidence: list[tuple[str, str]] = []
        for article in own or holding:
            facts = [s for s in split_sentences(article["body"]) if holds(s, question.answer)]
            evidence.extend((article["id"], fact) for fact in facts[:3])
            if not facts:  # only the title holds it
                evidence.append((article["id"], ""))
        out.append(evidence)
    return out
