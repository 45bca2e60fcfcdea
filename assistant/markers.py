"""The one grammar of citation markers: `[1]`, `[1][2]`, `[1, 3]`, `[2-4]`."""

from __future__ import annotations

import re

MARKER = re.compile(r"\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")


def expand_marker(body: str) -> list[int]:
    """The passage numbers inside one marker's brackets ("1, 3" -> [1, 3]; "2-4" -> [2, 3, 4])."""
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", body):
        if re.fullmatch(r"\d+\s*[–-]\s*\d+", part):
            low, high = (int(x) for x in re.split(r"\s*[–-]\s*", part))
            numbers.extend(range(low, min(high, low + 10) + 1))
        elif part.strip().isdigit():
            numbers.append(int(part))
    return numbers


def cited_numbers(text: str) -> list[int]:
    """Every passage number the text cites, in order of first mention."""
    return list(dict.fromkeys(n for body in MARKER.findall(text) for n in expand_marker(body)))


def strip_markers(text: str) -> str:
    """The text without any marker, and without the space a marker left before punctuation."""
    cleaned = MARKER.sub("", text)
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned)
    return re.sub(r"[ \t]{2,}", " ", cleaned).strip()


def cite(sentence: str, n: int) -> str:
    """The sentence with [n] before its final punctuation."""
    body = sentence.strip()
    end = ""
    while body and body[-1] in ".!?":
        end = body[-1] + end
        body = body[:-1].rstrip()
    return f"{body} [{n}]{end or '.'}"


def rewrite_markers(text: str, mapping: dict[int, int]) -> str:
    """Renumber every marker through `mapping` (numbers not in it are dropped), one [n] per number."""
    def swap(match: re.Match) -> str:
        numbers = [mapping[n] for n in expand_marker(match.group(1)) if n in mapping]
        return "".join(f"[{n}]" for n in dict.fromkeys(numbers))

    cleaned = MARKER.sub(swap, text)
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned)
    return re.sub(r"[ \t]{2,}", " ", cleaned).strip()
