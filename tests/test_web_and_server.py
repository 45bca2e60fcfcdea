"""URLs and feeds from a local HTTP server; a real `chroma run` server as the store."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from assistant.ingest.sources import Limits, load_inputs

LOCAL = Limits(allow_private_urls=True)  # the test site runs on this machine
from assistant.evals.feedsite import free_port
from conftest import FIXTURES, run_cli, serve_http

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Harbor Ledger</title><link>{base}/</link><description>Local news</description>
<item><title>Lantern Festival Returns to the Kestrel River</title><link>{base}/river-festival.html</link>
<pubDate>Sat, 18 May 2024 07:30:00 GMT</pubDate><description>Lanterns are back.</description></item>
<item><title>Council Meets on Budget</title><link>{base}/gone.html</link>
<pubDate>Sun, 19 May 2024 07:30:00 GMT</pubDate><description>The council will meet on Wednesday to vote on the 2025 budget, which grows by four percent.</description></item>
</channel></rss>
"""


@pytest.fixture()
def site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(FIXTURES / "articles" / "river-festival.html", root)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    (root / "feed.xml").write_text(FEED.format(base=base))
    (root / "broken-feed.xml").write_text("<rss><channel><item>never closed")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    with serve_http(handler, port):
        yield base


def test_url_is_fetched_and_extracted(site):
    (result,) = load_inputs([f"{site}/river-festival.html"])
    (article,) = result.articles
    assert article.title == "Lantern Festival Returns to the Kestrel River"
    assert article.url == f"{site}/river-festival.html"
    assert "rice paper" in article.body


def test_feed_items_are_fetched_as_articles(site):
    results = list(load_inputs([f"{site}/feed.xml"], LOCAL))
    articles = [a for r in results for a in r.articles]
    titles = {a.title: a for a in articles}
    assert "Lantern Festival Returns to the Kestrel River" in titles
    assert "rice paper" in titles["Lantern Festival Returns to the Kestrel River"].body  # the linked page, not the summary
    # the second item's page is missing: its summary stands in rather than losing the item
    assert "four percent" in titles["Council Meets on Budget"].body
    assert titles["Council Meets on Budget"].published_at.isoformat().startswith("2024-05-19T07:30")


def test_feed_items_pointing_at_private_addresses_are_not_fetched_by_default(site):
    (result,) = load_inputs([f"{site}/feed.xml"])  # the feed URL was typed by the user: fetched
    # its items link to 127.0.0.1: not fetched; an item with a usable summary keeps it, the other is reported
    assert all("rice paper" not in a.body for a in result.articles)
    assert [a.title for a in result.articles] == ["Council Meets on Budget"]
    (error,) = result.errors
    assert "river-festival.html" in error and "private network" in error


def test_bad_urls_get_one_line_errors(site):
    unreachable = f"http://127.0.0.1:{free_port()}/story"
    results = list(load_inputs([unreachable, f"{site}/broken-feed.xml", f"{site}/missing.html"], Limits(timeout=5)))
    errors = [e for r in results for e in r.errors]
    assert [a for r in results for a in r.articles] == []
    assert len(errors) == 3 and all("\n" not in e for e in errors)
    assert unreachable in errors[0]
    assert "broken-feed.xml" in errors[1]
    assert "missing.html" in errors[2] and "404" in errors[2]


@pytest.fixture()
def chroma_server(tmp_path):
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        pytest.skip("chroma CLI not installed in this environment")
    port = free_port()
    server = subprocess.Popen([str(chroma), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if requests.get(f"{url}/api/v2/heartbeat", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            pytest.fail("chroma server did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.server
def test_chroma_server_mode(tmp_path, chroma_server):
    env = {"ASSISTANT_CHROMA_URL": chroma_server, "ASSISTANT_INDEX_DIR": str(tmp_path / "unused")}
    first = run_cli("ingest", "-q", str(FIXTURES / "articles"), env=env, check=True)
    assert "3 new" in first.stdout
    again = run_cli("ingest", "-q", str(FIXTURES / "articles"), env=env, check=True)
    assert "3 unchanged" in again.stdout
    found = run_cli("search", "rice paper lanterns", "-k", "1", env=env, check=True).stdout
    assert "Lantern Festival" in found
    assert not (tmp_path / "unused").exists()  # nothing went to the on-disk store


@pytest.mark.server
def test_parallel_ingest_workers_share_one_chroma_server(tmp_path, chroma_server):
    """docs/scale.md: workers on separate inputs write one server at once; nothing is lost or duplicated."""
    from concurrent.futures import ThreadPoolExecutor
    shares = []
    for worker in range(2):
        folder = tmp_path / f"share{worker}"
        folder.mkdir()
        for n in range(6):
            (folder / f"w{worker}-{n}.md").write_text(
                f"---\ntitle: Worker {worker} report {n}\nsource: Wire {worker}\npublished_at: 2024-03-0{n + 1}\n---\n\n"
                f"The harbour board of town {worker}{n} said on Monday that ferry number {worker}{n} will run again "
                f"from April, after repairs that took {n + 2} months and cost {n + 1} million dollars.\n")
        shares.append(folder)
    env = {"ASSISTANT_CHROMA_URL": chroma_server}
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda folder: run_cli("ingest", "-q", str(folder), env=env), shares))
    for result in results:
        assert result.returncode == 0 and "6 new" in result.stdout, result.stdout + result.stderr
    stats = run_cli("stats", env=env, check=True).stdout
    assert stats.startswith("12 articles, 12 chunks"), stats
    assert run_cli("check", env=env).returncode == 0
    with ThreadPoolExecutor(max_workers=2) as pool:  # again, at once: idempotent
        again = list(pool.map(lambda folder: run_cli("ingest", "-q", str(folder), env=env), shares))
    assert all("6 unchanged" in r.stdout for r in again), [r.stdout for r in again]
    found = run_cli("search", "ferry number 13", "-k", "1", env=env, check=True).stdout
    assert "Worker 1 report 3" in found, found


def test_unreachable_chroma_server_is_one_line_error(tmp_path):
    result = run_cli("stats", env={"ASSISTANT_CHROMA_URL": f"http://127.0.0.1:{free_port()}"})
    assert result.returncode != 0
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "127.0.0.1" in lines[0], result.stderr
