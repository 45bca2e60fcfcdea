"""Summarize one article: a one-line central claim and 3-6 key points, every sentence cited to a span of it.

The excerpts are the article's lead (headline and opening, always excerpt [1]) and its most
central chunks, cut to their best sentence window; the model writes the summary, the citation
check keeps what the excerpts support, and the lead is restored when the model missed it.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import numpy as np

from assistant.prompts import format_passages
from assistant.grounding.passage_window import best_windows, covers_lead, headline_sentence, lead_passage
from assistant.records import Passage, StoredArticle
from assistant.markers import cite
from assistant.grounding.citations import Citation, citation_json
from assistant.grounding.faithful import CitedSentence, faithful
from assistant.prompt_chains import text_chain

LENGTHS = {"line": (0, 3), "short": (3, 4), "full": (6, 6)}  # key points, excerpts


@dataclass
class ArticleSummary:
    article: StoredArticle
    line: CitedSentence | None
    points: list[CitedSentence]
    passages: list[Passage]
    dropped: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def text(self) -> str:
        parts = [self.line.text] if self.line else []
        return "\n".join(parts + [f"- {p.text}" for p in self.points])

    def to_json(self) -> dict:
        cited = sorted({n for s in ([self.line] if self.line else []) + self.points for n in s.markers})
        return {"article_id": self.article.id, "title": self.article.title, "source": self.article.source,
                "url": self.article.url, "published_at": self.article.published_at,
                "summary": self.line.text if self.line else "", "points": [p.text for p in self.points],
                "rewritten": sum(s.rewritten for s in self.points + ([self.line] if self.line else [])),
                "dropped": self.dropped,
                "citations": [citation_json(Citation.whole(n, self.passages[n - 1])) for n in cited],
                "timings": {k: round(v, 3) for k, v in self.timings.items()}}


def article_chunks(article: StoredArticle, size: int = 800) -> list[Passage]:
    """The body cut at paragraph or sentence ends into spans of about `size` characters."""
    spans, start = [], 0
    body = article.body
    while start < len(body):
        end = min(len(body), start + size)
        if end < len(body):
            cut = max(body.rfind("\n", start, end), body.rfind(". ", start, end))
            end = cut + 1 if cut > start + size // 3 else end
        text = body[start:end]
        if text.strip():
            spans.append(Passage(f"{article.id}::{len(spans)}", article.id, article.title, article.source, article.url,
                                 article.published_at, start, end, text))
        start = end
    return spans


def central_passages(article: StoredArticle, encode, count: int, window: int) -> list[Passage]:
    """Excerpt [1] is the lead; then the chunks closest to the article as a whole, in reading order."""
    lead = lead_passage(article)
    rest = [p for p in article_chunks(article) if p.start >= lead.end - 50]
    if rest and count > 1:
        vectors = encode([article.title + " " + lead.text] + [p.text for p in rest])
        centroid = vectors[0] + vectors[1:].mean(axis=0)
        order = np.argsort(-(vectors[1:] @ centroid))[: count - 1]
        rest = [rest[i] for i in sorted(order)]
        rest = best_windows(rest, article.title + " " + lead.text, encode, window)
    return [lead] + rest[: count - 1]


class ArticleSummarizer:
    def __init__(self, settings, chat_model, encode):
        self.settings = settings
        self.encode = encode
        self.chain = text_chain(chat_model, "summary_article_user", "summary_article_system", max_tokens=320)

    def summarize(self, article: StoredArticle, length: str = "short") -> ArticleSummary:
        started = time.perf_counter()
        points_wanted, excerpt_count = LENGTHS[length]
        passages = central_passages(article, self.encode, excerpt_count, self.settings.passage_chars)
        raw = self.chain.invoke({"title": article.title, "source": article.source, "date": (article.published_at or "")[:10],
                                 "excerpts": format_passages(passages), "points": max(points_wanted, 1)})
        line_text, point_texts = parse_summary(raw)
        kept_line, dropped = faithful(line_text, passages, self.encode, self.settings.support_threshold) if line_text else ([], 0)
        line = kept_line[0] if kept_line else None
        if line is None or not covers_lead(line.text, passages[0], self.encode):
            # the one line must say what the article is about: the lead sentence closest to the headline
            line = CitedSentence(cite(headline_sentence(article.title, passages[0], self.encode), 1), [1], 1.0, rewritten=True)
        points: list[CitedSentence] = []
        if points_wanted:
            kept, more_dropped = faithful("\n".join(point_texts), passages, self.encode, self.settings.support_threshold)
            dropped += more_dropped
            points = [p for p in dedupe(kept, [line], self.encode)][:points_wanted]
        summary = ArticleSummary(article, line, points, passages, dropped)
        summary.timings["total_s"] = time.perf_counter() - started
        return summary


def parse_summary(text: str) -> tuple[str, list[str]]:
    line, points = "", []
    for raw in text.splitlines():
        raw = raw.strip()
        if not raw:
            continue
        if raw.lower().startswith("summary:"):
            line = raw.split(":", 1)[1].strip()
        elif raw[:1] in "-*•" or re.match(r"\d+[.)]\s", raw):
            points.append(re.sub(r"^([-*•]|\d+[.)])\s*", "", raw))
        elif not line:
            line = raw
    return line, points


def dedupe(points: list[CitedSentence], already: list[CitedSentence], encode, at: float = 0.85) -> list[CitedSentence]:
    """Points that do not repeat the summary line or each other."""
    kept: list[CitedSentence] = []
    if not points:
        return kept
    vectors = encode([p.text for p in points + already])
    for i, point in enumerate(points):
        others = [j for j in range(len(points), len(points) + len(already))] + [points.index(k) for k in kept]
        if all(float(vectors[i] @ vectors[j]) < at for j in others):
            kept.append(point)
    return kept
