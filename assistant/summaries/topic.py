"""Summarize a topic over time (10-30 articles on 2 cores): map in code, reduce with the model.

Map: the topic's articles are found with the product's own retrieval; from each, the sentence
that best states its part of the story is kept, with its outlet and date. Everything that can be
done in code is: the timeline is ordered by publication date (and by the dates the articles
report), outlets are grouped for who-said-what, disagreements are found by comparing figures and
negations across outlets, and open questions by forward-looking wording. Reduce: the model writes
two or three sentences of "what happened" from the dated list only (never past the context size),
and every one of them goes through the citation check.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from dateutil import parser as date_parser

from assistant.language import CAPITALISED_MONTH_PREFIX_PATTERN
from assistant.grounding.citations import Citation, citation_json
from assistant.grounding.verify import sentences_conflict
from assistant.records import Passage, SearchFilters
from assistant.retrieval.protocol import Retriever
from assistant.safety import neutralize
from assistant.sentences import split_sentences
from assistant.markers import cite
from assistant.grounding.faithful import CitedSentence, faithful
from assistant.prompt_chains import text_chain

OPEN_WORDING = re.compile(r"\b(will|would|expected to|plans? to|could|may|might|yet to|unclear|not yet|pending|"
                          r"awaits?|awaiting|next (week|month|year)|upcoming|set to|is due|are due)\b", re.I)
REPORTED_DATE = re.compile(rf"\b(?:on\s+)?({CAPITALISED_MONTH_PREFIX_PATTERN}\.?\s+\d{{1,2}}(?:,\s*\d{{4}})?)\b")


@dataclass
class TimelineEntry:
    n: int  # the source number cited for it
    published: str
    reported: str  # a date the sentence itself names ("Oct. 5"), else ""
    source: str
    sentence: str

    @property
    def when(self) -> str:
        return self.reported or self.published[:10]


@dataclass
class TopicSummary:
    topic: str
    overview: list[CitedSentence]
    timeline: list[TimelineEntry]
    by_outlet: dict[str, list[TimelineEntry]]
    disagreements: list[str]
    still_open: list[str]
    sources: list[Passage]
    dropped: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    ledger: list[str] = field(default_factory=list)  # what became of its claims across days (story memory)

    def to_markdown(self) -> str:
        lines = [f"# {self.topic}", "", "## What happened", ""]
        lines += [" ".join(s.text for s in self.overview) or "_No summary: too little was found._", ""]
        lines += ["## Timeline", ""] + [f"- **{e.when}** · {e.source}: {e.sentence} [{e.n}]" for e in self.timeline]
        lines += ["", "## Who reported what", ""]
        for outlet, entries in self.by_outlet.items():
            count = f"{len(entries)} report" + ("s" if len(entries) > 1 else "")
            lines.append(f"- **{outlet}** ({count}): {entries[0].sentence} [{entries[0].n}]")
        if self.disagreements:
            lines += ["", "## Where reports differ", ""] + [f"- {d}" for d in self.disagreements]
        if self.still_open:
            lines += ["", "## Still open", ""] + [f"- {s}" for s in self.still_open]
        if self.ledger:
            lines += ["", "## Claims across days", ""] + [f"- {s}" for s in self.ledger]
        lines += ["", "## Sources", ""]
        lines += [f"[{i}] {p.title} — {p.source}, {(p.published_at or '')[:10]}" for i, p in enumerate(self.sources, 1)]
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict:
        return {"topic": self.topic, "overview": [s.text for s in self.overview],
                "timeline": [{"n": e.n, "published": e.published, "reported": e.reported, "source": e.source,
                              "sentence": e.sentence} for e in self.timeline],
                "by_outlet": {k: [e.n for e in v] for k, v in self.by_outlet.items()},
                "disagreements": self.disagreements, "still_open": self.still_open, "dropped": self.dropped,
                "ledger": self.ledger,
                "citations": [citation_json(Citation.whole(i, p)) for i, p in enumerate(self.sources, 1)],
                "timings": {k: round(v, 3) for k, v in self.timings.items()}}


def reported_date(sentence: str, published: str) -> str:
    """A calendar date the sentence names, completed with the publication year; "" when none."""
    match = REPORTED_DATE.search(sentence)
    if not match or not published:
        return ""
    try:
        default = datetime.fromisoformat(published[:10])
        return date_parser.parse(match.group(1).replace(".", ""), default=default).date().isoformat()
    except (ValueError, OverflowError):
        return ""


class TopicSummarizer:
    def __init__(self, settings, retriever: Retriever, chat_model, encode):
        self.settings = settings
        self.retriever = retriever
        self.encode = encode
        self.chain = text_chain(chat_model, "summary_topic_user", "summary_topic_system", max_tokens=200)

    def find(self, topic: str, filters: SearchFilters, most: int) -> list[Passage]:
        """The best chunk of each article on the topic, best articles first (at most `most`)."""
        hits = self.retriever.search(topic, k=max(most * 3, 30), filters=filters)
        best: dict[str, Passage] = {}
        for passage in hits:
            best.setdefault(passage.article_id, passage)
        relevant = list(best.values())[:most]
        if not relevant:
            return []
        vectors = self.encode([topic] + [p.title + " " + p.text for p in relevant])
        similarity = vectors[1:] @ vectors[0]
        floor = max(0.2, float(similarity.max()) - 0.35)  # drop the tail that is about something else
        return [p for p, s in zip(relevant, similarity) if s >= floor]

    def summarize(self, topic: str, filters: SearchFilters | None = None) -> TopicSummary:
        started = time.perf_counter()
        filters = filters or SearchFilters()
        passages = sorted(self.find(topic, filters, self.settings.topic_max_articles), key=lambda p: p.published_at or "")
        entries = self.map(topic, passages)
        timeline = sorted(entries, key=lambda e: (e.when, e.published))
        by_outlet: dict[str, list[TimelineEntry]] = {}
        for entry in entries:
            by_outlet.setdefault(entry.source, []).append(entry)
        overview, dropped = self.reduce(topic, timeline, passages)
        used = {e.sentence for e in entries}
        summary = TopicSummary(topic, overview, timeline, by_outlet, self.disagreements(entries),
                               self.open_items(topic, passages, used), passages, dropped)
        summary.ledger = self.ledger(passages, filters)
        summary.timings["total_s"] = time.perf_counter() - started
        return summary

    def ledger(self, passages: list[Passage], filters: SearchFilters) -> list[str]:
        """The story memory's verdicts on these articles' claims (docs/stories.md); none if it cannot be read."""
        import sqlite3
        from assistant.stories.topic_ledger import topic_ledger
        try:
            return topic_ledger(self.settings, passages, filters.until.date() if filters.until else None)
        except (sqlite3.Error, ValueError):
            return []

    def map(self, topic: str, passages: list[Passage]) -> list[TimelineEntry]:
        entries = []
        for n, passage in enumerate(passages, 1):
            sentences = [s for s in split_sentences(passage.text) if len(s) > 30] or [passage.text.strip()]
            vectors = self.encode([topic] + sentences)
            best = sentences[int(np.argmax(vectors[1:] @ vectors[0]))].strip()
            entries.append(TimelineEntry(n, passage.published_at or "", reported_date(best, passage.published_at or ""),
                                         passage.source, neutralize(best).strip()))
        return entries

    def reduce(self, topic: str, timeline: list[TimelineEntry], passages: list[Passage]) -> tuple[list[CitedSentence], int]:
        if not timeline:
            return [], 0
        listing = "\n".join(f"[{e.n}] {e.when} · {e.source}: {e.sentence}" for e in timeline[:12])
        raw = self.chain.invoke({"topic": topic, "timeline": listing})
        kept, dropped = faithful(raw, passages, self.encode, self.settings.support_threshold)
        if not kept:  # nothing the model wrote held up: the first and the latest report, in their own words
            ends = [timeline[0]] + ([timeline[-1]] if len(timeline) > 1 else [])
            kept = [CitedSentence(cite(e.sentence, e.n), [e.n], 1.0, rewritten=True) for e in ends]
        return kept[:3], dropped

    def disagreements(self, entries: list[TimelineEntry]) -> list[str]:
        found = []
        if len(entries) < 2:
            return found
        vectors = self.encode([e.sentence for e in entries])
        similarity = vectors @ vectors.T
        for i in range(len(entries)):
            for j in range(i + 1, len(entries)):
                a, b = entries[i], entries[j]
                if a.source != b.source and sentences_conflict(a.sentence, b.sentence, float(similarity[i, j])):
                    found.append(f"{a.source} reports “{a.sentence.rstrip('.')}” [{a.n}], while {b.source} reports "
                                 f"“{b.sentence.rstrip('.')}” [{b.n}].")
        return found[:3]

    def open_items(self, topic: str, passages: list[Passage], used: set[str]) -> list[str]:
        """Forward-looking sentences of the latest reports (what is planned, expected or unresolved)."""
        latest = sorted(range(len(passages)), key=lambda i: passages[i].published_at or "", reverse=True)[:5]
        candidates = [(i + 1, s.strip()) for i in latest for s in split_sentences(passages[i].text)
                      if len(s) > 30 and OPEN_WORDING.search(s) and neutralize(s).strip() not in used]
        if not candidates:
            return []
        vectors = self.encode([topic] + [s for _, s in candidates])
        order = np.argsort(-(vectors[1:] @ vectors[0]))[:2]
        return [cite(neutralize(candidates[i][1]), candidates[i][0]) for i in order]
