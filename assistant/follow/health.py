"""Feeds that fail said aloud: failing fetches, feeds gone unusually quiet, item pages skipped.

"Unusually quiet" is measured against the feed's own rhythm: the median gap between its latest
items (their own dates, else when they were first seen). A feed is quiet when nothing new has come
for QUIET_FACTOR times that gap, never sooner than QUIET_MIN and never later than QUIET_MAX; with
fewer than MIN_DATES items to learn from, QUIET_DEFAULT applies (docs/follow.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from statistics import median

from assistant.dates import parse_moment
from assistant.follow.database import Feed, FollowDatabase

QUIET_FACTOR = 4
QUIET_MIN = timedelta(days=2)
QUIET_MAX = timedelta(days=90)
QUIET_DEFAULT = timedelta(days=14)
MIN_DATES = 3
RECENT_ITEMS = 30  # items the usual gap is learnt from


@dataclass(frozen=True)
class FeedProblem:
    url: str
    title: str
    reason: str
    since: str  # ISO date the problem started




def usual_gap(dates: list[str]) -> timedelta | None:
    """The median gap between consecutive item dates, None with too few to tell."""
    times = sorted(t for t in (parse_moment(d) for d in dates) if t is not None)
    if len(times) < MIN_DATES:
        return None
    return median(b - a for a, b in zip(times, times[1:]))


def quiet_after(dates: list[str]) -> tuple[timedelta, timedelta | None]:
    """How long without a new item counts as unusual for this feed, and the usual gap it came from."""
    gap = usual_gap(dates)
    if gap is None:
        return QUIET_DEFAULT, None
    return min(max(QUIET_FACTOR * gap, QUIET_MIN), QUIET_MAX), gap


def describe(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    if hours < 36:
        return f"{max(1, round(hours))} hours"
    return f"{round(hours / 24)} days"


def day_of(value: str | None, fallback: datetime) -> str:
    return (parse_moment(value) or fallback).date().isoformat()


def feed_problems(feed: Feed, dates: list[str], now: datetime) -> list[FeedProblem]:
    """What is wrong with one feed now (nothing for a healthy one, or one never fetched yet)."""
    now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
    problems = []
    if feed.last_status == "failed":
        problems.append(FeedProblem(feed.url, feed.title, f"fetch failed: {feed.last_error or 'no reason given'}",
                                    day_of(feed.error_since or feed.last_fetch, now)))
    if feed.last_success:
        last_new = parse_moment(feed.last_new_item) or parse_moment(feed.added_at) or now
        limit, gap = quiet_after(dates)
        if now - last_new > limit:
            usual = f" (usually a new item every {describe(gap)})" if gap else ""
            problems.append(FeedProblem(feed.url, feed.title, f"nothing new for {describe(now - last_new)}{usual}",
                                        last_new.date().isoformat()))
    if feed.pages_skipped:
        problems.append(FeedProblem(feed.url, feed.title,
                                    f"{feed.pages_skipped} item pages skipped on the last fetch ({feed.skip_reason})",
                                    day_of(feed.skipped_since or feed.last_fetch, now)))
    return problems


def feed_health(db: FollowDatabase, now: datetime) -> list[FeedProblem]:
    """Every subscribed feed's problems, in subscription order: failing, unusually quiet, pages skipped."""
    found = []
    for feed in db.feeds():
        found.extend(feed_problems(feed, db.item_dates(feed.id, RECENT_ITEMS), now))
    return found
