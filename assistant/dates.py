"""Turn relative dates in a question ("yesterday", "last week", "in November") into a date range."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta, timezone

from assistant.language import MONTH_PATTERN, MONTHS


def _range(first: date, last_exclusive: date) -> tuple[datetime, datetime]:
    return (datetime.combine(first, time.min, timezone.utc), datetime.combine(last_exclusive, time.min, timezone.utc))


def _month_range(year: int, month: int) -> tuple[datetime, datetime]:
    last_day = calendar.monthrange(year, month)[1]
    return _range(date(year, month, 1), date(year, month, last_day) + timedelta(days=1))


def _last_days(match: re.Match, today: date) -> tuple[datetime, datetime]:
    return _range(today - timedelta(days=int(match.group(1))), today + timedelta(days=1))


def _monday(today: date) -> date:
    return today - timedelta(days=today.weekday())


def _last_month(today: date) -> tuple[datetime, datetime]:
    end = today.replace(day=1) - timedelta(days=1)
    return _month_range(end.year, end.month)


def _named_month(match: re.Match, today: date) -> tuple[datetime, datetime]:
    month = MONTHS[match.group(2)]
    year = int(match.group(3)) if match.group(3) else (today.year if month <= today.month else today.year - 1)
    if match.group(1) == "since":  # from the start of that month up to today, not that month only
        return _range(date(year, month, 1), today + timedelta(days=1))
    return _month_range(year, month)


# (pattern, the [since, until) window it names from today's date), tried in order; the first match wins.
RELATIVE_DATES = (
    (re.compile(r"\btoday\b"), lambda m, today: _range(today, today + timedelta(days=1))),
    (re.compile(r"\byesterday\b"), lambda m, today: _range(today - timedelta(days=1), today)),
    (re.compile(r"\b(?:last|past)\s+(\d+)\s+days\b"), _last_days),
    (re.compile(r"\bthis week\b"), lambda m, today: _range(_monday(today), today + timedelta(days=1))),
    (re.compile(r"\blast week\b"), lambda m, today: _range(_monday(today) - timedelta(days=7), _monday(today))),
    (re.compile(r"\bthis month\b"), lambda m, today: _range(today.replace(day=1), today + timedelta(days=1))),
    (re.compile(r"\blast month\b"), lambda m, today: _last_month(today)),
    # "in March" but not "in March 3" (a day, which the question analysis reads as a date)
    (re.compile(rf"\b(in|during|throughout|since)\s+({MONTH_PATTERN})\b\.?(?:\s+(\d{{4}}))?(?!\s*\d{{1,2}}\b)"), _named_month),
)


def relative_date_range(question: str, today: date) -> tuple[datetime, datetime] | None:
    """The [since, until) window a question's relative date names, counted from `today`; None if none."""
    text = question.lower()
    for pattern, window in RELATIVE_DATES:
        match = pattern.search(text)
        if match:
            return window(match, today)
    return None


def parse_moment(value: str | None) -> datetime | None:
    """An ISO timestamp as an aware datetime (UTC when it names no zone); None when empty or not ISO."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
