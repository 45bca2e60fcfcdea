"""Time in every answer: which reports are recent enough to speak for the present.

A question is asked on a day (`today`). Reports published after it do not exist yet for the asker;
questions about the present ("Who is ...", "current", "latest", "this week") prefer the newest
reports; a relative window ("this week", "yesterday") is a strong preference, not a wall, so a
window that holds nothing falls back to the nearest reports. The policy is a table of
(question kind -> weight, half-life); the figures behind it are in docs/retrieval.md.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from assistant.dates import parse_moment, relative_date_range
from assistant.records import SearchFilters

# Days after `today` a report may carry and still count as written by then (time zones, late stamps).
FUTURE_MARGIN_DAYS = 1


@dataclass(frozen=True)
class RecencyRule:
    weight: float  # a fresh report's score is multiplied by up to (1 + weight)
    half_life_days: float  # the boost halves with every this many days of age


# The question kinds the policy knows, each with its rule (chosen on the RealTimeQA and MultiHop dev sets).
RECENCY_RULES = {
    "present": RecencyRule(weight=1.0, half_life_days=10.0),  # asks for the state now: newest wins
    "recent": RecencyRule(weight=0.5, half_life_days=14.0),  # a news question with no date: this week's news first
    "dated": RecencyRule(weight=0.0, half_life_days=1.0),  # names its own dates: no preference
}
# How an answer's lead names the date of an older report it rests on, by question kind: "as of" for the state
# now, "reported" for an undated news question (the reader learns the report is not this week's); a question
# that names its own dates gets no label.
DATE_LABELS = {"present": "as of", "recent": "reported"}
WINDOW_BOOST = 1.5  # a report inside the question's relative window ("this week") gets score x (1 + this)

# Words that ask about the state of things now.
PRESENT_WORDS = re.compile(
    r"\b(now|current(?:ly)?|latest|newest|most recent|recent(?:ly)?|this (?:week|month|year|season)|today|tonight|"
    r"so far|still|upcoming|next|ongoing|remains?)\b", re.I)
# "Who is / What are / Which X has": present tense of being or having, asked directly.
PRESENT_TENSE = re.compile(r"^\s*(?:who|what|which|where|how many|how much)\b(?:\s+\w+){0,3}?\s+(?:is|are|has|have)\b", re.I)
# A year or a full date written in the question pins its time: no recency preference.
WRITTEN_DATE = re.compile(r"\b(?:1[89]|20)\d\d\b")


@dataclass(frozen=True)
class TimeFocus:
    """When a question is asked and how much it cares that its reports are new."""

    today: date
    kind: str  # a key of RECENCY_RULES
    window: tuple[datetime, datetime] | None = None  # the relative window it names, if any

    @property
    def rule(self) -> RecencyRule:
        return RECENCY_RULES[self.kind]

    @property
    def present(self) -> bool:
        return self.kind == "present"

    @property
    def date_word(self) -> str | None:
        """How an answer names an older report's date for this kind of question (None: it does not)."""
        return DATE_LABELS.get(self.kind)

    def cutoff(self) -> datetime:
        """Reports published from this moment on are after the question was asked."""
        return datetime.combine(self.today + timedelta(days=1 + FUTURE_MARGIN_DAYS), time.min, timezone.utc)

    def age_days(self, published_at: str) -> float | None:
        moment = parse_moment(published_at)
        if moment is None:
            return None
        today_end = datetime.combine(self.today + timedelta(days=1), time.min, timezone.utc)
        return max(0.0, (today_end - moment).total_seconds() / 86400)

    def in_window(self, published_at: str) -> bool:
        moment = parse_moment(published_at)
        return bool(self.window and moment and self.window[0] <= moment < self.window[1])

    def factor(self, published_at: str) -> float:
        """The score multiplier for a report of that date: recency boost times the window boost."""
        factor = 1.0
        age = self.age_days(published_at)
        if age is not None and self.rule.weight:
            factor += self.rule.weight * math.pow(0.5, age / self.rule.half_life_days)
        if self.window and self.in_window(published_at):
            factor *= 1 + WINDOW_BOOST
        return factor


def soft_window(question: str, today: date) -> tuple[datetime, datetime] | None:
    """The question's relative window, widened so that "this week" asked on a Monday still means the last days."""
    window = relative_date_range(question, today)
    if window is None:
        return None
    if re.search(r"\bthis week\b", question, re.I):
        start = datetime.combine(today - timedelta(days=7), time.min, timezone.utc)
        return min(window[0], start), window[1]
    return window


def question_kind(question: str) -> str:
    if WRITTEN_DATE.search(question) and not PRESENT_WORDS.search(question):
        return "dated"
    if PRESENT_WORDS.search(question) or PRESENT_TENSE.search(question):
        return "present"
    return "recent"


def time_focus(question: str, today: date) -> TimeFocus:
    return TimeFocus(today, question_kind(question), soft_window(question, today))


def until_asked(filters: SearchFilters, focus: TimeFocus) -> SearchFilters:
    """The caller's filters, cut at the moment the question is asked (never widened)."""
    cutoff = focus.cutoff()
    until = cutoff if filters.until is None else min(filters.until, cutoff)
    return SearchFilters(sources=filters.sources, since=filters.since, until=until)


def date_label(published_at: str, word: str) -> str:
    """"as of 12 March 2025" (or "reported 12 March 2025") for a report's date (the answer's time stamp)."""
    moment = parse_moment(published_at)
    return f"{word} {moment.day} {moment.strftime('%B %Y')}" if moment else ""
