"""A story as the reader sees it on a day: its reports and days, who covered it, its claim ledger, and what
changed in the ledger since the story's previous day. One view for the briefing, the page and `--json`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from assistant.follow.database import feed_articles
from assistant.safety import neutralize
from assistant.stories.ledger import Entry, Mention, figure_text, label, ledger_as_of
from assistant.stories.memory import StoryMemory
from assistant.stories.model import Report, StoryRecord
from assistant.stories.outlets import Coverage, OutletBook, blindspot, coverage, followed_outlets, load_outlets

QUOTE_CHARS = 220
# What a change in the ledger says in the briefing; {cite...} are citation markers of the reports.
CHANGE_TEXT = {
    ("stale", "figure"): "{label} was revised from {old} to {new} ({source}) {cite_new}",
    ("corrected", "figure"): "{source} corrected {label} from {old} {cite_old} to {new} {cite_new}",
    ("corrected", "claim"): "{source} corrected its report {text} {cite_old}: {other} {cite_new}",
    ("stale", "claim"): "a later report supersedes {text} {cite_old}: {other} {cite_new}",
    ("contradicted", "figure"): "{first_source} gives {label} as {old} {cite_old}, {other_source} as {new} {cite_new}",
    ("contradicted", "claim"): "the claim {text} {cite_old} is disputed by {other_source}: {other} {cite_new}",
    ("confirmed", "figure"): "{label}, {old}, is now confirmed by {other_source} {cite_new}",
    ("confirmed", "claim"): "{other_source} now also reports {text} {cite_new}",
}


def shown(text: str) -> str:
    """A claim's sentence as quoted to the reader: neutralised, shortened, no closing full stop."""
    text = " ".join(neutralize(text).split()).rstrip(".")
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS].rsplit(" ", 1)[0] + "…"


def quoted_claim(text: str) -> str:
    """The sentence in quotation marks; one that carries its own quotation goes in single ones."""
    text = shown(text)
    return f"\u2018{text}\u2019" if any(mark in text for mark in "\u201c\u201d\"") else f"\u201c{text}\u201d"


@dataclass
class Change:
    """One entry whose status is new since the story's previous day, with the report that changed it."""

    status: str
    entry: Entry
    other: Entry | None  # the entry that revised, corrected, contradicted it (None for a confirmation)
    mention: Mention  # the report that brought the change

    def json(self) -> dict:
        return {"status": self.status, "entry": self.entry.key, "text": self.entry.first.claim.text,
                "other": self.other.first.claim.text if self.other else None, "because": self.mention.json()}

    def text(self, cite: Callable[[str], str]) -> str:
        """The line for the briefing; `cite(article_id)` gives a report's marker ("[3]")."""
        entry, other = self.entry, self.other or self.entry
        kind = "figure" if entry.kind == "figure" else "claim"
        template = CHANGE_TEXT.get((self.status, kind))
        if template is None:
            return ""
        return template.format(
            label=label(entry), old=figure_text(entry.values), new=figure_text(other.values),
            text=quoted_claim(entry.first.claim.text), other=quoted_claim(self.mention.claim.text), source=self.mention.report.source,
            first_source=entry.first.report.source, other_source=self.mention.report.source,
            cite_old=cite(entry.first.report.article_id), cite_new=cite(self.mention.report.article_id)).strip()


@dataclass
class StoryView:
    record: StoryRecord
    day: date
    reports: list[Report]
    coverage: Coverage
    ledger: list[Entry]
    changes: list[Change] = field(default_factory=list)
    blindspot: str = ""
    previous_day: str = ""  # the story's day before this one, that `changes` are counted from

    @property
    def days(self) -> list[str]:
        return sorted({r.day for r in self.reports})

    def json(self) -> dict:
        return {"id": self.record.id, "headline": self.record.headline, "as_of": self.day.isoformat(),
                "first_day": self.record.first_day, "days": self.days,
                "outlets": sorted({r.source for r in self.reports}),
                "reports": [{"article_id": r.article_id, "day": r.day, "published_at": r.published_at, "source": r.source,
                             "title": r.title, "url": r.url, "reprint_of": r.reprint_of} for r in self.reports],
                "coverage": self.coverage.json(), "blindspot": self.blindspot,
                "ledger": [e.json() for e in self.ledger],
                "previous_day": self.previous_day, "since_previous_day": [c.json() for c in self.changes]}


def changes_between(before: list[Entry], after: list[Entry]) -> list[Change]:
    """Entries whose status moved (or that arrived already confirmed, disputed or replaced), once per pair."""
    earlier = {e.key: e.status for e in before}
    found, seen = [], set()
    for entry in after:
        if entry.status == "new" or earlier.get(entry.key) == entry.status:
            continue
        relation = {"stale": "superseded_by", "corrected": "corrected_by", "contradicted": "contradicted_by"}.get(entry.status)
        other = next((o for r, o in entry.because if r == relation), None)
        if entry.status == "contradicted" and other is not None:
            pair = frozenset((entry.key, other.key))
            if pair in seen:
                continue
            seen.add(pair)
            if other.first.report.published_at < entry.first.report.published_at:
                entry, other = other, entry
        source = other if other is not None else entry
        mention = max(source.mentions if other is not None else [m for m in entry.mentions if m.independent] or entry.mentions,
                      key=lambda m: m.report.published_at)
        found.append(Change(entry.status, entry, other, mention))
    return found


class StoryReader:
    """Story views for one settings: the memory, the user's outlet file and the outlets they follow."""

    def __init__(self, settings, memory: StoryMemory, book: OutletBook | None = None, followed: list[str] | None = None):
        self.settings = settings
        self.memory = memory
        self.book = book if book is not None else load_outlets(settings.outlets_file)
        self._followed = followed

    def reference(self, day: date) -> tuple[list[str], str]:
        """The outlets coverage is measured against: the followed feeds', else every outlet seen around the day."""
        if self._followed is None:
            first = day - timedelta(days=self.settings.story_link_days)
            sources = {}
            for record in self.memory.stories_on(first, day):
                sources.update({r.article_id: r.source for r in self.memory.reports(record.id, until=day)})
            self._followed = followed_outlets(self.book, feed_articles(self.settings), sources)
        if self._followed:
            return self._followed, "feeds"
        seen = self.memory.outlets_seen(day - timedelta(days=self.settings.story_link_days), day)
        return sorted({self.book.canonical(s) for s in seen}), "seen"

    def view(self, story_id: int, day: date) -> StoryView | None:
        record = self.memory.story(story_id)
        if record is None:
            return None
        reports = self.memory.reports(story_id, until=day)
        ledger = ledger_as_of(self.memory, story_id, day)
        earlier_days = sorted({r.day for r in reports if r.day < day.isoformat()})
        changes = []
        if earlier_days and any(r.day == day.isoformat() for r in reports):
            before = ledger_as_of(self.memory, story_id, date.fromisoformat(earlier_days[-1]))
            changes = changes_between(before, ledger)
        reference, basis = self.reference(day)
        cover = coverage(reports, reference, basis, self.book)
        return StoryView(record, day, reports, cover, ledger, changes,
                         blindspot(cover, reference, self.book) if basis == "feeds" else "",
                         earlier_days[-1] if earlier_days else "")

    def views_on(self, day: date) -> list[StoryView]:
        """Every story with a report on the day, most independent outlets first."""
        views = [self.view(r.id, day) for r in self.memory.stories_on(day, day)]
        return sorted([v for v in views if v], key=lambda v: (-len(v.coverage.independent), -len(v.reports), v.record.id))
