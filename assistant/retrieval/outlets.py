"""Outlet names in a question: the one matcher that question analysis and the retriever's outlet boost share.

A question names an outlet in full, without a leading "The", without a web suffix (".com") or without a
" - section" / " | tagline"; every word of the match must start with a capital letter (or not be a word),
so "the age of AI" does not name The Age and "its rivals" does not name Rivals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MIN_ALIAS_CHARS = 3  # shorter names ("AP" from "The AP") match too many ordinary words
SECTION_SEPARATOR = re.compile(r"\s+[-|–:]\s+")  # "BBC News - Technology", "CNBC | World Business News Leader"
LEADING_ARTICLE = re.compile(r"^the\s+", re.I)
WEB_SUFFIX = re.compile(r"\.(com|org|net|co\.uk)$", re.I)
LINKING_WORDS = frozenset({"of", "and", "the"})  # may stay lower-case inside a name ("Bank of England")
NAME_WORD = re.compile(r"[A-Za-z][\w'.-]*")


@dataclass(frozen=True)
class OutletMention:
    start: int
    end: int
    text: str
    sources: tuple[str, ...]  # the index outlets this mention can mean (several for "FOX News")


def outlet_aliases(source: str) -> set[str]:
    """Ways a question may name an outlet: in full, without "The", without a " - section" or " | tagline"."""
    names = {source.strip()}
    core = SECTION_SEPARATOR.split(source.strip())[0]
    names.add(core)
    for name in list(names):
        names.add(LEADING_ARTICLE.sub("", name))
        names.add(WEB_SUFFIX.sub("", name))
    return {n for n in names if len(n) >= MIN_ALIAS_CHARS}


def capitalised(span: str) -> bool:
    """Whether every word of the span but the linking words starts with a capital letter."""
    words = [w for w in NAME_WORD.findall(span) if w.lower() not in LINKING_WORDS]
    return bool(words) and all(w[0].isupper() or not w[0].isalpha() for w in words)


class OutletMatcher:
    """Finds the index's outlets in a text (longest name first; a capital letter must start the match)."""

    def __init__(self, sources: Iterable[str]):
        by_alias: dict[str, set[str]] = {}
        for source in sources:
            if source:
                for alias in outlet_aliases(source):
                    by_alias.setdefault(alias.lower(), set()).add(source)
        self.by_alias = {alias: tuple(sorted(found)) for alias, found in by_alias.items()}
        self._sources = frozenset(source for found in self.by_alias.values() for source in found)
        aliases = sorted(self.by_alias, key=len, reverse=True)
        self.pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(a) for a in aliases) + r")(?![\w])", re.I) if aliases else None

    @property
    def sources(self) -> set[str]:
        """The outlets this matcher can find (those with a name long enough to look for)."""
        return set(self._sources)

    def find(self, text: str) -> list[OutletMention]:
        if self.pattern is None:
            return []
        found = []
        for match in self.pattern.finditer(text):
            span = match.group(1)
            if capitalised(span):
                found.append(OutletMention(match.start(1), match.end(1), span, self.by_alias[span.lower()]))
        return found

    def named(self, text: str) -> set[str]:
        """Every outlet the text names ("...according to TechCrunch?")."""
        return {source for mention in self.find(text) for source in mention.sources}

    def knows(self, name: str) -> bool:
        return name.lower() in self.by_alias or any(name.lower() in alias or alias in name.lower()
                                                    for alias in self.by_alias if len(alias) >= 4)
