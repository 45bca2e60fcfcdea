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


# --- the page's server: proxies, origins, labels (no browser) ------------------------------------------------------

@pytest.mark.slow
def test_the_page_starts_with_a_proxy_in_the_environment(tmp_path, monkeypatch):
    """Gradio checks its own URL at start-up through any http_proxy; with no NO_PROXY that check used to fail."""
    from fakes import FakeEmbeddings
    from assistant.services import build_services
    from assistant.settings import Settings
    from assistant.web.app import build_app, launch_options
    dead_proxy = f"http://127.0.0.1:{free_port()}"
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, dead_proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(index_dir=tmp_path / "index", chroma_url=None, cache_dir=tmp_path / "cache")
    demo = build_app(settings, build_services(settings, embeddings=FakeEmbeddings()))
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **launch_options(settings, "127.0.0.1"))
    try:
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=10).ok  # direct: loopback bypasses the proxy now
        # a website rebound to 127.0.0.1 reaches the port under its own name: the running page refuses it
        rebound = requests.get(f"http://127.0.0.1:{port}/config", headers={"Host": f"evil.test:{port}"}, timeout=10)
        assert rebound.status_code == 421, rebound.status_code
    finally:
        demo.close()


@pytest.mark.parametrize("origin, host, same", [
    ("http://127.0.0.1:7860", "127.0.0.1:7860", True), ("http://127.0.0.1:9999", "127.0.0.1:7860", False),
    ("https://news.example", "news.example", True), ("http://news.example", "news.example:443", False),
    ("null", "127.0.0.1:7860", False), ("http://[::1]:7860", "[::1]:7860", True), ("http://evil.example", "127.0.0.1", False),
])
def test_same_origin_compares_scheme_host_and_port(origin, host, same):
    from assistant.web.guard import same_origin
    assert same_origin(origin, host) is same


def test_proxy_bypass_keeps_what_was_there(monkeypatch):
    import os
    from assistant.web.guard import loopback_without_proxy
    monkeypatch.setenv("NO_PROXY", "internal.example")
    monkeypatch.delenv("no_proxy", raising=False)
    loopback_without_proxy("192.168.1.5")
    parts = os.environ["NO_PROXY"].split(",")
    assert parts[0] == "internal.example" and {"127.0.0.1", "localhost", "::1", "192.168.1.5"} <= set(parts)
    assert os.environ["no_proxy"] == os.environ["NO_PROXY"]


def test_page_tables_name_urls_by_host_and_path():
    from assistant.web.common import input_label
    assert input_label("https://news.example.org/2024/05/harbour-story.html?utm=x") == "news.example.org/2024/05/harbour-story.html"
    assert input_label("/tmp/gradio/abc/bakery.md") == "bakery.md"


def test_the_header_counts_and_lists_what_was_added_since_the_last_visit():
    from assistant.web.app import header_text
    rows = [{"title": "Old Bakery Reopens", "outlet": "Quay Gazette", "date": "2019-05-19", "published": "2019-05-19T00:00:00+00:00",
             "added": "2026-01-02T10:00:00+00:00"},
            {"title": "Ferry", "outlet": "Harbor Ledger", "date": "2020-01-01", "published": "2020-01-01T00:00:00+00:00",
             "added": "2025-12-01T10:00:00+00:00"}]
    assert header_text(rows, None) == "**2 articles in the library.**"
    fresh = header_text(rows, "2026-01-01T00:00:00+00:00")
    assert "1 new since your last visit" in fresh and "Old Bakery Reopens" in fresh and "Ferry" not in fresh
    assert "Nothing new since your last visit" in header_text(rows, "2026-02-01T00:00:00+00:00")


