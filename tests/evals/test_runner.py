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
