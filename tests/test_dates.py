"""Relative dates in questions: "since March" runs up to today, "in March" is the month."""

from __future__ import annotations

from datetime import date

from assistant.dates import relative_date_range


def test_since_a_month_runs_up_to_today():
    since, until = relative_date_range("What happened since March?", date(2024, 5, 20))
    assert since.date() == date(2024, 3, 1) and until.date() == date(2024, 5, 21)
    since, until = relative_date_range("What happened in March?", date(2024, 5, 20))
    assert until.date() == date(2024, 4, 1)