def test_the_page_deletes_only_the_article_its_question_named():
    from assistant.web.library_tab import delete_refusal
    assert delete_refusal("a-1", "a-1", api_open=False) is None  # Delete…, then Yes: the page's own flow
    assert "Confirm first" in delete_refusal("a-1", "", api_open=False)  # one raw POST to the queue, no login
    assert "Confirm first" in delete_refusal("a-2", "a-1", api_open=False)  # the choice changed after the question
    assert "Confirm first" in delete_refusal("a-2", "a-1", api_open=True)
    assert delete_refusal("a-1", "", api_open=True) is None  # behind the login, API clients delete directly


def test_cross_origin_writes_and_oversized_uploads_are_refused_before_the_app():
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient
    from assistant.web.guard import MAX_FILES_PER_UPLOAD, SameOriginUploads
    seen = []

    async def handler(request):
        seen.append(request.url.path)
        return PlainTextResponse("ok")
    inner = Starlette(routes=[Route("/gradio_api/upload", handler, methods=["POST", "GET"])])
    client = TestClient(SameOriginUploads(inner, max_bytes=1000), base_url="http://127.0.0.1:7860")
    assert client.post("/gradio_api/upload", content=b"x").status_code == 200  # no Origin: not a browser on another site
    assert client.post("/gradio_api/upload", content=b"x", headers={"Origin": "http://127.0.0.1:7860"}).status_code == 200
    assert client.post("/gradio_api/upload", content=b"x", headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.post("/gradio_api/upload", content=b"x", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    behind_proxy = {"Origin": "https://news.example.org", "X-Forwarded-Host": "news.example.org"}
    assert client.post("/gradio_api/upload", content=b"x", headers=behind_proxy).status_code == 200
    too_big = b"x" * (1000 * MAX_FILES_PER_UPLOAD + 70_000)
    assert client.post("/gradio_api/upload", content=too_big).status_code == 413
    assert client.get("/gradio_api/upload", headers={"Origin": "http://evil.example"}).status_code == 200  # reads pass
    assert len(seen) == 4


def test_on_loopback_only_this_machines_names_and_the_listed_ones_are_answered():
    """DNS rebinding: a website that points its own name at 127.0.0.1 sends that name as Host and Origin, which
    an origin check accepts; the host guard refuses it, reads included."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient
    from assistant.api.guard import LoopbackHostGuard, allowed_host_names

    async def handler(request):
        return PlainTextResponse("ok")
    inner = Starlette(routes=[Route("/", handler, methods=["GET", "POST"])])
    client = TestClient(LoopbackHostGuard(inner, allowed_host_names("news.example.org, Proxy.Local:8443")),
                        base_url="http://127.0.0.1:7860")
    for host in ("127.0.0.1:7860", "localhost:7860", "[::1]:7860", "localhost", "app.localhost:7860",
                 "news.example.org", "proxy.local:8443"):
        assert client.get("/", headers={"Host": host}).status_code == 200, host
    rebound = {"Host": "evil.test:7860", "Origin": "http://evil.test:7860"}
    refused = client.post("/", headers=rebound)
    assert refused.status_code == 421 and "evil.test" in refused.text and "allowed_hosts" in refused.text
    assert client.get("/", headers={"Host": "127.0.0.1.evil.test"}).status_code == 421
    bound_elsewhere = TestClient(LoopbackHostGuard(inner, allowed_host_names(None, "127.0.0.2")), base_url="http://127.0.0.2:7860")
    assert bound_elsewhere.get("/", headers={"Host": "127.0.0.2:7860"}).status_code == 200  # the bound address itself


def test_the_page_guards_host_names_on_loopback_and_not_on_a_public_bind():
    from assistant.settings import Settings
    from assistant.web.app import launch_options
    names = lambda host: [m.cls.__name__ for m in launch_options(Settings(), host)["app_kwargs"]["middleware"]]
    assert names("127.0.0.1") == ["LoopbackHostGuard", "SameOriginUploads"]
    assert names("0.0.0.0") == ["SameOriginUploads"]  # names unknown: the login guards a public bind
