"""What the story memory holds, as plain records: a claim read from a report, a remembered report, a stored
claim, a story. No logic and no project imports, so the ledger, the views and the memory share them from the
bottom floor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Claim:
    kind: str  # figure | quote | action
    text: str
    start: int  # span of `text` in the article body
    end: int
    quantity: str = ""  # for a figure: what it counts
    values: tuple[float, ...] = ()
    negated: bool = False
    update: bool = False  # worded as a revision of an earlier figure
    correction: bool = False  # part of the report's correction of itself
    names: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    article_id: str
    story_id: int
    day: str
    published_at: str
    source: str
    title: str
    url: str
    reprint_of: str | None


@dataclass(frozen=True)
class StoredClaim:
    id: int
    article_id: str
    kind: str
    text: str
    start: int
    end: int
    quantity: str
    values: tuple[float, ...]
    negated: bool
    revision: bool
    correction: bool
    names: tuple[str, ...]
    vector: np.ndarray


@dataclass(frozen=True)
class StoryRecord:
    id: int
    headline: str
    first_day: str
    last_day: str
