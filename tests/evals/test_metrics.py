"""Eval metrics (retrieval and answer scores) and the thresholds gate."""

from __future__ import annotations

from assistant.evals.metrics import answer_scores, retrieval_scores
from assistant.evals.report import check_thresholds


def test_metrics_and_the_thresholds_gate(tmp_path):
    assert retrieval_scores(["x", "the gold fact here"], ["gold fact"])["mrr@10"] == 0.5
    assert answer_scores("Yes. Because [1].", "yes", "yes_no")["exact"] == 1.0
    assert answer_scores("It was Ismail Qaani [1].", "Ismail Qaani", "entity")["contains"] == 1.0
    rules = tmp_path / "t.toml"
    rules.write_text('[answer]\naccuracy = 0.6\n[maximum]\n"refusal.false_refusal_rate" = 0.05\n')
    assert check_thresholds({"overall": {"answer.accuracy": 0.7, "refusal.false_refusal_rate": 0.01}}, rules) == []
    failures = check_thresholds({"overall": {"answer.accuracy": 0.5}}, rules)
    assert any("answer.accuracy" in f for f in failures) and any("not measured" in f for f in failures)
