"""Question analysis: shape, named and absent outlets, dates, and one claim per named report."""

from __future__ import annotations

from datetime import date

from assistant.qa.questions import OutletMatcher, analyse

MATCHER = OutletMatcher(["TechCrunch", "The Verge", "Fortune", "Harbor Ledger", "Coastal Times", "FOX News - Politics"])


def claims(question: str) -> list[tuple[str, str]]:
    return [(c.outlet, c.text) for c in analyse(question, MATCHER).as_claims().claims]


def test_a_comparison_splits_into_one_claim_per_report():
    plan = analyse("Does the TechCrunch article suggest that the chip shortage eased, while The Verge reports that "
                   "prices kept rising?", MATCHER)
    assert plan.shape == "comparison" and plan.yes_no
    assert [c.outlet for c in plan.claims] == ["TechCrunch", "The Verge"]
    assert "chip shortage eased" in plan.claims[0].text and "prices kept rising" in plan.claims[1].text


def test_reports_named_together_share_the_predicate_that_follows_them():
    assert claims("Do the Harbor Ledger and the Coastal Times report the same number of jobs at the Veridian plant?") == [
        ("Harbor Ledger", "same number of jobs at the Veridian plant"),
        ("Coastal Times", "same number of jobs at the Veridian plant")]
    shared = claims("Did The Verge suggest strong company growth, while Fortune and TechCrunch imply fraud for personal gain?")
    assert [outlet for outlet, _ in shared] == ["The Verge", "Fortune", "TechCrunch"]
    assert shared[1][1] == shared[2][1] and "fraud" in shared[1][1]


def test_a_yes_no_question_naming_one_report_is_judged_whole():
    (only,) = claims("Did TechCrunch report that the startup raised $20 million?")
    assert only[0] == "TechCrunch" and "raised $20 million" in only[1]


def test_dates_outlets_the_index_lacks_and_the_temporal_shape():
    plan = analyse("Did TechCrunch report on the layoffs before The Verge published on October 7, 2023 about the merger?", MATCHER)
    assert plan.shape == "temporal" and plan.order == "before"
    assert plan.dates and plan.dates[0].day == date(2023, 10, 7)
    missing = analyse("According to a Reuters report, who bought the company?", MATCHER)
    assert missing.missing_outlets == ["Reuters"]
    assert analyse("Which company does TechCrunch say bought the startup?", MATCHER).shape == "inference"
    assert analyse("the age of AI is here, what is new?", MATCHER).outlets == []


def test_answer_words_are_offered_in_either_order_and_only_some_auxiliaries_ask_about_order():
    assert analyse("Were the TechCrunch and The Verge reports inconsistent or consistent?", MATCHER).labels == (
        "consistent", "inconsistent")
    ordered = "TechCrunch report the layoffs before The Verge reported the merger on October 7, 2023?"
    assert analyse("Had " + ordered, MATCHER).order == "before"
    assert analyse("Could " + ordered, MATCHER).order == ""  # yes/no and temporal, but not an order question
    scene = "After TechCrunch reported on October 7, 2023, {} The Verge report the merger?"
    assert analyse(scene.format("did"), MATCHER).yes_no
    assert not analyse(scene.format("could"), MATCHER).yes_no  # only be/do/has/have follow a scene-setting clause
