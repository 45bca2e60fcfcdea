"""The passage window: the best exact span of a longer passage for a question."""

from __future__ import annotations

from assistant.grounding.passage_window import best_run, best_windows
from assistant.records import Passage
from fakes import FakeEmbeddings


def test_passage_window_keeps_an_exact_span_of_a_longer_passage():
    text = ("The mayor opened the bridge on Monday. Traffic was light. The bridge cost 40 million euros to build. "
            "Critics said the toll was too high. The council will review the toll in June.")
    passage = Passage("c", "a", "Bridge", "S", "", "", 1000, 1000 + len(text), text)
    (window,) = best_windows([passage], "How much did the bridge cost?", FakeEmbeddings().encode, 90)
    assert "40 million euros" in window.text and len(window.text) <= 90 + 40
    assert text[window.start - 1000:window.end - 1000] == window.text
    assert best_run([0.1, 2.0, 0.2], [10, 10, 10], 25) == (1, 2) or best_run([0.1, 2.0, 0.2], [10, 10, 10], 25) == (0, 1)
