"""The claim ledger's part in a topic summary: what became of the claims in the stories its articles belong
to (confirmed, disputed, corrected, superseded), cited by the summary's own source numbers."""

from __future__ import annotations

from datetime import date

from assistant.records import Passage
from assistant.stories.ledger import ledger_as_of
from assistant.stories.memory import StoryMemory, memory_path
from assistant.stories.view import shown

LEDGER_LINES = 4
STATUS_TEXT = {"confirmed": "confirmed by {outlets}", "contradicted": "disputed", "corrected": "corrected by {first}",
               "stale": "superseded by a later report"}


def topic_ledger(settings, passages: list[Passage], as_of: date | None = None) -> list[str]:
    """Up to LEDGER_LINES lines ("“…” [2]: confirmed by A, B") for claims of the summary's articles that are not
    merely new; nothing when the story memory has not seen them (or does not exist yet)."""
    path = memory_path(settings)
    if not passages or not path.is_file():
        return []
    memory = StoryMemory(path, None)
    number = {p.article_id: i for i, p in enumerate(passages, 1)}
    stories = sorted(set(memory.story_of(list(number)).values()))
    order = {"corrected": 0, "contradicted": 1, "stale": 2, "confirmed": 3}
    lines: list[tuple[int, str]] = []
    for story_id in stories:
        for entry in ledger_as_of(memory, story_id, as_of or date.max):
            cited = sorted({number[m.report.article_id] for m in entry.mentions if m.report.article_id in number})
            if entry.status == "new" or not cited:
                continue
            status = STATUS_TEXT[entry.status].format(outlets=", ".join(entry.independent_outlets), first=entry.first.report.source)
            marks = "".join(f"[{n}]" for n in cited)
            lines.append((order[entry.status], f"\u201c{shown(entry.first.claim.text)}\u201d {marks}: {status}"))
    return [line for _, line in sorted(lines, key=lambda item: item[0])][:LEDGER_LINES]
