"""Citations as JSON: a summary citation highlights its whole excerpt."""

from __future__ import annotations

from assistant.grounding.citations import Citation, citation_json
from assistant.records import Passage


def test_a_summary_citation_highlights_its_whole_excerpt():
    passage = Passage("a::2", "a", "Title", "Wire", "https://wire.example/a", "2024-01-01", 5, 50, "The excerpt.")
    cited = citation_json(Citation.whole(2, passage))
    assert cited["n"] == 2 and cited["text"] == "The excerpt." and cited["url"] == "https://wire.example/a"
    assert (cited["start"], cited["end"], cited["highlight_start"], cited["highlight_end"]) == (5, 50, 5, 50)
