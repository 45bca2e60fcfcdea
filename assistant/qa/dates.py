"""Turn relative dates in a question ("yesterday", "last week", "in November") into a date range."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta, timezone

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))


def _range(first: date, last_exclusive: date) -> tuple[datetime, datetime]:
    return (datetime.combine(first, time.min, timezone.utc), datetime.combine(last_exclusive, time.min, timezone.utc))


def _month_range(year: int, month: int) -> tuple[datetime, datetime]:
    last_day = calendar.monthrange(year, month)[1]
    return _range(date(year, month, 1), date(year, month, last_day) + timedelta(days=1))


def relative_date_range(question: str, today: date) -> tuple[datetime, datetime] | None:
    """The [since, until) window a question's relative date names, counted from `today`; None if none."""
    text = question.lower()
    if re.search(r"\btoday\b", text):
        return _range(today, today + timedelta(days=1))
    if re.search(r"\byesterday\b", text):
        return _range(today - timedelta(days=1), today)
    match = re.search(r"\b(?:last|past)\s+(\d+)\s+days\b", text)
    if match:
        return _range(today - timedelta(days=int(match.group(1))), today + timedelta(days=1))
    monday = today - timedelta(days=today.weekday())
    if re.search(r"\bthis week\b", text):
        return _range(monday, today + timedelta(days=1))
    if re.search(r"\blast week\b", text):
        return _range(monday - timedelta(days=7), monday)
    if re.search(r"\bthis month\b", text):
        return _range(today.replace(day=1), today + timedelta(days=1))
    if re.search(r"\blast month\b", text):
        last_month_end = today.replace(day=1) - timedelta(days=1)
        return _month_range(last_month_end.year, last_month_end.month)
    match = re.search(rf"\b(in|during|throughout|since)\s+({MONTH_PATTERN})\b\.?(?:\s+(\d{{4}}))?", text)
    if match and not re.match(r"\s*\d{1,2}\b", text[match.end():]):
        month = MONTHS[match.group(2)]
        year = int(match.group(3)) if match.group(3) else (today.year if month <= today.month else today.year - 1)
        if match.group(1) == "since":  # from the start of that month up to today, not that month only
            return _range(date(year, month, 1), today + timedelta(days=1))
        return _month_range(year, month)
    return None
