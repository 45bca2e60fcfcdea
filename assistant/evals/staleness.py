"""Does an answer state an older report's fact as the present? Graded against the gold answer and the dates.

A question asked on a day (its quiz date) gets an answer whose lead sentence cites passages. The lead rests on
an *old report* when the newest passage it cites was published more than `OLD_REPORT_DAYS` before that day.
The answer is *stale* when it rests on an old report, is wrong by the gold answer, and its lead does not say the
report's time (its year, and its month too when that is the question's own year, as "as of 9 January 2020"
does): the reader is handed a once-true fact as today's. A right answer from an old report is not stale (some
facts do not change), and neither is a wrong one that shows its date (the reader can tell). The threshold is the
eval's own, not the product's (which labels answers after 7 days), so the product cannot pass by its own rule.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from assistant.dates import parse_moment

# A report this much older than the question's day speaks for another time than the question's week.
OLD_REPORT_DAYS = 30


def lead_report_moment(result) -> datetime | None:
    """When the newest report behind the answer's lead (its first cited sentence) was published."""
    if result.refused or not result.checked:
        return None
    return parse_moment(result.checked.lead_published_at(result.passages))


def shows_time(answer: str, moment: datetime, asked_on: date) -> bool:
    """The lead names the report's day, or its year (and its month, when that is the question's own year)."""
    lead = re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", answer.strip(), maxsplit=1)[0]
    if moment.date().isoformat() in lead:
        return True
    if re.search(rf"\b{moment.year}\b", lead) is None:
        return False
    return moment.year != asked_on.year or re.search(rf"\b{moment.strftime('%B')}\b", lead) is not None


def staleness_scores(result, asked_on: date, correct: float) -> dict[str, float]:
    """`old_report_lead` and `stale_as_present` (1.0 / 0.0) for one answered question asked on `asked_on`."""
    moment = lead_report_moment(result)
    if moment is None:
        return {}
    day_start = datetime.combine(asked_on, time.min, timezone.utc)
    old = moment < day_start - timedelta(days=OLD_REPORT_DAYS)
    stale = old and not correct and not shows_time(result.answer, moment, asked_on)
    return {"old_report_lead": float(old), "stale_as_present": float(stale)}
