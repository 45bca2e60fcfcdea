"""The briefing renderers: HTML and Markdown escape the text and link only http(s)."""

from __future__ import annotations


def test_renderers_escape_and_link_only_http():
    from assistant.briefing.render import to_html, to_markdown
    from assistant.briefing.model import Briefing, KeyPoint, StoryBrief
    briefing = Briefing("2024-05-14", "UTC", ("a", "b"), "", False,
                        [StoryBrief("<b>Plant</b>", [KeyPoint("Voted 7 to 2 [1].", True, 1.0)], [1], 1, 1)],
                        [{"n": 1, "title": "<script>x</script>", "source": "S", "url": "javascript:alert(1)",
                          "published_at": "2024-05-14T10:00", "article_id": "a", "reprint_of": None}])
    html = to_html(briefing)
    assert "<script>x" not in html and "javascript:" not in html and "href='#src-1'" in html
    markdown = to_markdown(briefing)
    assert "javascript:" not in markdown and "\\<script\\>" in markdown
