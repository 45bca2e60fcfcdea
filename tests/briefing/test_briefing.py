"""Briefing: story grouping and reprint detection (real embeddings), then end to end with the real model."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser

import pytest

from assistant.briefing.stories import articles_in_window, day_window, group_stories
from assistant.records import StoredArticle
from assistant.store import rebuild_body
from assistant.ingest.pipeline import ingest
from conftest import ROOT, run_cli

GOLD = ROOT / "evals" / "gold" / "corpus.jsonl"


def gold_articles() -> dict[str, StoredArticle]:
    rows = [json.loads(line) for line in GOLD.read_text().splitlines()]
    return {r["id"]: StoredArticle(r["id"], r["title"], r["source"], r["url"] or "", r["published_at"], r["body"]) for r in rows}


@pytest.mark.models
def test_known_groups_reprints_and_ranking(embeddings):
    articles = gold_articles()
    day = [articles[i] for i in ("gold-lanterns", "gold-rain-wire", "gold-chip-ledger", "gold-rain-reprint", "gold-chip-coastal")]
    stories = group_stories(day, embeddings.encode, story_similarity=0.6, duplicate_jaccard=0.5)
    groups = [sorted(a.id for a in s.articles) for s in stories]
    assert sorted(groups) == sorted([["gold-chip-coastal", "gold-chip-ledger"], ["gold-rain-reprint", "gold-rain-wire"], ["gold-lanterns"]])
    assert groups[0] == ["gold-chip-coastal", "gold-chip-ledger"]  # two independent outlets rank first
    rain = next(s for s in stories if "gold-rain-wire" in [a.id for a in s.articles])
    assert rain.reprints == {"gold-rain-reprint": "gold-rain-wire"}
    assert rain.independent_outlets == 1 and len(rain.outlets) == 2


def test_articles_are_rebuilt_from_their_chunks(store, embeddings, settings):
    ingest([str(GOLD)], store, embeddings, settings, progress=False)
    since, until = day_window(date(2020, 1, 9), "UTC")
    (article,) = articles_in_window(store, since, until)
    original = gold_articles()["gold-iran-nyt"].body
    assert re.sub(r"\s+", " ", article.body) == re.sub(r"\s+", " ", original)
    assert rebuild_body([(0, 5, "Hello"), (3, 9, "lo you")]) == "Hello you"


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


@pytest.mark.llm
def test_briefings_end_to_end_with_the_real_model(tmp_path):
    index = tmp_path / "index"
    run_cli("--index", str(index), "ingest", "-q", str(GOLD), check=True)
    first = run_cli("--index", str(index), "briefing", "--date", "2024-05-14", "--out", str(tmp_path / "d14.md"), "-q", check=True)
    assert "1 stories" in first.stdout
    text = (tmp_path / "d14.md").read_text()
    assert "2 articles from 2 outlets" in text and "NEW" in text
    assert "Day cut in UTC" not in text  # the reader does not need the UTC cut instants
    story_part = text.split("## ", 1)[1]
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", story_part)}
    listed = {int(n) for n in re.findall(r"^\[(\d+)\] ", story_part, re.M)}
    assert listed == {1, 2} and numbers <= listed
    assert "Reports differ" in text and "1,200" in text and "1,500" in text  # the outlets disagree on jobs
    stored = json.loads((index / "briefings" / "2024" / "05" / "2024-05-14.json").read_text())
    assert stored["stories"][0]["centroid"]

    run_cli("--index", str(index), "briefing", "--date", "2024-05-15", "--out", str(tmp_path / "d15.html"), "-q", check=True)
    page = (tmp_path / "d15.html").read_text()
    links = Links()
    links.feed(page)
    internal = [h[1:] for h in links.hrefs if h.startswith("#")]
    assert internal and all(target in links.ids for target in internal)
    assert "CONTINUING" in page and "NEW" in page  # the builder story continues the 14th; the rain is new
    assert "reprint of" in page
    data = json.loads((index / "briefings" / "2024" / "05" / "2024-05-15.json").read_text())
    statuses = {tuple(sorted(s["sources"])): s["status"] for s in data["stories"]}
    by_n = {s["n"]: s["article_id"] for s in data["sources"]}
    named = {tuple(sorted(by_n[n] for n in key)): status for key, status in statuses.items()}
    assert named[("gold-chip-builder",)] == "continuing"
    assert named[("gold-rain-reprint", "gold-rain-wire")] == "new"
