"""The eval runner: a question's own "today" does not leak into the next question."""

from __future__ import annotations

from datetime import date

import pytest


def test_eval_scores_do_not_depend_on_question_order(settings):
    """A relative-date question passes its own "today" to the chain; later questions keep the real one."""
    from assistant.evals.datasets import Question
    from assistant.evals.runner import score_question

    class Chain:
        def __init__(self):
            self.todays = []
            self.retriever = None

        def ask(self, question, history, today=None):
            self.todays.append(today)
            raise StopIteration

    chain = Chain()
    for q in [Question("1", "What happened yesterday?", "x", "entity", "fact", today="2024-05-15"),
              Question("2", "Who leads?", "x", "entity", "fact")]:
        with pytest.raises(StopIteration):
            score_question(chain, q, settings)
    assert chain.todays == [date(2024, 5, 15), None]


def test_a_whole_type_is_kept_on_top_of_the_proportional_sample():
    """`--whole-type null`: every unanswerable question joins the sample; the other types keep their share."""
    from collections import Counter

    from assistant.evals.datasets import Question, stratified
    questions = [Question(f"f{i}", "q", "a", "entity", "fact") for i in range(30)]
    questions += [Question(f"n{i}", "q", "x", "insufficient_information", "null") for i in range(6)]
    plain = Counter(q.question_type for q in stratified(questions, 12, 0))
    whole = Counter(q.question_type for q in stratified(questions, 12, 0, whole_types=("null",)))
    assert plain == {"fact": 10, "null": 2}
    assert whole == {"fact": 10, "null": 6}
    assert stratified(questions, 12, 0, whole_types=("absent",)) == stratified(questions, 12, 0)
