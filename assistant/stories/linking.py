"""Does a new report belong to a story already in memory? Evidence from several signals, not one cosine.

A lead-embedding cosine alone joins topic siblings (two fantasy-football columns, two days of market
reports) and misses reworded reports of one event. So the evidence that a report continues a story is
its lead cosine to one of the story's recent reports, plus the weighted overlap of the rare names both
name (a name's weight is its inverse document frequency over the reports seen so far), minus a penalty
that grows with the days between them; a report that shares no rare name never joins, and two issues of
one outlet's recurring column (titles alike but for a number: "Week 5" / "Week 6") are never one story.
The weights were chosen on the fixture and the MultiHop pairs (docs/stories.md).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

import numpy as np

from assistant.language import CALENDAR_WORDS, STOPWORDS, content_words, names
from assistant.sentences import sentence_spans


def shingles(text: str, size: int = 5) -> set[str]:
    """The text's `size`-word shingles: two reports that share most of them are one wording (a reprint)."""
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + size]) for i in range(max(len(words) - size + 1, 1))}


@dataclass(frozen=True)
class LinkRule:
    """The link rule's weights (measured: docs/stories.md); `threshold` and the window are settings."""

    name_weight: float = 1.5  # weight of the rare-name overlap coefficient (0..1) in the evidence
    min_name_overlap: float = 0.15  # below this overlap a report never joins a story
    gap_penalty: float = 0.3  # subtracted per log(1 + days) between the two reports compared
    compare_reports: int = 30  # a story's most recent reports that a new report is compared with
    idf_prior: int = 50  # smooths name weights while memory holds few reports
    series_title_overlap: float = 0.5  # one outlet's titles this alike but for their numbers: a recurring column
    name_chars: int = 3000  # how much of the body the names are read from
    lead_chars: int = 600  # a report that names few recurring names: the names of this opening count too
    few_names: int = 3  # ... "few" is fewer than this
    name_floor: float = 3.0  # the smaller set counts as at least this many rare names (short reports name few)


LINK_RULE = LinkRule()
TOKEN = re.compile(r"[\w'’-]+")


def tokens_of(name: str) -> set[str]:
    found = set()
    for token in TOKEN.findall(name.lower()):
        token = re.sub(r"['’]s$", "", token).strip("'’-")
        if len(token) > 2 and token not in STOPWORDS and token not in CALENDAR_WORDS:
            found.add(token)
    return found


def name_tokens(title: str, body: str, chars: int = LINK_RULE.name_chars, lead_chars: int = LINK_RULE.lead_chars,
                few_names: int = LINK_RULE.few_names) -> dict[str, int]:
    """Words of the capitalised names in the body's opening, each with the number of sentences naming it,
    and the title's names. A name past the lead in one sentence only is left out (a passing mention, page
    furniture at the foot) unless the title has the word too."""
    counts: Counter[str] = Counter()
    in_lead: set[str] = set()
    for start, end in sentence_spans(body[:chars]):
        found = {t for name in names(body[start:end]) for t in tokens_of(name)}
        counts.update(found)
        if start < lead_chars:
            in_lead |= found
    capitalised = tokens_of(" ".join(re.findall(r"\b[A-Z][\w'’-]*", title)))
    in_body = tokens_of(" ".join(re.findall(r"\b[A-Z][\w'’-]*", body[:chars])))
    kept = {t: c for t, c in counts.items() if c >= 2 or t in capitalised}
    if len(kept) < few_names:  # a short report names most things once: its lead's names stand for it
        kept.update({t: counts[t] for t in in_lead})
    for token in {t for name in names(title) for t in tokens_of(name)} | (capitalised & in_body):
        kept.setdefault(token, 1)  # the title's names, and its first word when the body capitalises it too
    return kept


def title_words(title: str) -> set[str]:
    """The title's content words with every number masked, to tell one column's issues apart from a story."""
    return content_words(re.sub(r"\d+", "#", title))


