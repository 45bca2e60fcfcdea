"""Pick a window's articles from the store and group them into stories.

The store rebuilds articles from their chunks (each chunk knows its span of the body). Two articles
are one story when their lead embeddings are close; a near-duplicate (same wording, e.g. a wire
copy printed by two outlets) is merged into one report so it does not count as corroboration.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from assistant.grounding.passage_window import lead_passage
from assistant.records import SearchFilters, StoredArticle
from assistant.store import ChunkStore
from assistant.stories.linking import shingles


@dataclass
class Story:
    articles: list[StoredArticle]
    reprints: dict[str, str] = field(default_factory=dict)  # article id -> id of the report it copies
    centroid: np.ndarray | None = None
    vectors: list[np.ndarray] = field(default_factory=list)  # each article's lead vector, in `articles` order
    story_id: int | None = None  # its story in the story memory, once linked

    @property
    def reports(self) -> list[StoredArticle]:
        """Distinct reports: reprints left out."""
        return [a for a in self.articles if a.id not in self.reprints]

    @property
    def outlets(self) -> list[str]:
        return sorted({a.source for a in self.articles})

    @property
    def independent_outlets(self) -> int:
        return len({a.source for a in self.reports})

    @property
    def latest(self) -> str:
        return max(a.published_at for a in self.articles)


def day_window(day: date, zone: str) -> tuple[datetime, datetime]:
    if not 1900 <= day.year <= 2200:
        raise ValueError(f"{day.isoformat()} is out of range: a briefing day lies between 1900 and 2200")
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time.min, tz)
    return start, start + timedelta(days=1)


def articles_in_window(store: ChunkStore, since: datetime, until: datetime, sources: Sequence[str] = ()) -> list[StoredArticle]:
    return store.articles(SearchFilters(sources=tuple(sources), since=since, until=until))


def latest_day(store: ChunkStore, zone: str, sources: Sequence[str] = ()) -> date | None:
    newest = store.latest_published(SearchFilters(sources=tuple(sources)))
    return newest.astimezone(ZoneInfo(zone)).date() if newest else None


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def lead_text(article: StoredArticle, chars: int = 600) -> str:
    """Headline and opening, after any sign-up box at the top (it would make every such page alike)."""
    return f"{article.title}\n{lead_passage(article, chars).text}"


def group_stories(articles: list[StoredArticle], encode: Callable[[list[str]], np.ndarray],
                  story_similarity: float, duplicate_jaccard: float) -> list[Story]:
    """Single-link grouping on lead embeddings; near-duplicates always join and are marked as reprints."""
    if not articles:
        return []
    vectors = encode([lead_text(a) for a in articles])
    parent = list(range(len(articles)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    shingle_sets = [shingles(a.body) for a in articles]
    reprint_of: dict[int, int] = {}
    similarity = vectors @ vectors.T
    for i in range(len(articles)):
        for j in range(i + 1, len(articles)):
            duplicate = jaccard(shingle_sets[i], shingle_sets[j]) >= duplicate_jaccard
            if duplicate and j not in reprint_of:
                reprint_of[j] = reprint_of.get(i, i)  # the earlier article is the original
            if duplicate or similarity[i, j] >= story_similarity:
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(articles)):
        groups.setdefault(find(i), []).append(i)
    stories = []
    for members in groups.values():
        centroid = vectors[members].mean(axis=0)
        centroid = centroid / (np.linalg.norm(centroid) or 1.0)
        stories.append(Story([articles[i] for i in members],
                             {articles[i].id: articles[reprint_of[i]].id for i in members if i in reprint_of},
                             centroid, [vectors[i] for i in members]))
    return rank_stories(stories)


def rank_stories(stories: list[Story]) -> list[Story]:
    """Most independent outlets first, then most recent."""
    return sorted(stories, key=lambda s: (s.independent_outlets, len(s.reports), s.latest), reverse=True)
