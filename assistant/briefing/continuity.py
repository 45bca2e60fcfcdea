"""What the briefing takes from the story memory: which stories continue an earlier day's, what changed
in their claim ledgers since their previous day, who covered them, the user's blindspots, and the feeds
that are failing.

A briefing of a whole day (all outlets) first brings the memory up to the day before, then links the
day's own stories; two of the day's groups that continue one story become one story in the briefing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import numpy as np

from assistant.briefing.model import Briefing
from assistant.briefing.stories import Story, rank_stories
from assistant.stories.memory import StoryMemory
from assistant.stories.update import catch_up, link_groups, open_memory
from assistant.stories.view import StoryReader


@dataclass
class DayMemory:
    """The memory's part in one day's briefing."""

    memory: StoryMemory
    reader: StoryReader
    day: date
    earlier: dict[int, dict] = field(default_factory=dict)  # story id -> {"headline": ...} of a continuing story


def merged(stories: list[Story], ids: dict[str, int]) -> list[Story]:
    """The day's groups with one story each: groups that continue the same memory story are joined."""
    by_story: dict[int, list[Story]] = {}
    for story in stories:
        votes = [ids[a.id] for a in story.articles]
        by_story.setdefault(max(set(votes), key=votes.count), []).append(story)
    joined = []
    for story_id, parts in by_story.items():
        articles = [a for p in parts for a in p.articles]
        vectors = [v for p in parts for v in p.vectors]
        centroid = np.mean(vectors, axis=0) if vectors else parts[0].centroid
        if centroid is not None:
            centroid = centroid / (np.linalg.norm(centroid) or 1.0)
        joined.append(Story(articles, {k: v for p in parts for k, v in p.reprints.items()}, centroid, vectors, story_id))
    return rank_stories(joined)


def remember_day(settings, store, embeddings, day: date, stories: list[Story],
                 progress: bool = False) -> tuple[list[Story], DayMemory]:
    """Link the earlier days, then the day's stories; returns the day's stories (joined where they continue
    one story) and what the briefing needs from memory."""
    memory = open_memory(settings, embeddings.name)
    catch_up(settings, store, embeddings.encode, memory, day - timedelta(days=1), progress=progress)
    vectors = {a.id: v for s in stories for a, v in zip(s.articles, s.vectors)}
    ids = link_groups(memory, [s.articles for s in stories], settings, embeddings.encode, vectors)
    stories = merged(stories, ids) if stories else []
    context = DayMemory(memory, StoryReader(settings, memory), day)
    for story in stories:
        record = memory.story(story.story_id)
        if record and record.first_day < day.isoformat():
            context.earlier[story.story_id] = {"headline": record.headline}
    return stories, context


def cite_function(briefing: Briefing, memory: StoryMemory, story_id: int, day: date):
    """`cite(article_id)` -> "[n]": a report already among the briefing's sources keeps its number, an earlier
    day's report is added to them."""
    numbers = {s["article_id"]: s["n"] for s in briefing.sources}
    reports = {r.article_id: r for r in memory.reports(story_id, until=day)}

    def cite(article_id: str) -> str:
        if article_id not in numbers:
            report = reports.get(article_id)
            if report is None:
                return ""
            numbers[article_id] = len(briefing.sources) + 1
            briefing.sources.append({"n": numbers[article_id], "article_id": article_id, "title": report.title,
                                     "source": report.source, "url": report.url, "published_at": report.published_at,
                                     "reprint_of": numbers.get(report.reprint_of or "")})
        return f"[{numbers[article_id]}]"
    return cite


def add_memory(briefing: Briefing, stories: list[Story], context: DayMemory) -> None:
    """Per story its memory id, coverage and the ledger's changes since its previous day; the briefing's
    blindspots. Headlines the model wrote become the stories' names in memory."""
    for brief, story in zip(briefing.stories, stories):
        if story.story_id is None:
            continue
        view = context.reader.view(story.story_id, context.day)
        if view is None:
            continue
        cite = cite_function(briefing, context.memory, story.story_id, context.day)
        brief.story_id = story.story_id
        brief.first_day = view.record.first_day
        brief.days = len(view.days)
        brief.coverage = view.coverage.json()
        brief.since = [line for line in (c.text(cite) for c in view.changes) if line]
        brief.since_day = view.previous_day if brief.since else ""
        brief.extra_sources = sorted({s["n"] for s in briefing.sources if s["n"] not in brief.sources
                                      and any(f"[{s['n']}]" in line for line in brief.since)})
        if view.blindspot:
            briefing.blindspots.append({"headline": brief.headline, "text": view.blindspot, "story_id": story.story_id})
        context.memory.set_headline(story.story_id, brief.headline)


def feed_problems(settings) -> list[dict]:
    """Feeds that failed, went unusually quiet or had item pages skipped, with the reason and since when
    (none while the follow database or its health module is not there)."""
    try:
        from assistant.follow.health import feed_health
    except ImportError:
        return []
    from assistant.follow.database import FollowDatabase, database_path
    path = database_path(settings)
    if not path.is_file():
        return []
    problems = feed_health(FollowDatabase(path), datetime.now(timezone.utc))
    return [{"url": p.url, "title": p.title, "reason": p.reason, "since": p.since} for p in problems]


def add_feed_health(briefing: Briefing, settings) -> None:
    briefing.feed_problems = feed_problems(settings)
