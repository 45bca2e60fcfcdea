"""A story view as Markdown, for the terminal (`assistant stories`) and the page's story view: its reports
numbered [1], [2] … in order, coverage, the ledger with each entry's status and citations, what changed."""

from __future__ import annotations

import re

from assistant.safety import neutralize
from assistant.stories.ledger import Entry, figure_text, label
from assistant.stories.view import StoryView

STATUS_MARK = {"new": "NEW", "confirmed": "CONFIRMED", "contradicted": "DISPUTED", "corrected": "CORRECTED", "stale": "STALE"}
RELATION_TEXT = {"superseded_by": "superseded by", "corrected_by": "corrected by", "contradicted_by": "disputed by"}


def inert(text: str) -> str:
    """Article text shown as Markdown: neutralised, one line, no HTML or link syntax of its own."""
    return re.sub(r"([<>\[\]*_`|])", r"\\\1", " ".join(neutralize(text).split()))


def entry_line(entry: Entry, numbers: dict[str, int]) -> str:
    cites = "".join(f"[{numbers[a]}]" for a in dict.fromkeys(m.report.article_id for m in entry.mentions) if a in numbers)
    what = f"{label(entry)}: {figure_text(entry.values)} — " if entry.kind == "figure" else ""
    line = f"- **{STATUS_MARK[entry.status]}** {what}“{inert(entry.first.claim.text)}” {cites} ({', '.join(entry.outlets)})"
    for relation, other in entry.because:
        if relation in RELATION_TEXT and other is not entry:
            detail = figure_text(other.values) if other.kind == "figure" else f"“{inert(other.first.claim.text)}”"
            line += f"; {RELATION_TEXT[relation]} {other.first.report.source}: {detail}"
    return line


def story_markdown(view: StoryView) -> str:
    numbers = {r.article_id: i for i, r in enumerate(view.reports, 1)}
    cover = view.coverage
    lines = [f"## {inert(view.record.headline)}", "",
             f"First reported {view.record.first_day} by {inert(cover.first.get('source', '?'))}; "
             f"{len(view.reports)} reports on {len(view.days)} days ({', '.join(view.days)}).",
             f"Covered by {inert(', '.join(cover.covered))}" + (f"; covered only by {inert(cover.only_by)}" if cover.only_by else "")
             + (f"; not by {inert(', '.join(cover.missing))}" if cover.basis == "feeds" and cover.missing else "") + "."]
    if view.blindspot:
        lines.append(f"Blindspot: {inert(view.blindspot)}.")
    if view.changes:
        lines += ["", f"Since {view.previous_day}:"]
        for change in view.changes:
            text = inert(change.text(lambda a: f"⟦{numbers[a]}⟧" if a in numbers else ""))
            lines.append("- " + re.sub(r"⟦(\d+)⟧", r"[\1]", text))
    if view.ledger:
        order = list(STATUS_MARK)
        lines += ["", "Claims:"] + [entry_line(e, numbers) for e in sorted(view.ledger, key=lambda e: order.index(e.status))]
    lines += ["", "Reports:"]
    for report, n in numbers.items():
        r = next(x for x in view.reports if x.article_id == report)
        reprint = f" (reprint of [{numbers[r.reprint_of]}])" if r.reprint_of in numbers else ""
        lines.append(f"[{n}] {inert(r.title)} — {inert(r.source)}, {r.published_at[:16].replace('T', ' ')}{reprint}")
    return "\n".join(lines) + "\n"


def feed_problems_markdown(problems: list[dict]) -> str:
    if not problems:
        return ""
    return "\n".join(["## Feeds with problems", ""] +
                     [f"- {inert(p['title'])} ({inert(p['url'])}): {inert(p['reason'])}, since {p['since']}." for p in problems]) + "\n"
