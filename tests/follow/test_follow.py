"""Following feeds: subscriptions in SQLite, OPML, a polite update (conditional GET), faults, a killed update."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from assistant.cli.__main__ import app
from conftest import ROOT, given_parts
from assistant.evals.feedsite import NewsSite

runner = CliRunner()


@pytest.fixture()
def site():
    news = NewsSite(feeds=3, items_per_day=2)
    yield news
    news.close()


def cli(index, *args, **kw):
    return runner.invoke(app, ["--index", str(index), "--set", "allow_private_urls=true", "--set", "fetch_timeout=2",
                               "--set", "fetch_deadline=4", *args], obj=given_parts(), **kw)


def test_subscriptions_add_list_remove_and_opml_round_trip(tmp_path):
    index = tmp_path / "index"
    assert cli(index, "feeds", "add", "http://example.com/a.xml", "--name", "A").exit_code == 0
    again = cli(index, "feeds", "add", "http://example.com/a.xml")
    assert again.exit_code == 2 and "already subscribed" in again.stderr
    assert cli(index, "feeds", "add", "not-a-url").exit_code == 2
    exported = cli(index, "feeds", "export").stdout
    assert "xmlUrl=\"http://example.com/a.xml\"" in exported
    other = tmp_path / "other"
    (tmp_path / "subs.opml").write_text(exported.replace("</body>", "<outline text='B' xmlUrl='http://example.com/b.xml'/></body>"))
    imported = cli(other, "feeds", "import", str(tmp_path / "subs.opml"))
    assert "2 feeds added, 0 already subscribed" in imported.stdout
    listing = cli(other, "feeds", "list").stdout
    assert "http://example.com/b.xml" in listing and "never" in listing
    assert cli(other, "feeds", "remove", "http://example.com/b.xml").exit_code == 0
    assert "b.xml" not in cli(other, "feeds", "list").stdout
    assert (other / "follow.sqlite3").is_file()


@pytest.mark.parametrize("content, reason", [("<opml><body><outline", "not valid XML"), ("<opml><body></body></opml>", "no feed outlines"),
                                             ("<rss/>", "not an OPML file")])
def test_bad_opml_gives_one_line(tmp_path, content, reason):
    (tmp_path / "x.opml").write_text(content)
    result = cli(tmp_path / "index", "feeds", "import", str(tmp_path / "x.opml"))
    assert result.exit_code == 2 and reason in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_update_ingests_new_items_and_then_costs_nothing(tmp_path, site):
    index = tmp_path / "index"
    for feed in range(3):
        cli(index, "feeds", "add", f"{site.base}/feed/{feed}")
    first = cli(index, "update", "-q")
    assert first.exit_code == 0, first.output
    assert "3 feeds: 6 new, 0 updated, 0 failed (0 not modified)" in first.stdout
    before = len(site.requests)
    second = cli(index, "update", "-q")
    assert "3 feeds: 0 new, 0 updated, 0 failed (3 not modified)" in second.stdout
    assert [status for _, status in site.requests[before:]] == [304, 304, 304]  # no page fetched again
    site.day = 1
    third = cli(index, "update", "-q")
    assert "6 new" in third.stdout
    fetched_pages = [path for path, _ in site.requests if path.startswith("/article/")]
    assert len(fetched_pages) == len(set(fetched_pages)) == 12  # each page fetched once
    assert "12 articles" in cli(index, "stats").stdout


def test_one_failing_feed_never_stops_the_others(tmp_path, site):
    index = tmp_path / "index"
    site.special.update({"/bad500": (500, b"boom", "text/plain"), "/notxml": (200, b"just text", "application/rss+xml"),
                         "/loop": (302, b"/loop", ""), "/slow": (-1, b"", ""),
                         "/huge": (200, b"<rss>" + b"x" * 3_000_000, "application/rss+xml")})
    for path in ["/feed/0", "/bad500", "/notxml", "/loop", "/slow", "/huge"]:
        cli(index, "feeds", "add", site.base + path)
    started = time.perf_counter()
    result = cli(index, "--set", "max_article_bytes=1000000", "update", "-q")
    assert time.perf_counter() - started < 30
    assert result.exit_code == 1 and "6 feeds: 2 new, 0 updated, 5 failed" in result.stdout, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert len(errors) == 5 and all(len(line) < 300 for line in errors)
    listing = cli(index, "feeds", "list").stdout
    assert "HTTP 500" in listing and "not an RSS/Atom feed" in listing


def test_items_whose_pages_fail_fall_back_or_are_reported(tmp_path, site):
    index = tmp_path / "index"
    site.special["/feed/9"] = (200, f"""<rss version='2.0'><channel><title>Mixed</title>
