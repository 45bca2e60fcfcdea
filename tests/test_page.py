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
from test_web_and_server import free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.llm, pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")]
SCREENS = OUTPUT / "screens"


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("page")
    index = folder / "index"
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


def test_eight_concurrent_clients_all_get_their_own_answers(page_url):
    from gradio_client import Client
    questions = ["Who leads the Quds Force now?", "How many lanterns will be released?", "What was the council vote on the chip plant?",
                 "Which river will the plant draw water from?", "What are the lanterns made of?", "Who did Rouhani speak with?",
                 "How much will the chip plant cost?", "Who organises the lantern festival?"]

    def one(question: str) -> tuple[str, str, float]:
        client = Client(page_url, verbose=False)
        started = time.perf_counter()
        # inputs: question, conversation, outlets, since, until (the per-session history is server-side state)
        chat, *_ = client.predict(question, [], [], "", "", api_name="/respond")
        return question, message_text(chat[-1]), time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, questions))
    latencies = sorted(r[2] for r in results)
    summary = f"8 concurrent clients: p50 {latencies[3]:.1f} s, p95 {latencies[-1]:.1f} s"
    print("\n" + summary)
    (OUTPUT / "load-test.txt").write_text(summary + "\n" + "\n".join(f"{q}\t{t:.1f}s\t{a}" for q, a, t in results))
    for question, answer, _ in results:
        assert answer and not answer.startswith("⚠️"), (question, answer)
    by_question = dict((q, a) for q, a, _ in results)
    assert "Qaani" in by_question["Who leads the Quds Force now?"]
    assert "3,000" in by_question["How many lanterns will be released?"]


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
    page.screenshot(path=str(SCREENS / "briefing.png"), full_page=True)
