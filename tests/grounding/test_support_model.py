"""The learned support check: its features, its weights file, the training pipeline and quotations."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.grounding.support_model import FEATURES, SupportModel, shipped_model, support_features
from assistant.grounding.text import detokenize, misquoted
from assistant.evals.support_training import (LabelledSummary, balanced_accuracy, choose_threshold, cross_validated,
                                              load_frank, summary_sentences, trained, weakest)

SOURCE = ["Alan Stubbs has left Hibernian to become the manager of Rotherham United.",
          "The 44-year-old signed a three-year deal at the New York Stadium on Tuesday.",
          "Hibernian chairman Rod Petrie thanked Stubbs for winning the Scottish Cup."]


def features_for(sentence: str, similarities=(0.9, 0.2, 0.3)) -> dict[str, float]:
    return support_features(sentence, SOURCE, np.array(similarities, dtype=np.float32))


def test_a_name_taken_from_elsewhere_breaks_the_word_pairs_of_the_aligned_sentence():
    faithful = features_for("Alan Stubbs has left Hibernian to become the manager of Rotherham United.")
    wrong = features_for("Alan Stubbs has left Rotherham United to become the manager of Hibernian.")
    assert faithful["cover_all"] == wrong["cover_all"] == 1.0  # word coverage cannot tell them apart
    assert wrong["novel_pairs_aligned"] > faithful["novel_pairs_aligned"] == 0.0


def test_figures_and_repeats_are_features():
    assert features_for("The 45-year-old signed a deal.")["figure_missing"] == 1.0
    assert features_for("Stubbs signed signed signed a deal deal.")["repeats"] > 0.3
    assert set(features_for("Stubbs left.")) == set(FEATURES)


def test_weights_round_trip_and_refuse_unknown_features():
    model = SupportModel(tuple([0.0] * len(FEATURES)), tuple([1.0] * len(FEATURES)), tuple([1.0] * len(FEATURES)), 0.0,
                         {"supported": 0.5, "weak": 0.3})
    again = SupportModel.from_json(json.loads(json.dumps(model.to_json())))
    assert again == model and not again.needs_judge
    with pytest.raises(ValueError):
        SupportModel.from_json({**model.to_json(), "features": ["something_else"]})


def test_spaced_tokens_are_joined_and_quotations_compared_word_for_word():
    assert detokenize("she didn ' t show up . it 's kilmarnock 's") == "she didn't show up. it's kilmarnock's"
    source = 'He said: "We will win this war," and left.'
    assert misquoted("He said “we will win this war” on Monday.", source) == ""
    assert misquoted("He said “we will lose this war” on Monday.", source) == "we will lose this war"
    assert summary_sentences("gary locke will stay . he signed a deal .") == ["gary locke will stay.", "he signed a deal."]


def test_a_misquote_is_unsupported_whatever_the_overlap(embeddings):
    from assistant.grounding.citations import check_answer
    from assistant.records import Passage
    text = 'The minister said "we will not raise taxes this year" at the launch.'
    passage = Passage("p", "p", "", "", "", "", 0, len(text), text)
    checked = check_answer('The minister said "we will raise taxes this year" [1].', [passage], embeddings.encode, 0.5,
                           repair=False)
    assert not checked.sentences[0].supported and "quotation" in checked.sentences[0].reason


def toy_summaries(count: int = 40) -> list[LabelledSummary]:
    """Summaries whose one informative feature separates the labels (with noise), over 10 articles."""
    rng = np.random.default_rng(0)
    rows = []
    for i in range(count):
        factual = i % 2 == 0
        features = {name: float(rng.random()) for name in FEATURES}
        features["novel_pairs_aligned"] = float(rng.normal(0.2 if factual else 0.6, 0.1))
        rows.append(LabelledSummary(str(i), "cnndm" if i % 4 < 2 else "xsum", f"article {i % 10}", ["x"], ["y"], factual,
                                    features=features))
    return rows


def test_cross_validation_never_scores_an_article_it_trained_on_and_learns_the_signal():
    rows = toy_summaries()
    scores = cross_validated(rows)
    factual = [r.factual for r in rows]
    threshold = choose_threshold(rows, scores)
    assert balanced_accuracy(factual, [s >= threshold for s in scores])[0] > 0.8
    model = trained(rows, scores)
    assert model.thresholds["weak"] <= model.thresholds["supported"]
    weights = dict(zip(model.names, model.weights))
    assert weights["novel_pairs_aligned"] < 0  # new word pairs speak against support


def test_the_weakest_sentence_decides_a_summary():
    good, bad = {name: 1.0 for name in FEATURES}, {name: 0.0 for name in FEATURES}
    merged = weakest([good, bad])
    assert merged["cover_all"] == 0.0 and merged["novel_pairs_all"] == 1.0


def test_frank_rows_load(tmp_path):
    path = tmp_path / "frank.jsonl"
    path.write_text(json.dumps({"id": "x:1", "dataset": "xsum", "model": "m", "article": "One sentence here. Another one.",
                                "summary": "one sentence here .", "factual": True, "factuality": 1.0,
                                "error_types": []}) + "\n")
    (row,) = load_frank(path)
    assert row.sentences == ["one sentence here."] and row.source_sentences == ["One sentence here.", "Another one."]


def test_the_shipped_judge_model_orders_the_three_states():
    """The weights `train-verifier --judge` shipped: a confident Yes is supported, a confident No is not."""
    model = shipped_model("judge")
    assert model is not None and model.names == ("judge",)
    sure, unsure, denied = (model.probability({"judge": p}) for p in (0.95, 0.5, 0.02))
    assert sure >= model.thresholds["supported"] > unsure
    assert denied < model.thresholds["weak"] <= model.thresholds["supported"]
