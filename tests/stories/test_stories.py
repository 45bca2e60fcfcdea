"""Story memory logic (fast tier: the hashing embedder or hand-made vectors): claims found in code, the ledger's
statuses, linking across days, coverage and blindspots, the briefing's new sections, `assistant stories --json`."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
from typer.testing import CliRunner

from assistant.records import StoredArticle
from assistant.stories.claims import extract_claims, figures_in
from assistant.stories.ledger import build_ledger
from assistant.stories.linking import ReportSignals, evidence, idf_weight, name_tokens, recurring_column
from assistant.stories.memory import NewReport, Report, StoredClaim, StoryMemory
from assistant.stories.outlets import OutletFileError, coverage, blindspot, load_outlets
from conftest import ROOT, given_parts
from fakes import FakeEmbeddings

FIXTURE = ROOT / "evals" / "stories"
encode = FakeEmbeddings().encode


def article(id, source, when, title, body) -> StoredArticle:
    return StoredArticle(id, title, source, f"https://{source.replace(' ', '').lower()}.example/{id}", when, body)


def test_figures_know_what_they_count_and_skip_what_only_names():
    assert figures_in("At least 12 people were killed when floods swept through Ravensburg.") == [("deaths", 12.0)]
    assert figures_in("The death toll has risen to 19, regional authorities said.") == [("deaths", 19.0)]
    assert figures_in("Nineteen people are now confirmed dead.") == [("deaths", 19.0)]
    assert figures_in("Repairs will cost 1.2 million euros.") == [("money", 1_200_000.0)]
    assert figures_in("Route 9 closed in 2024 at 10:30 on May 14, Week 5 of the season.") == []
    assert figures_in("Another 40 people were injured.") == [("injuries", 40.0)]
    body = ("The toll has risen to 19. “The water rose faster than anyone expected,” said Mayor Elena Varga. "
            "Mayor Elena Varga will not seek a second term in office. Correction: an earlier version misstated the toll.")
    claims = extract_claims(article("a", "S", "2024-03-05T08:00:00+00:00", "T", body))
    kinds = [(c.kind, c.update, c.negated, c.correction) for c in claims]
    assert kinds[:3] == [("figure", True, False, False), ("quote", False, False, False), ("action", False, True, False)]
    assert all(body[c.start:c.end] == c.text for c in claims)  # every claim is an exact, citable span


def stored(claim_id, article_id, text, kind="figure", quantity="", values=(), negated=False, revision=False,
           correction=False) -> StoredClaim:
    return StoredClaim(claim_id, article_id, kind, text, 0, len(text), quantity, tuple(values), negated, revision,
                       correction, tuple(w for w in text.split() if w[:1].isupper()), encode([text])[0])


def report(article_id, source, day, reprint_of=None) -> Report:
    return Report(article_id, 1, f"2024-03-0{day}", f"2024-03-0{day}T{10 + len(article_id) % 9}:00:00+00:00", source,
                  article_id, "", reprint_of)


def statuses(reports, claims) -> dict[tuple, str]:
    return {(e.quantity, tuple(sorted(e.values)), e.first.claim.text): e.status for e in build_ledger(reports, claims)}


def test_a_reprint_confirms_nothing_and_a_revision_makes_the_old_figure_stale():
    reports = [report("wire", "Wire", 4), report("copy", "Courier", 4, reprint_of="wire")]
    claims = [stored(1, "wire", "At least 12 people were killed in Ravensburg floods.", quantity="deaths", values=[12]),
              stored(2, "copy", "At least 12 people were killed in Ravensburg floods.", quantity="deaths", values=[12])]
    assert set(statuses(reports, claims).values()) == {"new"}
    reports.append(report("herald", "Herald", 5))
    claims.append(stored(3, "herald", "The Ravensburg floods death toll has risen to 19 killed.", quantity="deaths",
                         values=[19], revision=True))
    found = statuses(reports, claims)
    assert sorted(found.values()) == ["new", "stale"]
    reports.append(report("wire-2", "Wire", 6))
    claims.append(stored(4, "wire-2", "Nineteen people killed in Ravensburg floods, officials say.", quantity="deaths", values=[19]))
    assert sorted(statuses(reports, claims).values()) == ["confirmed", "stale"]


def test_another_outlets_figure_disputes_and_the_first_outlets_change_corrects():
    reports = [report("h1", "Herald", 4), report("c1", "Courier", 5)]
    claims = [stored(1, "h1", "Orlen Foods will close the Danby bakery, cutting 450 jobs.", quantity="jobs", values=[450]),
              stored(2, "c1", "The Danby bakery closure at Orlen Foods will cost 380 jobs.", quantity="jobs", values=[380])]
    assert sorted(statuses(reports, claims).values()) == ["contradicted", "contradicted"]
    reports.append(report("h2", "Herald", 7))
    claims.append(stored(3, "h2", "Orlen Foods said 380 jobs will go at the Danby bakery.", quantity="jobs", values=[380]))
    found = {e.values.pop(): e for e in build_ledger(reports, claims)}
    assert found[450].status == "corrected" and found[380].status == "confirmed"
    assert found[450].because[0][0] == "corrected_by"


def test_a_negation_from_another_outlet_disputes_the_claim():
    reports = [report("h1", "Herald", 5), report("c1", "Courier", 6)]
    claims = [stored(1, "h1", "Kestrel mayor Tom Reyes will seek a second term.", kind="action"),
              stored(2, "c1", "Kestrel mayor Tom Reyes will not seek a second term.", kind="action", negated=True)]
    assert sorted(statuses(reports, claims).values()) == ["contradicted", "contradicted"]
    assert list(statuses(reports[:1], claims[:1]).values()) == ["new"]


def signals(id, source, day, title, body, vector) -> ReportSignals:
    return ReportSignals(id, source, date(2024, 3, day), title, np.asarray(vector, dtype=np.float32), name_tokens(title, body))


def test_evidence_needs_a_shared_rare_name_and_weighs_the_days_between():
    weight = idf_weight({"ravensburg": 3, "selke": 2, "varga": 2, "danby": 2}, 20)
    flood = signals("a", "Wire", 4, "Flash floods kill 12 in Ravensburg", "Floods swept through Ravensburg on Monday. "
                    "The Selke rose overnight, said Mayor Elena Varga. Varga opened a shelter by the Selke.", [1, 0])
    text = "Ravensburg counted its dead after the Selke burst its banks. Mayor Elena Varga said the Selke rose fast."
    reworded = signals("b", "Herald", 5, "Ravensburg counts its dead", text, [0.6, 0.8])
    football = signals("c", "Wire", 5, "Danby Rovers beat Ravensburg United", "Danby Rovers won in Ravensburg. Fans of "
                       "Danby Rovers sang. The Rovers coach Jonas Weber and Weber's staff celebrated.", [0.3, 0.95])
    unrelated = signals("d", "Herald", 5, "Council budget passes", "The council voted on the budget on Tuesday.", [0.9, 0.43])
    near = evidence(reworded, flood, weight)
    assert near is not None and near >= 0.9  # a reworded report of the event joins (cosine 0.6 alone would not)
    assert evidence(football, flood, weight) < 0.9  # one shared name is not the same event
    assert evidence(unrelated, flood, weight) is None  # a close lead without a shared name never joins
    later = signals("e", "Herald", 25, reworded.title, text, [0.6, 0.8])
    assert evidence(later, flood, weight) < near
    column = "Start Travis Kelce this week, says our expert. Kelce has scored in every game."
    week5 = signals("f", "Sports", 4, "NFL Week 5 lineup decisions", column, [1, 0])
    week6 = signals("g", "Sports", 11, "NFL Week 6 lineup decisions", column, [1, 0])
    assert recurring_column(week5, week6) and evidence(week6, week5, weight) is None


def test_memory_links_across_days_marks_late_reprints_and_keeps_story_ids(tmp_path):
    memory = StoryMemory(tmp_path / "stories.sqlite3", "fake")
    body = "Flash floods swept through Ravensburg on Monday, Mayor Elena Varga said. The Selke rose. Ravensburg and the Selke."
    first = article("w1", "Wire", "2024-03-04T09:00:00+00:00", "Floods hit Ravensburg", body)
    copy = article("c1", "Courier", "2024-03-05T09:00:00+00:00", "Floods hit Ravensburg", body + " Supplied by Wire.")
    other = article("x1", "Herald", "2024-03-05T10:00:00+00:00", "Council budget passes", "The Council voted on Tuesday. Council.")
    vector = np.array([1.0, 0.0], dtype=np.float32)

    def new(a, v):
        return NewReport(a, date.fromisoformat(a.published_at[:10]), np.asarray(v, dtype=np.float32))
    assert memory.remember([[new(first, vector)]], 0.9, 30, 0.5) == {"w1": 1}
    ids = memory.remember([[new(copy, vector)], [new(other, [0.9, 0.43])]], 0.9, 30, 0.5)
    assert ids == {"c1": 1, "x1": 2}
    assert [r.reprint_of for r in memory.reports(1)] == [None, "w1"]
    assert memory.remember([[new(copy, [0, 1])]], 0.9, 30, 0.5) == {"c1": 1}  # already linked: kept
    with pytest.raises(ValueError, match="embedding model"):
        StoryMemory(tmp_path / "stories.sqlite3", "another-model")


def test_outlet_file_names_its_problems_in_one_line(tmp_path):
    book = load_outlets(FIXTURE / "outlets.toml")
    assert book.canonical("https://www.metrowire.example/2024/x") == "Metro Wire"
    assert book.canonical("The Northgate Herald") == "Northgate Herald" and book.canonical("Elsewhere") == "Elsewhere"
    assert not book.leanings  # the project ships no ratings
    bad = tmp_path / "outlets.toml"
    for text, words in [('[[outlet]]\nname = "A"\nrating = "left"\n', "unknown key 'rating'"),
                        ('[[outlet]]\ncountry = "X"\n', "needs a name"), ("[[outlet]\n", "not valid TOML")]:
        bad.write_text(text)
        with pytest.raises(OutletFileError) as caught:
            load_outlets(bad)
        assert words in str(caught.value) and str(bad) in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(OutletFileError, match="no such file"):
        load_outlets(tmp_path / "missing.toml")


def test_coverage_flags_a_story_only_one_outlet_reported_and_blindspots_by_leaning(tmp_path):
    book = load_outlets(FIXTURE / "outlets.toml")
    reports = [Report("s1", 1, "2024-03-06", "2024-03-06T16:00:00+00:00", "Valley Courier", "Roof", "", None),
               Report("s2", 1, "2024-03-07", "2024-03-07T09:00:00+00:00", "metrowire.example", "Roof", "", "s1")]
    followed = ["Metro Wire", "Northgate Herald", "Valley Courier"]
    cover = coverage(reports, followed, "feeds", book)
    assert cover.only_by == "Valley Courier" and cover.missing == ["Northgate Herald"]
    assert cover.first["source"] == "Valley Courier" and cover.covered == ["Metro Wire", "Valley Courier"]
    assert blindspot(cover, followed, book) == "covered only by Valley Courier; not by Northgate Herald"
    leaning = tmp_path / "outlets.toml"
    leaning.write_text('[[outlet]]\nname = "A"\nleaning = "left"\n[[outlet]]\nname = "B"\nleaning = "right"\n')
    mine = load_outlets(leaning)
    spot = blindspot(coverage([Report("a1", 1, "2024-03-06", "2024-03-06T10:00", "A", "T", "", None)], ["A", "B"], "feeds", mine),
                     ["A", "B"], mine)
    assert spot == "covered by outlets you marked left; none you marked right"


def test_briefing_shows_since_yesterday_coverage_blindspots_and_failing_feeds():
    from assistant.briefing.model import Briefing, KeyPoint, StoryBrief
    from assistant.briefing.render import to_html, to_markdown
    story = StoryBrief("Floods in Ravensburg", [KeyPoint("Nineteen died [1].", True, 1.0)], [1], 1, 1, status="continuing",
                       story_id=3, first_day="2024-03-04", days=2,
                       coverage={"covered": ["Herald"], "independent": ["Herald"], "missing": ["Wire"], "basis": "feeds",
                                 "first": {"source": "Herald", "published_at": "2024-03-04T09:00"}, "only_by": "Herald"},
                       since=["the death toll was revised from 12 [2] to 19 (Herald) [1]",
                              "the claim that \u201c<b>x</b>\u201d [2] is disputed by Herald: \u201cy\u201d [1]"],
                       since_day="2024-03-04", extra_sources=[2])
    briefing = Briefing("2024-03-05", "UTC", ("a", "b"), "", False, [story],
                        [{"n": 1, "title": "Toll rises", "source": "Herald", "url": "", "published_at": "2024-03-05T08:00",
                          "article_id": "h", "reprint_of": None},
                         {"n": 2, "title": "Floods", "source": "Wire", "url": "", "published_at": "2024-03-04T09:00",
                          "article_id": "w", "reprint_of": None}],
                        blindspots=[{"headline": "Floods in Ravensburg", "text": "covered only by Herald; not by Wire", "story_id": 3}],
                        feed_problems=[{"url": "https://wire.example/rss", "title": "Wire", "reason": "fetch failed: 404",
                                        "since": "2024-03-03"}])
    markdown = to_markdown(briefing)
    assert "- Since yesterday: the death toll was revised from 12 [2] to 19 (Herald) [1]; the claim that" in markdown
    assert "\\<b\\>" in markdown and "<b>" not in markdown
    assert "covered only by Herald; not by Wire." in markdown and "## Blindspots" in markdown
    assert "## Feeds with problems" in markdown and "fetch failed: 404, since 2024-03-03" in markdown
    assert "[2] Floods — Wire" in markdown  # yesterday's report the line cites is listed under the story
    page = to_html(briefing)
    assert "<a class='cite' href='#src-2'>[2]</a>" in page and "id='src-2'" in page and "<b>x" not in page
    assert "Blindspots" in page and "fetch failed: 404" in page and "covered only by Herald" in page


def test_feed_health_is_skipped_cleanly_without_a_follow_database(settings, monkeypatch):
    import builtins
    from assistant.briefing.continuity import feed_problems
    assert feed_problems(settings) == []
    real_import = builtins.__import__

    def no_health(name, *args, **kwargs):
        if name == "assistant.follow.health":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_health)
    assert feed_problems(settings) == []


def test_stories_command_prints_json_with_citable_ledger_entries(tmp_path):
    from assistant.cli.__main__ import app
    runner = CliRunner()
    index = tmp_path / "index"
    assert runner.invoke(app, ["--index", str(index), "ingest", "-q", str(FIXTURE / "corpus.jsonl")], obj=given_parts()).exit_code == 0
    result = runner.invoke(app, ["--index", str(index), "--set", f"outlets_file={FIXTURE / 'outlets.toml'}",
                                 "stories", "--date", "2024-03-06", "--json", "-q"], obj=given_parts())
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["day"] == "2024-03-06" and data["stories"] and data["feed_problems"] == []
    bodies = {json.loads(line)["id"]: json.loads(line)["body"] for line in (FIXTURE / "corpus.jsonl").open()}
    entries = [e for s in data["stories"] for e in s["ledger"]]
    assert entries and {e["status"] for e in entries} <= {"new", "confirmed", "contradicted", "corrected", "stale"}
    for entry in entries:
        for mention in entry["mentions"]:
            assert bodies[mention["article_id"]][mention["start"]:mention["end"]] == mention["text"]
    assert all(s["coverage"]["first"]["source"] in s["outlets"] for s in data["stories"])
    assert (index / "stories.sqlite3").is_file()
    text = runner.invoke(app, ["--index", str(index), "stories", "--date", "2024-03-06", "-q"], obj=given_parts())
    assert text.exit_code == 0 and "# Stories on 2024-03-06" in text.stdout and "Claims:" in text.stdout
    bad = runner.invoke(app, ["--index", str(index), "stories", "--date", "March 6"], obj=given_parts())
    assert bad.exit_code == 2 and "not YYYY-MM-DD" in bad.stderr


@pytest.fixture()
def fixture_services(settings):
    """The fixture's five days in a store, with the hashing embedder and a link threshold it can reach."""
    from assistant.services import build_services
    from fakes import FakeChatModel
    services = build_services(settings.model_copy(update={"story_link_threshold": 0.5,
                                                          "outlets_file": FIXTURE / "outlets.toml"}),
                              embeddings=FakeEmbeddings(),
                              chat_model=FakeChatModel(replies=["Headline: Floods in Ravensburg\n- Floods hit the town [1]."]))
    services.ingest([str(FIXTURE / "corpus.jsonl")], progress=False)
    return services