def title_numbers(title: str) -> set[str]:
    return set(re.findall(r"\d+", title))


@dataclass
class ReportSignals:
    """What linking compares: one report's lead vector, names, title and day."""

    article_id: str
    source: str
    day: date
    title: str
    vector: np.ndarray
    names: dict[str, int]


def overlap(first: dict[str, int], second: dict[str, int], weight, floor: float = 0.0) -> float:
    """Weighted overlap coefficient of two name sets: the weight they share over the smaller set's weight (which
    counts as at least `floor` names seen nowhere else, so that two short reports sharing one name are not alike)."""
    shared = first.keys() & second.keys()
    if not shared:
        return 0.0
    scale = max(min(sum(weight(t) for t in first), sum(weight(t) for t in second)), floor * weight("\x00unseen"))
    return sum(weight(t) for t in shared) / scale if scale > 0 else 0.0


def recurring_column(first: ReportSignals, second: ReportSignals, rule: LinkRule = LINK_RULE) -> bool:
    """Two issues of one outlet's recurring column: titles alike once numbers are masked, the numbers differ."""
    if first.source != second.source:
        return False
    a, b = title_words(first.title), title_words(second.title)
    alike = len(a & b) / len(a | b) if a | b else 0.0
    return alike >= rule.series_title_overlap and title_numbers(first.title) != title_numbers(second.title)


def evidence(new: ReportSignals, old: ReportSignals, weight, rule: LinkRule = LINK_RULE) -> float | None:
    """How strongly `new` continues the story `old` belongs to; None when it cannot (no rare name shared,
    or one column's next issue)."""
    names_overlap = overlap(new.names, old.names, weight, rule.name_floor)
    if names_overlap < rule.min_name_overlap or recurring_column(new, old, rule):
        return None
    gap = abs((new.day - old.day).days)
    return float(new.vector @ old.vector) + rule.name_weight * names_overlap - rule.gap_penalty * math.log1p(gap)


def idf_weight(document_counts: dict[str, int], reports: int, rule: LinkRule = LINK_RULE):
    """A name's weight: rarer names say more about which event a report is about."""
    def weight(token: str) -> float:
        return math.log((reports + rule.idf_prior) / (document_counts.get(token, 0) + 1))
    return weight


class OpenStories:
    """The reports of the stories a day's groups may continue, indexed by their names: a group is compared only
    with reports that share a name with it (one that shares none can never join), each story through its
    `compare_reports` most recent reports."""

    def __init__(self, weight, rule: LinkRule = LINK_RULE):
        self.weight = weight
        self.rule = rule
        self.by_story: dict[int, list[ReportSignals]] = {}
        self.by_name: dict[str, list[tuple[int, ReportSignals]]] = {}
        self._recent: dict[int, set[str]] = {}

    def add(self, story_id: int, report: ReportSignals) -> None:
        self.by_story.setdefault(story_id, []).append(report)
        self._recent.pop(story_id, None)
        for token in report.names:
            self.by_name.setdefault(token, []).append((story_id, report))

    def recent(self, story_id: int) -> set[str]:
        if story_id not in self._recent:
            self._recent[story_id] = {r.article_id for r in self.by_story[story_id][-self.rule.compare_reports:]}
        return self._recent[story_id]

    def best(self, group: list[ReportSignals], threshold: float) -> tuple[int | None, float]:
        """The story (id) that a day's group of reports continues, with its evidence; (None, best) when none
        reaches the threshold."""
        best, best_score, seen = None, -math.inf, set()
        for new in group:
            for token in new.names:
                for story_id, old in self.by_name.get(token, ()):
                    pair = (new.article_id, old.article_id)
                    if pair in seen or old.article_id == new.article_id or old.article_id not in self.recent(story_id):
                        continue
                    seen.add(pair)
                    score = evidence(new, old, self.weight, self.rule)
                    if score is not None and score > best_score:
                        best, best_score = story_id, score
        return (best, best_score) if best_score >= threshold else (None, best_score)
