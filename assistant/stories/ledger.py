"""The claim ledger of a story: each checkable claim with the reports that made it and what became of it.

Statuses, computed in code from the claims of the story's reports up to a day:
  new           one independent outlet says it (a reprint of that report adds nothing);
  confirmed     a second independent outlet says it too (not a reprint: 5-word-shingle Jaccard below
                `duplicate_jaccard`);
  contradicted  another outlet gives another figure for the same quantity, or negates it, and neither
                report says it revises the other;
  corrected     the outlet that first said it later changes it (another figure, a negation, or a
                correction note);
  stale         a later report supersedes it with wording that says so ("has risen to 19").
When several apply the first of STATUS_ORDER wins: a claim that was confirmed and then superseded is stale.
A claim that is itself corrected or stale disputes nothing any more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from assistant.grounding.verify import sentences_conflict
from assistant.stories.model import Report, StoredClaim
from assistant.stories.wording import QUANTITY_LABELS, quoted

STATUS_ORDER = ("corrected", "stale", "contradicted", "confirmed", "new")


@dataclass(frozen=True)
class LedgerRule:
    """Sentence-vector cosines for telling one claim from another (all-MiniLM-L6-v2; docs/stories.md)."""

    same_statement: float = 0.75  # two sentences without figures that say the same thing
    same_quote: float = 0.85  # two sentences carrying the same quotation in other words
    figure_context: float = 0.2  # two figures of one quantity must come from sentences at least this close


LEDGER_RULE = LedgerRule()


@dataclass
class Mention:
    claim: StoredClaim
    report: Report

    @property
    def independent(self) -> bool:
        return self.report.reprint_of is None

    def json(self) -> dict:
        return {"article_id": self.report.article_id, "source": self.report.source, "day": self.report.day,
                "published_at": self.report.published_at, "title": self.report.title, "url": self.report.url,
                "start": self.claim.start, "end": self.claim.end, "text": self.claim.text,
                "reprint_of": self.report.reprint_of}


@dataclass
class Entry:
    mentions: list[Mention]
    values: set[float] = field(default_factory=set)
    status: str = "new"
    because: list[tuple[str, "Entry"]] = field(default_factory=list)  # (relation, the other entry)

    @property
    def first(self) -> Mention:
        return self.mentions[0]

    @property
    def kind(self) -> str:
        return self.first.claim.kind

    @property
    def quantity(self) -> str:
        return self.first.claim.quantity

    @property
    def key(self) -> int:
        """The claim id of its first mention: the same entry on every day it is computed."""
        return self.first.claim.id

    @property
    def outlets(self) -> list[str]:
        return sorted({m.report.source for m in self.mentions})

    @property
    def independent_outlets(self) -> list[str]:
        return sorted({m.report.source for m in self.mentions if m.independent})

    def later_from(self, outlet: str, after: str) -> list[Mention]:
        return [m for m in self.mentions if m.report.source == outlet and m.report.published_at > after]

    def json(self) -> dict:
        return {"key": self.key, "kind": self.kind, "text": self.first.claim.text, "quantity": self.quantity,
                "values": sorted(self.values), "status": self.status, "outlets": self.outlets,
                "independent_outlets": self.independent_outlets,
                "first_reported": {"source": self.first.report.source, "day": self.first.report.day},
                "mentions": [m.json() for m in self.mentions],
                "because": [{"relation": r, "key": other.key, "text": other.first.claim.text,
                             "source": other.first.report.source, "values": sorted(other.values)}
                            for r, other in self.because]}


def cosine(a: StoredClaim, b: StoredClaim) -> float:
    if a.vector.shape != b.vector.shape or a.vector.size < 2:
        return 0.0
    return float(a.vector @ b.vector)


def states_same(entry: Entry, claim: StoredClaim, rule: LedgerRule) -> bool:
    """Whether the claim says again what the entry says."""
    first = entry.first.claim
    if claim.kind == "figure" or first.kind == "figure":
        return (claim.kind == first.kind == "figure" and claim.quantity == first.quantity
                and bool(entry.values & set(claim.values)) and cosine(first, claim) >= rule.figure_context)
    if claim.kind == "quote" and first.kind == "quote" and quoted(claim.text) and quoted(claim.text) == quoted(first.text):
        return True
    similarity = cosine(first, claim)
    threshold = rule.same_quote if "quote" in (claim.kind, first.kind) else rule.same_statement
    return similarity >= threshold and claim.negated == first.negated and (
        bool(set(claim.names) & set(first.names)) or not (claim.names or first.names))


def conflict(first: Entry, second: Entry, rule: LedgerRule) -> bool:
    """Another figure for the same quantity, or a close sentence that negates the other."""
    a, b = first.first.claim, second.first.claim
    if a.kind == "figure" or b.kind == "figure":
        return (a.kind == b.kind == "figure" and a.quantity == b.quantity and not (first.values & second.values)
                and cosine(a, b) >= rule.figure_context)
    return a.negated != b.negated and sentences_conflict(a.text, b.text, cosine(a, b))


def withdrawn(claim: StoredClaim, report: Report, entries: list[Entry]) -> list[Entry]:
    """Entries from the same outlet whose figures a correction note names (what it withdraws)."""
    return [e for e in entries if e.kind == "figure" and e.quantity == claim.quantity and e.values & set(claim.values)
            and any(m.report.source == report.source for m in e.mentions)]


def build_ledger(reports: list[Report], claims: list[StoredClaim], rule: LedgerRule = LEDGER_RULE) -> list[Entry]:
    """The story's ledger from its reports and their claims (both as of one day)."""
    by_article = {r.article_id: r for r in reports}
    entries: list[Entry] = []
    corrections: list[tuple[Entry, Mention]] = []  # (entry withdrawn, the correcting mention)
    for claim in sorted(claims, key=lambda c: (by_article[c.article_id].published_at, c.article_id, c.start)):
        report = by_article[claim.article_id]
        mention = Mention(claim, report)
        if claim.correction and claim.kind == "figure":
            old = withdrawn(claim, report, entries)
            if old:
                kept = set(claim.values) - set().union(*(e.values for e in old))
                corrections += [(e, mention) for e in old]
                if not kept:
                    continue
                claim = StoredClaim(**{**claim.__dict__, "values": tuple(sorted(kept))})
                mention = Mention(claim, report)
        target = next((e for e in entries if states_same(e, claim, rule)), None)
        if target is None:
            entries.append(Entry([mention], set(claim.values)))
        else:
            target.mentions.append(mention)
    for entry, mention in corrections:
        replacement = next((e for e in entries if mention in e.mentions), None)
        entry.because.append(("corrected_by", replacement or entry))
    supersede(entries, rule)
    superseded = {id(e) for e in entries if any(r in ("corrected_by", "superseded_by") for r, _ in e.because)}
    for i, first in enumerate(entries):
        for second in entries[i + 1:]:
            if id(first) in superseded or id(second) in superseded or not conflict(first, second, rule):
                continue
            first.because.append(("contradicted_by", second))
            second.because.append(("contradicted_by", first))
    for entry in entries:
        relations = {r for r, _ in entry.because}
        if "corrected_by" in relations:
            entry.status = "corrected"
        elif "superseded_by" in relations:
            entry.status = "stale"
        elif "contradicted_by" in relations:
            entry.status = "contradicted"
        elif len(entry.independent_outlets) >= 2:
            entry.status = "confirmed"
        else:
            entry.status = "new"
    return entries


def supersede(entries: list[Entry], rule: LedgerRule) -> None:
    """Mark each entry that a later conflicting report replaces: corrected when the outlet that first said it
    changes it without saying the figure moved, stale when the later report says it revises it."""
    for earlier in entries:
        for later in entries:
            if later is earlier or later.first.report.published_at <= earlier.first.report.published_at:
                continue
            if not conflict(earlier, later, rule):
                continue
            own = later.later_from(earlier.first.report.source, earlier.first.report.published_at)
            if own and not any(m.claim.revision for m in own):
                earlier.because.append(("corrected_by", later))
            elif any(m.claim.revision for m in later.mentions):
                earlier.because.append(("superseded_by", later))


def ledger_as_of(memory, story_id: int, day: date, rule: LedgerRule = LEDGER_RULE) -> list[Entry]:
    return build_ledger(memory.reports(story_id, until=day), memory.claims(story_id, until=day), rule)


def label(entry: Entry) -> str:
    return QUANTITY_LABELS.get(entry.quantity, f"the figure for {entry.quantity}" if entry.quantity else "the figure")


def figure_text(values) -> str:
    return " / ".join(f"{v:,.0f}" if float(v).is_integer() else f"{v:,}" for v in sorted(values))