def test_the_briefing_links_to_yesterday_and_says_what_changed(fixture_services):
    from assistant.briefing.render import to_markdown
    first, _ = fixture_services.briefing(date(2024, 3, 4), progress=False)
    assert all(s.status == "new" and s.story_id for s in first.stories)
    second, stored = fixture_services.briefing(date(2024, 3, 5), progress=False)
    by_article = {s["n"]: s["article_id"] for s in second.sources}
    flood = next(s for s in second.stories if "flood-herald-reworded" in {by_article[n] for n in s.sources})
    assert flood.status == "continuing" and flood.days == 2 and flood.first_day == "2024-03-04"
    assert any("revised from 12 to 19" in line for line in flood.since)
    cited = {int(n) for line in flood.since for n in __import__("re").findall(r"\[(\d+)\]", line)}
    assert cited <= set(by_article)  # every marker names a listed source (yesterday's report added to them)
    assert "Since yesterday: the death toll was revised from 12 to 19" in to_markdown(second)
    assert json.loads(stored.read_text())["stories"][0]["coverage"]


def test_topic_summaries_and_the_story_view_read_the_ledger(fixture_services):
    from assistant.records import Passage
    from assistant.stories.topic_ledger import topic_ledger
    from assistant.web.stories_tab import stories_of_day
    choices, pages, problems = stories_of_day(fixture_services, "2024-03-07")
    assert choices and all(pages[value].startswith("## ") and "Claims:" in pages[value] for _, value in choices)
    assert problems == ""
    with pytest.raises(ValueError, match="not a date"):
        stories_of_day(fixture_services, "7 March")
    bakery = [a for a in fixture_services.store.articles() if a.id.startswith("bakery")]
    passages = [Passage(a.id, a.id, a.title, a.source, a.url, a.published_at, 0, len(a.body), a.body) for a in bakery]
    lines = topic_ledger(fixture_services.settings, passages)
    assert any("corrected by Northgate Herald" in line for line in lines)
    assert all(__import__("re").search(r"\[[1-3]\]", line) for line in lines)
    from assistant.summaries.topic import TopicSummary
    summary = TopicSummary("Danby bakery", [], [], {}, [], [], passages, ledger=lines)
    assert "## Claims across days" in summary.to_markdown() and summary.to_json()["ledger"] == lines


