"""Sentence boundaries that survive news prose: "Mr. Trump", "Brig. Gen.", "U.S.", "2.1 million"."""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen brig maj lt col sgt capt adm gov sen rep st jr sr inc corp co ltd vs etc "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.g i.e a.m p.m".split()
)
# A boundary: end punctuation (and closing quote / citation markers), whitespace, then a capital,
# digit, opening quote or bracket. Line breaks always end a sentence.
LAST_WORD = re.compile(r"(?<![A-Za-z.])([A-Za-z.]+)\.$")
LOOKBACK = 48  # characters before a full stop searched for its word (longer than any abbreviation or initial)
BOUNDARY = re.compile(r"(?<=[.!?])([”\"’')\]]*(?:\[\d+\])*)[ \t]+(?=[A-Z0-9“\"‘'(\[])|\n+")


def _is_abbreviation(text: str, end: int) -> bool:
    """Whether the full stop just before `end` belongs to an abbreviation or an initial."""
    start = max(0, end - LOOKBACK)  # only the last word matters: scanning the whole prefix made long texts quadratic
    head = text[start:end].rstrip("”\"’')]")
    if not head.endswith("."):
        return False
    word = LAST_WORD.search(head)
    if not word or (word.start() == 0 and start > 0):  # a word longer than the look-back is no abbreviation
        return False
    token = word.group(1).lower()
    return token in ABBREVIATIONS or len(token) == 1


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, stripped of surrounding whitespace."""
    spans, start = [], 0
    for match in BOUNDARY.finditer(text):
        cut = match.start() + len(match.group(1) or "") if match.group(0)[0] != "\n" else match.start()
        if match.group(0)[0] != "\n" and _is_abbreviation(text, cut - len(match.group(1) or "")):
            continue
        spans.append((start, cut))
        start = match.end()
    spans.append((start, len(text)))
    result = []
    for s, e in spans:
        piece = text[s:e]
        s2 = s + len(piece) - len(piece.lstrip())
        e2 = e - (len(piece) - len(piece.rstrip()))
        if e2 - s2 > 1:
            result.append((s2, e2))
    return result


def split_sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]
