"""Following feeds: subscriptions in SQLite, OPML, a polite update (conditional GET), faults, a killed update."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from conftest import ROOT
from assistant.evals.feedsite import NewsSite

runner = CliRunner()


@pytest.fixture()
def site():
    news = NewsSite(feeds=3, items_per_day=2)
    yield news
    news.close()


def cli(index, *args, **kw):
    return runner.invoke(app, ["--index", str(index), "--set", "allow_private_urls=true", "--set", "fetch_timeout=2",
                               "--set", "fetch_deadline=4", *args], **kw)


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
