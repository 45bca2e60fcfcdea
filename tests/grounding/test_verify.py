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
