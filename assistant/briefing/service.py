"""One call from a day (or window) to a stored, written briefing (the story memory updated on the way)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from assistant.briefing.stories import articles_in_window, day_window, group_stories, latest_day
from assistant.briefing.archive import previous_briefing
from assistant.briefing.publish import store_briefing
from assistant.briefing.continuity import add_feed_health, add_memory, remember_day
from assistant.briefing.model import Briefing
from assistant.briefing.writer import BriefingWriter
from assistant.settings import Settings


def make_briefing(settings: Settings, store, embeddings, day: date | None = None,
                  window: tuple[datetime, datetime] | None = None, sources: Sequence[str] = (),
                  progress: bool = True, chat_model=None, archive: bool = True) -> tuple[Briefing, Path | None]:
    from assistant.models.chat import get_chat_model
    if window is None:
        day = day or latest_day(store, settings.briefing_timezone, sources)
        if day is None:
            raise ValueError("the index has no articles to brief on")
        window = day_window(day, settings.briefing_timezone)
    label = day.isoformat() if day else f"{window[0]:%Y-%m-%d %H:%M} to {window[1]:%Y-%m-%d %H:%M}"
    articles = articles_in_window(store, window[0], window[1], sources)

    started = time.perf_counter()
    stories = group_stories(articles, embeddings.encode, settings.story_similarity, settings.duplicate_jaccard)
    context = None
    if day and not sources:  # the story memory follows whole days of every outlet
        stories, context = remember_day(settings, store, embeddings, day, stories, progress=progress)
    linked_s = time.perf_counter() - started
    writer = BriefingWriter(settings, chat_model or get_chat_model(settings), embeddings.encode)
    previous = previous_briefing(settings, day) if day else None
    result = writer.write(stories, label, window, previous, progress=progress,
                          continuing=context.earlier if context else None)
    if context:
        add_memory(result, stories, context)
    add_feed_health(result, settings)
    result.timings["stories_s"] = round(linked_s, 2)
    stored = store_briefing(settings, result) if archive and day and not sources else None
    return result, stored
