"""The stale-answer grade: a wrong answer resting on an old report, stated without its date."""

from datetime import date
from types import SimpleNamespace

from assistant.evals.staleness import staleness_scores
from assistant.grounding.citations import CheckedAnswer, SentenceCheck

ASKED = date(2025, 3, 14)


def result(answer: str, published: list[str], markers=(1,), refused=False):
    passages = [SimpleNamespace(published_at=p) for p in published]
    sentences = [SentenceCheck("An opening without a citation.", [], 1.0, True),
                 SentenceCheck("The lead.", list(markers), 1.0, True)]
    return SimpleNamespace(answer=answer, refused=refused, passages=passages,
                           checked=CheckedAnswer(answer, sentences=sentences))


def test_a_wrong_answer_from_an_old_report_without_its_date_is_stale():
    old = result("Ron Klain. He was named chief of staff [1].", ["2021-01-12T10:00:00"])
    assert staleness_scores(old, ASKED, correct=0.0) == {"old_report_lead": 1.0, "stale_as_present": 1.0}


def test_showing_the_reports_date_or_being_right_is_not_stale():
    dated = result("Ron Klain (as of 12 January 2021). He was named chief of staff [1].", ["2021-01-12T10:00:00"])
    assert staleness_scores(dated, ASKED, correct=0.0)["stale_as_present"] == 0.0
    right = result("Ron Klain. He was named chief of staff [1].", ["2021-01-12T10:00:00"])
    assert staleness_scores(right, ASKED, correct=1.0) == {"old_report_lead": 1.0, "stale_as_present": 0.0}


def test_the_same_year_needs_the_month_too_and_a_recent_report_is_not_old():
    same_year = result("Paris, in 2025. The summit met there [1].", ["2025-01-02T10:00:00"])
    assert staleness_scores(same_year, ASKED, correct=0.0)["stale_as_present"] == 1.0
    with_month = result("Paris (as of 2 January 2025). The summit met there [1].", ["2025-01-02T10:00:00"])
    assert staleness_scores(with_month, ASKED, correct=0.0)["stale_as_present"] == 0.0
    recent = result("Paris. The summit met there [1].", ["2025-03-01T10:00:00"])
    assert staleness_scores(recent, ASKED, correct=0.0) == {"old_report_lead": 0.0, "stale_as_present": 0.0}


def test_the_newest_cited_report_counts_and_refusals_are_not_graded():
    both = result("Paris. The summit met there [1][2].", ["2020-05-01T10:00:00", "2025-03-10T10:00:00"], markers=(1, 2))
    assert staleness_scores(both, ASKED, correct=0.0)["old_report_lead"] == 0.0
    assert staleness_scores(result("I don't know.", ["2020-05-01"], refused=True), ASKED, correct=0.0) == {}
