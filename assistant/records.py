"""The shared vocabulary of the pipeline, on the ground floor: every stage imports it, it imports no stage.

Article (one news item as read), LoadResult (what one input gave: its articles and errors), Chunk (a span
of it, as stored), Passage (a stored span as retrieved and cited), StoredArticle (an article rebuilt from the
store) and SearchFilters.
"""

from __future__ import annotations

import hashlib
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


def stable_id(*parts: str) -> str:
    """A short deterministic id from identifying fields (not from the body, so edits replace)."""
    joined = "\x1f".join(p.strip().lower() for p in parts)
    return "a-" + hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    body: str
    source: str
    url: str | None = None
    published_at: datetime | None = None  # always timezone-aware when set
    author: str | None = None
    origin: str = ""  # the file or URL it was read from

    @property
    def content_hash(self) -> str:
        """Changes whenever anything stored about the article changes."""
        fields = [self.title, self.body, self.source, self.url or "", self.author or "",
                  self.published_at.isoformat() if self.published_at else ""]
        return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()[:16]

    @property
    def text_hash(self) -> str:
        """The same words from the same outlet, whatever the file type, spacing, case or "# " of a Markdown
        heading: one article however often it is read, under any id (one wire text from two outlets stays two)."""
        def words(text: str) -> str:
            return re.sub(r"\s+", " ", text).strip().casefold()
        fields = [words(re.sub(r"^#+\s*", "", self.title.strip())), words(self.body), words(self.source)]
        return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()[:16]


@dataclass
class LoadResult:
    """What one input (a file, a URL, a feed) gave. Here rather than beside the loaders so that their shared
    pieces (ingest/sources/common.py) stay free of records: the follow database checks a feed's URL through the
    fetcher without standing on them."""

    origin: str
    articles: list[Article] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each, naming the input and the reason


@dataclass(frozen=True)
class Chunk:
    id: str
    article_id: str
    index: int
    text: str
    start: int  # character span of `text` inside the article body
    end: int
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Passage:
    """A span of a stored article, as retrieved, put in a prompt and cited."""

    chunk_id: str
    article_id: str
    title: str
    source: str
    url: str
    published_at: str  # ISO 8601, or "" when undated
    start: int  # character span of `text` inside the article body
    end: int
    text: str
    score: float = 0.0

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, meta: dict, score: float) -> "Passage":
        return cls(chunk_id=chunk_id, article_id=meta["article_id"], title=meta.get("title", ""),
                   source=meta.get("source", ""), url=meta.get("url", ""), published_at=meta.get("published_at", ""),
                   start=int(meta.get("start", 0)), end=int(meta.get("end", 0)), text=text, score=score)


@dataclass
class StoredArticle:
    """An article as the store holds it (body rebuilt from its chunks)."""

    id: str
    title: str
    source: str
    url: str
    published_at: str
    body: str = ""
    chunks: int = 0
    ingested_at: str = ""  # when it was (last) written to the store, ISO UTC; "" for articles stored before this was kept

    def as_passage(self) -> Passage:
        return Passage(self.id, self.id, self.title, self.source, self.url, self.published_at, 0, len(self.body),
                       self.body, 0.0)


@dataclass(frozen=True)
class FilterRule:
    """How one SearchFilters field limits a search: the chunk metadata key it reads, and its test."""

    field: str  # the SearchFilters attribute; an unset one (None, or no outlets) admits every chunk
    key: str  # the chunk metadata key it tests
    test: str  # "one_of": the key's value is among the field's; "at_least" / "before": a timestamp comparison


# The one rule of what a filtered search may return. SearchFilters.accepts applies it to one chunk, the BM25
# index to whole columns, the store translates it into Chroma's where-clause (store.where_for).
FILTER_RULES: tuple[FilterRule, ...] = (
    FilterRule("sources", "source", "one_of"),
    FilterRule("since", "published_ts", "at_least"),  # [since, until): since included
    FilterRule("until", "published_ts", "before"),  # until left out
)
# The timestamp comparisons: Python operators, so they apply to a number and to a numpy column alike.
COMPARISONS: dict[str, Callable] = {"at_least": operator.ge, "before": operator.lt}


@dataclass(frozen=True)
class Condition:
    """One rule of FILTER_RULES with the filter's value: outlet names, or a POSIX timestamp."""

    key: str
    test: str
    value: tuple[str, ...] | float

    def holds(self, meta: dict) -> bool:
        found = meta.get(self.key)
        if self.test == "one_of":
            return found in self.value
        # an undated chunk is never inside a date window (nor is NaN: both comparisons are false for it)
        return isinstance(found, (int, float)) and bool(COMPARISONS[self.test](found, self.value))


@dataclass(frozen=True)
class SearchFilters:
    """Which chunks a search may return: outlets, and a [since, until) publication window (FILTER_RULES)."""

    sources: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", tuple(self.sources or ()))

    def is_empty(self) -> bool:
        return not self.conditions()

    def conditions(self) -> list[Condition]:
        """The conditions this filter sets, one per set field of FILTER_RULES."""
        found = []
        for rule in FILTER_RULES:
            value = getattr(self, rule.field)
            if value is None or value == ():
                continue
            found.append(Condition(rule.key, rule.test, value.timestamp() if isinstance(value, datetime) else value))
        return found

    def accepts(self, meta: dict) -> bool:
        return all(condition.holds(meta) for condition in self.conditions())
