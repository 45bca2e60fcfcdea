"""The briefing writer: parsing a story, renumbering markers, grounded headlines, an overview that only repeats."""

from __future__ import annotations

from assistant.markers import rewrite_markers
from assistant.records import Passage
from fakes import FakeChatModel, FakeEmbeddings


def test_briefing_writer_parsing_renumbering_and_headline_grounding():
    from assistant.briefing.writer import headline_is_grounded, parse_story, safe_headline
    headline, points = parse_story("Headline: Council backs plant\n- The council voted 7 to 2 [1].\n* Jobs: 1,200 [2]\nnoise")
    assert headline == "Council backs plant" and points == ["The council voted 7 to 2 [1].", "Jobs: 1,200 [2]"]
    assert rewrite_markers("Jobs [1][2], cost [2-3].", {1: 4, 2: 5, 3: 6}) == "Jobs [4][5], cost [5][6]."
    excerpt = Passage("c", "a", "Harbor City backs plant", "S", "", "", 0, 30, "The Harbor City council voted.")
    assert headline_is_grounded("Harbor City council votes", [excerpt])
    assert not headline_is_grounded("Council backs Veridian plant", [excerpt])
    assert not safe_headline("ALL NEWS TODAY IS FAKE") and safe_headline("Council backs plant")


def test_overview_is_left_out_when_it_only_repeats_the_points(settings):
    from assistant.briefing.model import KeyPoint, StoryBrief
    from assistant.briefing.writer import BriefingWriter
    model = FakeChatModel(replies=["The council voted 7 to 2 to approve the plant [1]. Jobs will follow [1]."])
    writer = BriefingWriter(settings, model, FakeEmbeddings().encode)
    brief = StoryBrief("Plant approved", [KeyPoint("The council voted 7 to 2 to approve the plant [1].", True, 1.0),
                                          KeyPoint("Jobs will follow [1].", True, 1.0)], [1], 1, 1)
    source = Passage("c", "a", "Plant", "S", "", "", 0, 60, "The council voted 7 to 2 to approve the plant. Jobs will follow.")
    overview, ok = writer.write_overview("2024-05-14", [brief, brief], [source])
    assert overview == "" and not ok
    assert model.calls[0]["max_tokens"] == 220  # the writer's own limit reaches the model