<item><title>Page gone but summary kept</title><link>{site.base}/gone1</link><description>The ferry fares rise by ten percent from June, the operator said on Monday.</description></item>
<item><title>Page gone, no summary</title><link>{site.base}/gone2</link></item>
</channel></rss>""".encode(), "application/rss+xml")
    cli(index, "feeds", "add", site.base + "/feed/9")
    result = cli(index, "update", "-q")
    assert "1 new" in result.stdout and "gone2" in result.stderr


@pytest.mark.slow
def test_killed_update_converges_without_duplicates(tmp_path):
    news = NewsSite(feeds=6, items_per_day=8)
    try:
        index = tmp_path / "index"
        for feed in range(6):
            cli(index, "feeds", "add", f"{news.base}/feed/{feed}")
        command = [sys.executable, "-m", "assistant.cli", "--index", str(index), "--set", "allow_private_urls=true",
                   "update", "--workers", "1"]
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while sum(p.startswith("/article/") for p, _ in news.requests) < 12 and time.time() < deadline:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        assert finished.returncode == 0, finished.stderr
        again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        assert "0 new, 0 updated, 0 failed" in again.stdout
        stats = subprocess.run([sys.executable, "-m", "assistant.cli", "--index", str(index), "stats"], cwd=ROOT,
                               capture_output=True, text=True).stdout
        assert stats.startswith("48 articles"), stats
    finally:
        news.close()


# --- feed health ---------------------------------------------------------------------------------------
def health_db(tmp_path):
    from assistant.follow.database import FollowDatabase
    return FollowDatabase(tmp_path / "follow.sqlite3")


def items_every(database, feed_id, gap_hours: float, count: int, first="2024-06-01T00:00:00+00:00"):
    from datetime import datetime, timedelta
    from assistant.follow.database import StoredItem
    start = datetime.fromisoformat(first)
    items = [StoredItem(f"k{n}", "f", f"a{n}", (start + timedelta(hours=gap_hours * n)).isoformat()) for n in range(count)]
    database.record_success(feed_id, items, title="Harbor Ledger", item_count=count, new=count)


def test_feed_health_reports_a_failing_feed_since_its_first_failure(tmp_path):
    from dataclasses import FrozenInstanceError, fields
    from datetime import datetime, timezone
    from assistant.follow.health import FeedProblem, feed_health
    database = health_db(tmp_path)
    feed = database.add_feed("http://example.com/a.xml")
    database.record_failure(feed.id, "http://example.com/a.xml: HTTP 500")
    database.record_failure(feed.id, "http://example.com/a.xml: HTTP 502")
    (problem,) = feed_health(database, datetime.now(timezone.utc))
    assert [f.name for f in fields(FeedProblem)] == ["url", "title", "reason", "since"]
    assert problem.url == "http://example.com/a.xml" and "HTTP 502" in problem.reason
    assert problem.since == datetime.now(timezone.utc).date().isoformat()
    with pytest.raises(FrozenInstanceError):
        problem.reason = "x"
    items_every(database, feed.id, 24, 5)  # a success clears it
    assert feed_health(database, datetime.now(timezone.utc)) == []


@pytest.mark.parametrize("gap_hours, days_later, quiet", [(24, 3, False), (24, 5, True), (1, 1.5, False), (1, 3, True),
                                                          (24 * 7, 20, False), (24 * 7, 30, True)])
def test_a_feed_is_quiet_relative_to_its_own_rhythm(tmp_path, gap_hours, days_later, quiet):
    from datetime import datetime, timedelta, timezone
    from assistant.follow.health import feed_health
    database = health_db(tmp_path)
    feed = database.add_feed("http://example.com/a.xml")
    items_every(database, feed.id, gap_hours, 10)
    problems = feed_health(database, datetime.now(timezone.utc) + timedelta(days=days_later))
    assert bool(problems) == quiet, problems
    if quiet:
        assert "nothing new for" in problems[0].reason and problems[0].title == "Harbor Ledger"


def test_a_feed_with_few_items_is_quiet_after_two_weeks(tmp_path):
    from datetime import datetime, timedelta, timezone
    from assistant.follow.health import feed_health
    database = health_db(tmp_path)
    feed = database.add_feed("http://example.com/a.xml")
    items_every(database, feed.id, 1, 2)
    assert feed_health(database, datetime.now(timezone.utc) + timedelta(days=13)) == []
    assert feed_health(database, datetime.now(timezone.utc) + timedelta(days=15))


def test_skipped_item_pages_are_a_problem_until_a_fetch_without_skips(tmp_path):
    from datetime import datetime, timezone
    from assistant.follow.health import feed_health
    database = health_db(tmp_path)
    feed = database.add_feed("http://example.com/a.xml")
    database.record_success(feed.id, [], item_count=3, pages_skipped=3, skip_reason="private address")
    (problem,) = feed_health(database, datetime.now(timezone.utc))
    assert problem.reason == "3 item pages skipped on the last fetch (private address)"
    database.record_success(feed.id, [], item_count=3)
    assert feed_health(database, datetime.now(timezone.utc)) == []


def test_an_older_database_gains_the_health_columns(tmp_path):
    import sqlite3
    from assistant.follow.database import SCHEMA
    path = tmp_path / "follow.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA)
        db.execute("INSERT INTO feeds (url, name, added_at) VALUES ('http://example.com/a.xml', 'A', '2024-01-01')")
    (feed,) = health_db(tmp_path).feeds()
    assert feed.name == "A" and feed.pages_skipped == 0 and feed.last_success is None
