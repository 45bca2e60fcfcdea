"""Summaries: faithful sentences only (rewritten from the source or dropped), the lead first, topics in date order."""

from __future__ import annotations

import json
import re

import pytest

from assistant.records import StoredArticle
from assistant.services import build_services
from conftest import FIXTURES, ROOT
from fakes import FakeChatModel

GOLD = ROOT / "evals" / "gold" / "corpus.jsonl"
SUNAK = StoredArticle(
    "sunak-2026", "Sunak to stay in Parliament after leadership talks", "Westminster Wire", "https://example.com/sunak",
    "2026-03-03T10:00:00+00:00",
    "Former Prime Minister Rishi Sunak said on Tuesday that he would stay in Parliament until the next election. "
    "Sunak, who left Downing Street in 2024, told constituents in Richmond that he wanted to focus on local schools. "
    "The current prime minister did not comment on the announcement. "
    "Local party officials said a farewell dinner planned for April had been cancelled.")


def services_with(settings, embeddings, replies):
    return build_services(settings, embeddings=embeddings, chat_model=FakeChatModel(replies=replies))


def test_unsupported_sentences_are_rewritten_or_dropped_and_the_lead_comes_first(settings, embeddings):
    reply = ("Summary: Prime Minister Rishi Sunak will stay in Parliament [1].\n"
             "- Sunak told constituents in Richmond he wanted to focus on local schools [1].\n"
             "- Sunak will become ambassador to Japan in May [1].\n"
             "- A farewell dinner planned for April was cancelled [1].")
    services = services_with(settings, embeddings, [reply])
    summary = services.article_summarizer.summarize(SUNAK, "short")
    text = summary.text()
    assert "ambassador" not in text and "Japan" not in text  # an invented fact never shown
    assert not re.search(r"(?<!Former )Prime Minister Rishi Sunak", text)  # the article calls him former
    assert summary.line.text.lower().startswith("former prime minister rishi sunak") or "former" in summary.line.text.lower()
    data = summary.to_json()
    assert {"n", "article_id", "title", "source", "url", "published_at", "start", "end", "text", "highlight_start",
            "highlight_end"} <= set(data["citations"][0])
    body = SUNAK.body
    for citation in data["citations"]:
        assert body[citation["start"]:citation["end"]] == citation["text"]


def test_topic_summary_orders_by_date_groups_by_outlet_and_finds_disagreements(settings, embeddings):
    services = services_with(settings, embeddings, ["Veridian Microsystems will build a chip plant in Harbor City [1]."])
    services.ingest([str(GOLD)], progress=False)
    summary = services.topic_summarizer.summarize("Veridian chip plant jobs")
    whens = [e.when for e in summary.timeline]
    assert whens == sorted(whens) and len(summary.timeline) >= 2
    assert {"Harbor Ledger", "Coastal Times"} <= set(summary.by_outlet)
    markdown = summary.to_markdown()
    assert "## Timeline" in markdown and "## Who reported what" in markdown
    assert json.loads(json.dumps(summary.to_json()))["citations"]


@pytest.mark.models
def test_topic_summary_calls_out_the_outlets_disagreement(settings, embeddings):
    services = services_with(settings, embeddings, ["Veridian Microsystems will build a chip plant in Harbor City [1]."])
    services.ingest([str(GOLD)], progress=False)
    summary = services.topic_summarizer.summarize("Veridian chip plant jobs")
    assert any("1,200" in d and "1,500" in d for d in summary.disagreements), summary.disagreements


def test_chat_recognises_summary_requests():
    from assistant.qa.followups import summary_request
    assert summary_request("Summarize the article about the chip plant") == ("article", "the chip plant")
    assert summary_request("What happened with the Harbor City council this week?")[0] == "topic"
    assert summary_request("Who leads the Quds Force?") is None


@pytest.mark.llm
def test_real_model_summary_says_what_the_article_is_about(tmp_path):
    from typer.testing import CliRunner
    from assistant.cli.__main__ import app
    index = tmp_path / "index"
    runner = CliRunner()
    assert runner.invoke(app, ["--index", str(index), "ingest", "-q", str(FIXTURES / "articles")]).exit_code == 0
    sunak = tmp_path / "sunak.md"
    sunak.write_text("---\ntitle: \"" + SUNAK.title + "\"\nsource: Westminster Wire\npublished_at: 2026-03-03T10:00:00Z\n---\n\n"
                     + SUNAK.body + "\n")
    result = runner.invoke(app, ["--index", str(index), "summarize", str(sunak), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    text = " ".join([data["summary"], *data["points"]])
    assert "Sunak" in text and not re.search(r"(?<!former )prime minister rishi sunak", text, re.I)
    iran = runner.invoke(app, ["--index", str(index), "summarize", "--length", "full", "--json",
                               str(FIXTURES / "articles" / "iran-mixed-message.md")])
    data = json.loads(iran.stdout)
    text = " ".join([data["summary"], *data["points"]]).lower()
    assert "iran" in text and ("revenge" in text or "restraint" in text or "mixed" in text)
    assert all(c["text"] for c in data["citations"])
