"""The verifier's verdict: the reason of the first check that finds an error, soft checks capping the learned score."""

from __future__ import annotations

from assistant.grounding.verify import verdict
from assistant.records import Passage


def test_the_verifier_gives_the_reason_of_the_first_check_that_finds_an_error():
    text = "He said “we will win” as 300 workers left the plant."
    passage = Passage("a::0", "a", "T", "S", "", "2024-01-01", 0, len(text), text)
    both = verdict("He said “we will lose” as 400 workers left the plant.", [passage], 0.9, text)
    assert both.score == 0.0 and both.reason.startswith("the quotation")  # the quotation is checked before figures
    assert verdict("He said “we will win” as 400 workers left the plant.", [passage], 0.9, text).reason == (
        "figure 400 is not in the cited passage")
    sales = "Sales rose sharply in the quarter."
    rose = Passage("b::0", "b", "T", "S", "", "2024-01-01", 0, len(sales), sales)
    flipped = verdict("Sales fell sharply in the quarter.", [rose], 0.9, sales, learned=0.95)
    assert flipped.score == 0.2 and "opposite" in flipped.reason  # a soft check caps the learned score
    assert verdict(sales, [rose], 0.9, sales, learned=0.95) == verdict(sales, [rose], 0.1, sales, learned=0.95)


def test_a_name_with_a_curly_apostrophe_in_the_passage_is_found_from_a_straight_one_in_the_sentence():
    """Found in the product's own answers: "Hasbro's Jenga is not in the cited passage" where it was, as "Hasbro’s"."""
    text = "Hasbro’s Jenga: Super Mario Edition is selling for $14.99 at Amazon, and Microsoft’s Bing is a rival."
    passage = Passage("c::0", "c", "Deals", "The Verge", "", "2023-11-23", 0, len(text), text)
    for sentence in ("Hasbro's Jenga: Super Mario Edition is selling for $14.99 at Amazon.", "Microsoft’s Bing is a rival."):
        assert "not in the cited passage" not in verdict(sentence, [passage], 0.9, text).reason, sentence
    assert "Nintendo" in verdict("The deal: Nintendo's Jenga is selling for $14.99 at Amazon.", [passage], 0.9, text).reason


def test_a_title_the_passage_itself_writes_without_former_is_no_dropped_qualifier():
    """Found in the product's answers: a sentence quoting "President Joe Biden's career came to an end" was flagged
    because the passage elsewhere says "the former president"; a title the passage only ever qualifies still is."""
    text = ("President Joe Biden's career came to an end in January. A spokesperson for the former president, 82, "
            "announced the diagnosis.")
    passage = Passage("d::0", "d", "T", "S", "", "2025-05-19", 0, len(text), text)
    quoted = verdict("President Joe Biden's career came to an end in January.", [passage], 0.9, text)
    assert "former office-holder" not in quoted.reason
    only_former = "The former president Joe Biden spoke on Sunday."
    former = Passage("e::0", "e", "T", "S", "", "2025-05-19", 0, len(only_former), only_former)
    assert "former office-holder" in verdict("President Joe Biden spoke on Sunday.", [former], 0.9, only_former).reason
