"""The Gradio page in headless Chromium (Debian's chromium), and 8 concurrent chat clients."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import FIXTURES, OUTPUT, ROOT, run_cli
from assistant.evals.feedsite import free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.llm, pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")]
SCREENS = OUTPUT / "screens"


PAGE_INDEX: dict[str, object] = {}


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("page")
    index = folder / "index"
    PAGE_INDEX["path"] = index
    run_cli("--index", str(index), "ingest", "-q", str(FIXTURES / "articles"), check=True)
    port = free_port()
    log = open(folder / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "--index", str(index), "serve", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"})
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=2).ok:
                break
        except requests.RequestException:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("page did not start: " + (folder / "serve.log").read_text()[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture()
def browser_page():
    from playwright.sync_api import sync_playwright
    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield page
        browser.close()


def ask(page, question: str) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")


def test_chat_streams_a_cited_answer_and_citation_opens_the_passage(page_url, browser_page):
    page = browser_page
    page.goto(page_url)
    ask(page, "Who is the new leader of the Quds Force?")
    citation = page.locator('#chat a[href^="#src-"]').first
    citation.wait_for(timeout=240_000)
    assert "Qaani" in page.locator("#chat").inner_text()
    assert "Searched for" in page.locator("#searched").inner_text()
    citation.click()
    active = page.locator("#sources .source.active")
    active.wait_for(timeout=10_000)
    assert "Qaani" in active.locator("mark").inner_text()
    assert "The New York Times" in active.inner_text()
    page.screenshot(path=str(SCREENS / "chat.png"), full_page=True)
    # a follow-up that refers back is rewritten before searching
    ask(page, "What did he say the ultimate goal was?")
    page.wait_for_function("document.querySelector('#searched').innerText.includes('Qaani')", timeout=240_000)


def test_library_upload_ingests_and_lists_the_article(page_url, browser_page, tmp_path):
    page = browser_page
    page.goto(page_url)
    page.get_by_role("tab", name="Library").click()
    upload = tmp_path / "bakery.md"
    upload.write_text("---\ntitle: Old Bakery Reopens on Quay Street\nsource: Quay Gazette\npublished_at: 2024-05-19\n---\n\n"
                      "The old bakery on Quay Street reopened on Sunday under new owners, who kept the wood-fired oven.\n")
    page.locator("#upload input[type=file]").set_input_files(str(upload))
    page.wait_for_timeout(1500)
    page.locator("#ingest").click()
    page.wait_for_function("document.querySelector('#ingest-result').innerText.includes('1 new')", timeout=120_000)
    assert "Old Bakery Reopens" in page.locator("#articles").inner_text()
    page.screenshot(path=str(SCREENS / "library.png"), full_page=True)


def message_text(message) -> str:
    content = message.get("content") if isinstance(message, dict) else message
    if isinstance(content, list):
        return " ".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return str(content)


def test_eight_concurrent_clients_are_served_in_turn_with_their_own_answers(page_url, tmp_path):
    from gradio_client import Client
    questions = ["Who leads the Quds Force now?", "How many lanterns will be released?", "What was the council vote on the chip plant?",
                 "Which river will the plant draw water from?", "What are the lanterns made of?", "Who did Rouhani speak with?",
                 "How much will the chip plant cost?", "Who organises the lantern festival?"]
    refusal = "The articles do not contain the answer"

    def one(question: str) -> tuple[str, str, float, float]:
        client = Client(page_url, verbose=False)
        started = time.perf_counter()
        first = None
        # inputs: question, conversation, outlets, since, until (the per-session history is server-side state)
        job = client.submit(question, [], [], "", "", api_name="/respond")
        for update in job:
            chat = update[0]
            if first is None and chat and message_text(chat[-1]).strip() not in ("", "…"):
                first = time.perf_counter() - started
        chat = job.outputs()[-1][0]
        total = time.perf_counter() - started
        return question, message_text(chat[-1]), first or total, total

    # a CLI ingest into the page's index while the eight clients chat: it waits for the lock or writes, never loses
    extra = tmp_path / "harbour-ferry.md"
    extra.write_text("---\ntitle: Harbor City Adds a Night Ferry\nsource: Harbor Gazette\npublished_at: 2020-01-10\n---\n\n"
                     "Harbor City will run a night ferry across the bay from March, the transit board said on Friday. "
                     "The ferry will leave the old pier every forty minutes until two in the morning.\n")
    before = run_cli("--index", str(PAGE_INDEX["path"]), "stats", check=True).stdout
    with ThreadPoolExecutor(max_workers=9) as pool:
        ingest = pool.submit(run_cli, "--index", str(PAGE_INDEX["path"]), "ingest", "-q", str(extra))
        results = list(pool.map(one, questions))
        ingested = ingest.result()
    assert ingested.returncode == 0, ingested.stderr
    checked = run_cli("--index", str(PAGE_INDEX["path"]), "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    after = run_cli("--index", str(PAGE_INDEX["path"]), "stats", check=True).stdout
    assert int(after.split()[0]) == int(before.split()[0]) + 1, (before, after)
    found = run_cli("--index", str(PAGE_INDEX["path"]), "search", "night ferry across the bay", "-k", "1", check=True).stdout
    assert "Night Ferry" in found, found
    firsts = sorted(r[2] for r in results)
    totals = sorted(r[3] for r in results)
    summary = (f"8 concurrent clients: first token p50 {firsts[3]:.1f} s, total p50 {totals[3]:.1f} s, p95 {totals[-1]:.1f} s, "
               f"throughput {8 / totals[-1] * 60:.1f} answers/min")
    print("\n" + summary)
    (OUTPUT / "load-test.txt").write_text(summary + "\n" + "\n".join(f"{q}\t{f:.1f}s\t{t:.1f}s\t{a}" for q, a, f, t in results))
    for question, answer, _, _ in results:
        assert answer and not answer.startswith("⚠️") and refusal not in answer, (question, answer)
    by_question = {q: a for q, a, _, _ in results}
    assert "Qaani" in by_question["Who leads the Quds Force now?"]
    assert "3,000" in by_question["How many lanterns will be released?"]
    # served in turn: answers finish one after another, not all together at the end
    assert totals[0] < totals[-1] / 2, totals


def test_hostile_titles_and_links_stay_inert_in_the_browser(page_url, browser_page, tmp_path):
    page = browser_page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(page_url)
    page.get_by_role("tab", name="Library").click()
    hostile = tmp_path / "hostile.md"
    hostile.write_text("---\ntitle: \"<img src=x onerror=alert(1)> Ferry <script>alert(2)</script> strike ends\"\n"
                       "source: \"<b onmouseover=alert(3)>Quay Gazette</b>\"\nurl: \"javascript:alert(4)\"\n"
                       "published_at: 2024-05-19\n---\n\nThe ferry strike in Quay Street ended on Sunday after the operator "
                       "agreed to a pay rise of four percent, the union said.\n")
    page.locator("#upload input[type=file]").set_input_files(str(hostile))
    page.wait_for_timeout(1500)
    page.locator("#ingest").click()
    page.wait_for_function("document.querySelector('#ingest-result').innerText.includes('1 new')", timeout=120_000)
    page.get_by_role("tab", name="Chat").click()
    ask(page, "How much of a pay rise ended the ferry strike?")
    page.locator('#chat a[href^="#src-"]').first.wait_for(timeout=240_000)
    page.locator('#chat a[href^="#src-"]').first.click()
    page.wait_for_timeout(1000)
    assert dialogs == []
    assert page.locator('a[href^="javascript:"]').count() == 0
    assert "onerror" not in page.locator("#sources").evaluate("el => el.innerHTML").replace("&lt;", "<").split("<img")[0] or \
        page.locator("#sources img").count() == 0


def test_page_api_refuses_server_paths_and_non_http_urls(page_url, tmp_path):
    secret = tmp_path / "creds.md"
    secret.write_text("---\ntitle: Server credentials\n---\n\nThe admin password of this server is hunter2-secret.\n")
    payload = {"data": [[{"path": str(secret), "meta": {"_type": "gradio.FileData"}}], f"{secret}\nfile:///etc/hostname"]}
    started = requests.post(page_url + "gradio_api/call/run_ingest", json=payload, timeout=30)
    if started.ok:
        event = started.json()["event_id"]
        stream = requests.get(page_url + f"gradio_api/call/run_ingest/{event}", timeout=120).text
        assert "hunter2" not in stream and "0 new" in stream or "error" in stream
    listing = requests.post(page_url + "gradio_api/call/articles_table", json={"data": ["credentials"]}, timeout=30)
    if listing.ok:
        event = listing.json()["event_id"]
        assert "Server credentials" not in requests.get(page_url + f"gradio_api/call/articles_table/{event}", timeout=60).text


def test_briefing_tab_writes_a_briefing_with_downloads(page_url, browser_page):
    page = browser_page
    page.goto(page_url)
    page.get_by_role("tab", name="Briefing").click()
    page.locator("#briefing-day textarea, #briefing-day input").first.fill("2020-01-09")
    page.locator("#briefing-go").click()
    page.wait_for_function("document.querySelector('#briefing-view').innerText.includes('Briefing for 2020-01-09')", timeout=300_000)
    view = page.locator("#briefing-view").inner_text()
    assert "1 articles from 1 outlets" in view and "The New York Times" in view
    assert page.locator("#briefing-md a, #briefing-md [download]").count() >= 1
    assert "Day cut in" not in view  # no internal detail on the reader's page
    page.screenshot(path=str(SCREENS / "briefing.png"), full_page=True)
    # the archive keeps it: pick the day, read it, see what changed since the day before
    page.locator("#archive").click()
    page.locator("#archive-refresh").click()
    page.wait_for_timeout(1500)
    box = page.locator("#archive-day input")
    box.click()
    box.fill("2020-01-09")
    page.wait_for_timeout(500)
    box.press("Enter")
    page.wait_for_function("document.querySelector('#archive-view').innerText.includes('Briefing for 2020-01-09')", timeout=30_000)
    assert "First briefing in the archive" in page.locator("#archive-changes").inner_text()


def test_chat_summarizes_on_request_and_offers_follow_ups(page_url, browser_page):
    page = browser_page
    page.goto(page_url)
    ask(page, "Summarize the article about Iran's mixed message")
    page.wait_for_function("document.querySelector('#chat').innerText.includes('Summary of')", timeout=300_000)
    assert page.locator('#chat a[href^="#src-"]').count() >= 1
    ask(page, "Who is the new leader of the Quds Force?")
    page.locator("#followups button, #followups td, #followups tr").first.wait_for(timeout=300_000)
    suggestion = page.locator("#followups button, #followups td").first
    text = suggestion.inner_text()
    suggestion.click()
    page.wait_for_function(f"document.querySelector('#chat').innerText.split({text!r}).length > 1", timeout=300_000)