@pytest.mark.slow
def test_the_stories_tab_builds_inside_the_page(fixture_services):
    import gradio as gr
    from assistant.web.stories_tab import build_stories_tab
    with gr.Blocks() as demo:
        build_stories_tab(fixture_services)
    ids = {getattr(block, "elem_id", None) for block in demo.blocks.values()}
    assert {"stories-day", "stories-go", "stories-choice", "stories-view", "stories-feeds"} <= ids


def test_followed_outlets_come_from_what_each_feed_delivered(settings):
    """The follow database is read apart (feed_articles); the outlet a feed's articles name most wins, else its title."""
    from assistant.follow.database import StoredItem, feed_articles, open_database
    from assistant.stories.outlets import followed_outlets
    assert feed_articles(settings) == []  # no database: nothing followed, and no file made
    database = open_database(settings)
    wire = database.add_feed("https://metrowire.example/rss", "Wire feed")
    database.add_feed("https://quiet.example/rss", "Quiet Times")
    database.record_success(wire.id, [StoredItem(k, k, k, None) for k in ("w1", "w2", "w3")])
    feeds = feed_articles(settings)
    assert sorted(feeds) == [("Quiet Times", []), ("Wire feed", ["w1", "w2", "w3"])]
    book = load_outlets(FIXTURE / "outlets.toml")
    sources = {"w1": "metrowire.example", "w2": "metrowire.example", "w3": "Valley Courier"}
    assert followed_outlets(book, feeds, sources) == ["Metro Wire", "Quiet Times"]  # an alias, by the outlet file
    assert followed_outlets(book, [], sources) == []
