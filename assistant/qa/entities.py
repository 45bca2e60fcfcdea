"""Which entity several outlets report: a vote in code over the names in each named outlet's passages.

An inference question ("Which company, reported by TechCrunch and The Verge, ...?") has one
answer that every named outlet's reports mention. The small model sometimes names an entity
from one passage only; when another name appears in the passages of every named outlet and the
model's does not, the answer is rebuilt around that name, one cited sentence per outlet.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from assistant.language import names
from assistant.records import Passage


def mentions(name: str, text: str) -> bool:
    """The name, or its last word for a person's surname, appears in the text as a whole word."""
    lowered = text.lower()
    if re.search(rf"\b{re.escape(name.lower())}\b", lowered):
        return True
    parts = name.split()
    return len(parts) > 1 and len(parts[-1]) > 3 and bool(re.search(rf"\b{re.escape(parts[-1].lower())}\b", lowered))


def coverage(name: str, passages: Sequence[Passage], outlets: set[str]) -> int:
    """How many of the outlets have a passage that mentions the name."""
    return sum(any(p.source == outlet and mentions(name, p.title + " " + p.text) for p in passages) for outlet in outlets)


PERSON_QUESTION = re.compile(r"^\s*(who|whom|whose)\b|\b(individual|person|man|woman|executive|founder|player|coach|ceo)\b", re.I)
ORGANISATION_WORDS = re.compile(r"\b(inc|corp|co|ltd|llc|group|exchange|commission|company|bank|fund|league|association|"
                                r"agency|department|university|court|news|times|post|fc|club)\b", re.I)


def looks_like_person(name: str) -> bool:
    """Two or more capitalised words (or a hyphenated surname) and no organisation word."""
    parts = name.split()
    return (len(parts) >= 2 or "-" in name) and not ORGANISATION_WORDS.search(name)


def voted_entity(question: str, lead: str, passages: Sequence[Passage], outlets: set[str]) -> str | None:
    """A better answer than `lead` when one name covers every named outlet and `lead` does not; else None.

    A question about a person ("Who is the individual ...") is answered with a person's name only."""
    present = {p.source for p in passages} & outlets
    if len(present) < 2 or not lead:
        return None
    if coverage(lead, passages, present) == len(present):
        return None
    counts = Counter(n for p in passages if p.source in present for n in names(p.title + ". " + p.text))
    asked = question.lower()
    wants_person = bool(PERSON_QUESTION.search(question))
    candidates = [(coverage(n, passages, present), count, n) for n, count in counts.items()
                  if n.lower() not in asked and not any(n.lower() in o.lower() or o.lower() in n.lower() for o in outlets)
                  and len(n) > 2 and (looks_like_person(n) or not wants_person)]
    if not candidates:
        return None
    best_coverage, _, best = max(candidates)
    return best if best_coverage == len(present) else None
