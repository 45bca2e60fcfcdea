"""Bring the story memory up to a day: each day's unlinked articles grouped, their claims read, then linked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from assistant.records import SearchFilters, StoredArticle
from assistant.stories.claims import extract_claims
from assistant.stories.linking import LINK_RULE, LinkRule
from assistant.stories.memory import NewReport, StoryMemory, memory_path

Encoder = Callable[[list[str]], np.ndarray]


def local_day(article: StoredArticle, zone: str) -> date:
    """The day an article belongs to in the briefing's time zone (undated articles: never asked for here)."""
    return datetime.fromisoformat(article.published_at).astimezone(ZoneInfo(zone)).date()


def open_memory(settings, model_name: str) -> StoryMemory:
    return StoryMemory(memory_path(settings), model_name)


def new_reports(articles: Sequence[StoredArticle], zone: str, encode: Encoder, most_sentences: int,
                vectors: dict[str, np.ndarray] | None = None, with_claims: bool = True) -> list[NewReport]:
    """Reports ready to remember: lead vectors (reused when the caller has them) and claims with their vectors,
    encoded in one batch each (`with_claims=False`: linking only, as the MultiHop eval needs)."""
    from assistant.briefing.stories import lead_text
    vectors = dict(vectors or {})
    missing = [a for a in articles if a.id not in vectors]
    if missing:
        vectors.update(zip([a.id for a in missing], encode([lead_text(a) for a in missing])))
    claims = [extract_claims(a, most_sentences) if with_claims else [] for a in articles]
    texts = [c.text for found in claims for c in found]
    claim_vectors = encode(texts) if texts else np.zeros((0, 1), dtype=np.float32)
    reports, offset = [], 0
    for article, found in zip(articles, claims):
        reports.append(NewReport(article, local_day(article, zone), vectors[article.id], found,
                                 claim_vectors[offset:offset + len(found)]))
        offset += len(found)
    return reports


def link_groups(memory: StoryMemory, groups: list[list[StoredArticle]], settings, encode: Encoder,
                vectors: dict[str, np.ndarray] | None = None, with_claims: bool = True,
                rule: LinkRule = LINK_RULE) -> dict[str, int]:
    """Remember these groups of one day (each a story of that day) and return every article's story id."""
    ids = [a.id for g in groups for a in g]
    known = memory.linked(ids)
    fresh = [a for g in groups for a in g if a.id not in known]
    reports = {r.article.id: r for r in new_reports(fresh, settings.briefing_timezone, encode,
                                                    settings.story_claim_sentences, vectors, with_claims)}
    ordered = [[reports.get(a.id) or NewReport(a, local_day(a, settings.briefing_timezone), np.zeros(1)) for a in g]
               for g in groups]
    return memory.remember(ordered, settings.story_link_threshold, settings.story_link_days, settings.duplicate_jaccard,
                           rule)


def link_by_day(memory: StoryMemory, articles: Sequence[StoredArticle], settings, encode: Encoder,
                with_claims: bool = True, rule: LinkRule = LINK_RULE, progress: bool = False) -> dict[str, int]:
    """Link articles one day at a time, oldest day first, each day grouped into its stories first."""
    from tqdm import tqdm
    from assistant.briefing.stories import group_stories
    by_day: dict[date, list[StoredArticle]] = {}
    for article in articles:
        by_day.setdefault(local_day(article, settings.briefing_timezone), []).append(article)
    found: dict[str, int] = {}
    for day in tqdm(sorted(by_day), desc="Linking stories", unit="day", disable=not progress or not by_day):
        day_articles = sorted(by_day[day], key=lambda a: (a.published_at, a.id))
        groups = group_stories(day_articles, encode, settings.story_similarity, settings.duplicate_jaccard)
        vectors = {a.id: v for g in groups for a, v in zip(g.articles, g.vectors)}
        found.update(link_groups(memory, [g.articles for g in groups], settings, encode, vectors, with_claims, rule))
    return found


def catch_up(settings, store, encode: Encoder, memory: StoryMemory, until: date, sources: Sequence[str] = (),
             progress: bool = False) -> int:
    """Link every article of the `story_link_days` days up to `until` that memory does not hold yet, one day at
    a time, oldest first (a story can only continue what came before it). Returns how many were linked."""
    zone = ZoneInfo(settings.briefing_timezone)
    start = datetime.combine(until - timedelta(days=settings.story_link_days), time.min, zone)
    end = datetime.combine(until + timedelta(days=1), time.min, zone)
    articles = [a for a in store.articles(SearchFilters(sources=tuple(sources), since=start, until=end)) if a.published_at]
    known = memory.linked([a.id for a in articles])
    fresh = [a for a in articles if a.id not in known]
    link_by_day(memory, fresh, settings, encode, progress=progress)
    return len(fresh)
