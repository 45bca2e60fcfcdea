"""The page in headless Chromium (Debian's chromium).

With stand-in models (a scripted chat model, the hashing embedder) one page serves a test per behaviour: send,
stop, retry, edit, examples, follow-ups, the live header, delete with confirmation, readable columns, the Feeds
tab, named API endpoints, same-origin capped uploads, and screenshots of every tab in light and dark mode
(test-output/screenshots/). With the real models: cited answers, the briefing, and 8 concurrent clients.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from playwright.sync_api import expect

from conftest import FIXTURES, OUTPUT, ROOT, run_cli
from assistant.evals.feedsite import free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
SCREENS = OUTPUT / "screens"
SCREENSHOTS = OUTPUT / "screenshots"
WIDTH = 1280


# --- the page with stand-in models ----------------------------------------------------------------------------

ANSWERS = {  # the scripted model's reply by a word of the question (each close to what its passage says)
    "slowly": " ".join(["The new leader of the Quds Force, Ismail Qaani, released a statement on Thursday [1]."] * 12),
    "quds": "Ismail Qaani. The new leader of the Quds Force, Ismail Qaani, released a statement on Thursday [1].",
    "lantern": "About 3,000. About 3,000 paper lanterns will be released from the old stone bridge at dusk [1].",
}  # first match wins


def scripted_chat():
    """A chat model that answers by the question's words and streams word by word ("slowly": 0.25 s a word)."""
    from langchain_core.messages import AIMessageChunk
    from langchain_core.outputs import ChatGenerationChunk
    from fakes import FakeChatModel

    class ScriptedChat(FakeChatModel):
        def _reply(self, messages, **kwargs) -> str:
            self.calls.append({"messages": [m.content for m in messages]})
            asked = str(messages[-1].content).rsplit("Question:", 1)[-1].lower()
            return next((reply for word, reply in ANSWERS.items() if word in asked), "The articles do not say.")

        def _stream(self, messages, stop=None, run_manager=None, **kwargs):
            reply = self._reply(messages, **kwargs)
            pause = 0.25 if reply == ANSWERS["slowly"] else 0.0
            for word in reply.split(" "):
                time.sleep(pause)
                yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))
    return ScriptedChat()


class FakePage:
    def __init__(self, url: str, settings, services, chat):
        self.url, self.settings, self.services, self.chat = url, settings, services, chat


@pytest.fixture(scope="module")
def fake_page(tmp_path_factory):
    from fakes import FakeEmbeddings
    from assistant.services import build_services
    from assistant.settings import Settings
    from assistant.web.app import build_app, launch_options
    folder = tmp_path_factory.mktemp("fake-page")
    settings = Settings(index_dir=folder / "index", chroma_url=None, cache_dir=folder / "cache", max_article_bytes=200_000)
    chat = scripted_chat()
    services = build_services(settings, embeddings=FakeEmbeddings(), chat_model=chat)
    services.ingest([str(FIXTURES / "articles")], progress=False)
    demo = build_app(settings, services)
    port = free_port()
    demo.queue(default_concurrency_limit=8).launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                                                   quiet=True, **launch_options(settings, "127.0.0.1"))
    yield FakePage(f"http://127.0.0.1:{port}/", settings, services, chat)
    demo.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


def open_page(page, url: str, theme: str = "light"):
    page.goto(f"{url}?__theme={theme}")
    page.locator("#library-count").get_by_text("in the library").wait_for()
    return page


def send(page, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#question button.submit-button").click()


def user_messages(page) -> list[str]:
    return [m.inner_text() for m in page.locator("#chat [aria-label^=\"user's message\"]").all()]


def wait_for_citation(page) -> None:
    """Until the answer is complete: linked citations and the searched-for line come with its last update."""
    page.locator('#chat a[href^="#src-"]').first.wait_for()
    expect(page.locator("#searched")).to_contain_text("Searched for")


slow_browser = pytest.mark.slow


@slow_browser
def test_an_empty_chat_offers_questions_from_the_library_and_no_follow_up_label(fake_page, page):
    open_page(page, fake_page.url)
    examples = [e.inner_text() for e in page.locator("#chat .example").all()]
    assert len(examples) == 3 and examples[0].startswith("Summarize the article about "), examples
    titles = {a.title for a in fake_page.services.store.list_articles()}
    assert any(title in examples[0] for title in titles)
    assert "report about" in examples[1]
    assert not page.locator("#followups").is_visible() and page.get_by_text("Suggested follow-ups").count() == 0


@slow_browser
def test_send_streams_a_cited_answer_then_follow_ups_appear(fake_page, page):
    open_page(page, fake_page.url)
    send(page, "Who is the new leader of the Quds Force?")
    wait_for_citation(page)
    assert "Qaani" in page.locator("#chat").inner_text()
    page.locator("#followups").get_by_text("report about").first.wait_for()
    page.locator('#chat a[href^="#src-"]').first.click()
    assert "Qaani" in page.locator("#sources .source.active mark").inner_text()


@slow_browser
def test_stop_ends_a_streaming_answer_and_gives_send_back(fake_page, page):
    open_page(page, fake_page.url)
    send(page, "Tell me slowly who leads the Quds Force")
    stop = page.locator("#question button.stop-button")
    stop.wait_for()
    assert not page.locator("#question button.submit-button").is_visible()
    page.wait_for_function("document.querySelector('#chat').innerText.includes('Quds Force,')")
    stop.click()
    page.locator("#question button.submit-button").wait_for()
    def conversation() -> list[str]:  # the bubbles only: Gradio may label a cancelled output "Error" beside them
        return page.locator("#chat .message").all_inner_texts()
    shown = conversation()
    time.sleep(1.5)
    assert conversation() == shown  # no more words came after Stop
    assert "Quds Force," in shown[-1]
    assert "\n".join(shown).count("released a statement") < 12


@slow_browser
def test_retry_asks_the_last_question_again_without_repeating_it(fake_page, page):
    open_page(page, fake_page.url)
    send(page, "How many lanterns will be released?")
    wait_for_citation(page)
    calls = len(fake_page.chat.calls)
    page.locator("#chat button[aria-label='Retry']").last.click()
    page.wait_for_function(f"() => true", timeout=1000)
    deadline = time.time() + 30
    while len(fake_page.chat.calls) == calls and time.time() < deadline:
        time.sleep(0.2)
    wait_for_citation(page)
    assert len(fake_page.chat.calls) == calls + 1
    assert user_messages(page) == ["How many lanterns will be released?"]


@slow_browser
def test_editing_a_question_asks_the_edited_one(fake_page, page):
    open_page(page, fake_page.url)
    send(page, "How many lanterns will be released?")
    wait_for_citation(page)
    page.locator("#chat button[aria-label='Edit']").first.click()
    box = page.locator("#chat textarea").first
    box.fill("Who is the new leader of the Quds Force?")
    page.locator("#chat").get_by_role("button", name=re.compile("submit", re.I)).first.click()
    page.wait_for_function("document.querySelector('#chat').innerText.includes('Qaani')")
    assert user_messages(page) == ["Who is the new leader of the Quds Force?"]
    assert "3,000" not in page.locator("#chat").inner_text()


@slow_browser
def test_clicking_an_example_asks_it(fake_page, page):
    open_page(page, fake_page.url)
    example = page.locator("#chat .example").nth(2)
    text = example.inner_text()
    example.click()
    deadline = time.time() + 30
    while not user_messages(page) and time.time() < deadline:
        time.sleep(0.2)
    assert user_messages(page) == [text]


def upload(page, path) -> None:
    page.get_by_role("tab", name="Library").click()
    page.locator("#upload input[type=file]").set_input_files(str(path))
    page.locator("#upload").get_by_text(path.name).first.wait_for()
    page.locator("#ingest").click()


@slow_browser
def test_the_header_counts_live_and_an_upload_is_new_since_the_last_visit(fake_page, page, tmp_path):
    open_page(page, fake_page.url)  # this visit is remembered in the browser ...
    # ... once the page has written it to localStorage (after the load event: a reload before that has no last visit)
    page.wait_for_function("localStorage.getItem('news-assistant-last-visit') !== null")
    remembered_by = datetime.now(timezone.utc)  # the first visit's time (kept to the second) is no later than this
    before = len(fake_page.services.store.list_articles())
    open_page(page, fake_page.url)  # ... so the next one has a last visit to compare with
    assert f"{before} articles in the library" in page.locator("#library-count").inner_text()
    # Visits and ingests are stamped to the second: an upload in the very second of the last visit is not after it.
    # A person takes longer than that between opening the page and uploading; a fast test run may not.
    while datetime.now(timezone.utc) < remembered_by.replace(microsecond=0) + timedelta(seconds=1):
        time.sleep(0.05)
    story = tmp_path / "bakery.md"
    story.write_text("---\ntitle: Old Bakery Reopens on Quay Street\nsource: Quay Gazette\npublished_at: 2019-05-19\n---\n\n"
                     "The old bakery on Quay Street reopened on Sunday under new owners, who kept the wood-fired oven.\n")
    upload(page, story)
    page.wait_for_function("document.querySelector('#ingest-result').innerText.includes('1 new')")
    header = page.locator("#library-count")
    page.wait_for_function(f"document.querySelector('#library-count').innerText.includes('{before + 1} articles')")
    assert "1 new since your last visit" in header.inner_text() and "Old Bakery Reopens" in header.inner_text()
    assert "Old Bakery Reopens" in page.locator("#articles").inner_text()
    assert page.locator("#upload").get_by_text("bakery.md").count() == 0  # the box is cleared once ingested


@slow_browser
def test_delete_by_title_asks_first_and_names_what_it_deleted(fake_page, page, tmp_path):
    story = tmp_path / "ferry.md"
    story.write_text("---\ntitle: Night Ferry Crosses the Bay\nsource: Harbor Gazette\npublished_at: 2021-03-01\n---\n\n"
                     "A night ferry will cross the bay every forty minutes from March, the transit board said.\n")
    fake_page.services.ingest([str(story)], progress=False)
    open_page(page, fake_page.url)
    count = len(fake_page.services.store.list_articles())
    page.get_by_role("tab", name="Library").click()
    choice = page.locator("#delete-choice input")
    choice.click()
    page.get_by_role("option", name=re.compile("Night Ferry Crosses the Bay")).click()
    page.locator("#delete").click()
    question = page.locator("#delete-question")
    question.get_by_text("Night Ferry Crosses the Bay").wait_for()
    assert "cannot be undone" in question.inner_text()
    page.locator("#delete-cancel").click()
    page.locator("#delete-confirm").first.wait_for(state="hidden")
    assert len(fake_page.services.store.list_articles()) == count  # cancelled: nothing deleted
    page.locator("#delete").click()
    page.locator("#delete-yes").click()
    page.locator("#ingest-result").get_by_text("Deleted").wait_for()
    assert "Night Ferry Crosses the Bay" in page.locator("#ingest-result").inner_text()
    page.wait_for_function(f"document.querySelector('#library-count').innerText.includes('{count - 1} articles')")
    assert "Night Ferry" not in page.locator("#articles").inner_text()


@slow_browser
def test_library_columns_are_readable_at_1280_px(fake_page, page):
    open_page(page, fake_page.url)
    page.get_by_role("tab", name="Library").click()
    table = page.locator("#articles")
    table.get_by_text("Harbor Ledger").first.wait_for()
    for column in ("date", "title", "chunks", "id"):
        box = table.locator(f"th[title='{column}']").first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (column, box)
    article_id = fake_page.services.store.list_articles()[0].id
    boxes = [c.bounding_box() for c in table.get_by_text(article_id, exact=True).all() if c.is_visible()]
    assert any(b["x"] + b["width"] <= WIDTH for b in boxes), boxes  # the id is on screen, not cut off


@slow_browser
def test_url_rows_name_the_host_and_path(fake_page, page):
    open_page(page, fake_page.url)
    page.get_by_role("tab", name="Library").click()
    url = f"http://127.0.0.1:{free_port()}/news/2024/harbour-story.html"
    page.locator("#urls textarea").fill(url)
    page.locator("#ingest").click()
    expect(page.locator("#ingest-result")).to_contain_text("failed: ")
    assert f"{url.split('//')[1]}" in page.locator("#ingest-result").inner_text()


@slow_browser
def test_feeds_tab_subscribes_shows_the_last_fetch_and_its_error_and_unsubscribes(fake_page, page):
    open_page(page, fake_page.url)
    page.get_by_role("tab", name="Feeds").click()
    page.locator("#feed-url textarea, #feed-url input").first.fill("https://news.example.org/rss.xml")
    page.locator("#feed-name textarea, #feed-name input").first.fill("Example News")
    page.locator("#feed-add").click()
    expect(page.locator("#feed-message")).to_contain_text("Subscribed to")
    expect(page.locator("#feeds")).to_contain_text("never")
    database = fake_page.services.follow_db  # the page's own database, written as `assistant update` would
    feed = database.feed("https://news.example.org/rss.xml")
    database.record_failure(feed.id, "HTTP 503 from news.example.org")
    page.locator("#feed-refresh").click()
    expect(page.locator("#feeds")).to_contain_text("HTTP 503")
    page.locator("#feed-choice input").click()
    page.get_by_role("option", name=re.compile("Example News")).click()
    page.locator("#feed-remove").click()
    expect(page.locator("#feed-message")).to_contain_text("Unsubscribed from")
    expect(page.locator("#feeds")).not_to_contain_text("news.example.org")


@slow_browser
def test_the_api_names_every_endpoint_and_hides_delete_without_a_login(fake_page):
    from assistant.web.app import build_app
    info = requests.get(fake_page.url + "gradio_api/info", timeout=30).json()
    names = set(info["named_endpoints"])
    assert {"/ask", "/ingest", "/articles", "/briefing", "/feeds"} <= names, names
    assert not any(re.match(r"^/lambda", n) for n in names) and not {"/delete", "/feeds_remove"} & names, names
    guarded = build_app(fake_page.settings.model_copy(update={"web_username": "ed", "web_password": "s3cret-pass"}),
                        fake_page.services)
    assert {"/delete", "/feeds_remove"} <= set(guarded.get_api_info()["named_endpoints"])


def queue_call(url: str, fn_index: int, data: list, session: str) -> str:
    """One raw POST to Gradio's queue, as the page's own script sends it (no browser, no login): the result line."""
    joined = requests.post(url + "gradio_api/queue/join", timeout=30,
                           json={"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None, "trigger_id": None})
    assert joined.ok, joined.text
    with requests.get(url + f"gradio_api/queue/data?session_hash={session}", stream=True, timeout=60) as stream:
        return next(line.decode() for line in stream.iter_lines() if b"process_completed" in line)


@slow_browser
def test_a_raw_post_to_the_hidden_delete_deletes_nothing_without_the_question(fake_page, tmp_path):
    """"private" only hides an endpoint from the API page and the client libraries: the queue runs any handler.
    Without the login, one POST to delete is refused; the page's flow (question, then Yes) is what deletes."""
    story = tmp_path / "pier.md"
    story.write_text("---\ntitle: Pier Lights Return\nsource: Harbor Gazette\npublished_at: 2021-04-01\n---\n\n"
                     "The pier lights were switched on again on Friday after a winter of repairs, the port said.\n")
    fake_page.services.ingest([str(story)], progress=False)
    article = next(a.id for a in fake_page.services.store.list_articles() if a.title == "Pier Lights Return")
    count = len(fake_page.services.store.list_articles())
    config = requests.get(fake_page.url + "config", timeout=30).json()
    fn = {d.get("api_name"): d["id"] for d in config["dependencies"]}
    queue_call(fake_page.url, fn["articles"], [""], "raw")  # fills this session's delete choices
    refused = queue_call(fake_page.url, fn["delete"], [article, "", article], "raw")  # the state cannot be sent
    assert "Confirm first" in refused and len(fake_page.services.store.list_articles()) == count
    queue_call(fake_page.url, fn["delete_confirm"], [article], "raw")
    deleted = queue_call(fake_page.url, fn["delete"], [article, "", None], "raw")
    assert "Deleted" in deleted and len(fake_page.services.store.list_articles()) == count - 1  # not access control


@slow_browser
def test_uploads_come_only_from_the_page_and_are_capped(fake_page):
    upload_url = fake_page.url + "gradio_api/upload"
    small = {"files": ("story.txt", b"Title\n\nA short story about a harbour.\n", "text/plain")}
    assert requests.post(upload_url, files=small, timeout=30).ok  # no Origin: a client such as gradio_client
    same = requests.post(upload_url, files=small, headers={"Origin": fake_page.url.rstrip("/")}, timeout=30)
    assert same.ok, same.text
    other = requests.post(upload_url, files=small, headers={"Origin": "http://evil.example"}, timeout=30)
    assert other.status_code == 403
    sibling = requests.post(upload_url, files=small, headers={"Origin": "http://127.0.0.1:1"}, timeout=30)
    assert sibling.status_code == 403
    big = {"files": ("big.txt", b"word " * 60_000, "text/plain")}  # 300 kB over a 200 kB cap
    assert requests.post(upload_url, files=big, timeout=30).status_code == 413


def luminance(rgb: str) -> float:
    values = [int(v) / 255 for v in re.findall(r"[\d.]+", rgb)[:3]]
    linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


CONTRAST_JS = """el => {
  const background = node => { for (; node; node = node.parentElement) {
      const c = getComputedStyle(node).backgroundColor; if (c && !c.endsWith(', 0)') && c !== 'transparent') return c; }
    return getComputedStyle(document.body).backgroundColor; };
  return [getComputedStyle(el).color, background(el)]; }"""


def contrast(page, selector: str) -> float:
    color, background = page.locator(selector).first.evaluate(CONTRAST_JS)
    light, dark = sorted((luminance(color), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@slow_browser
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_tab_is_readable_in_light_and_dark_mode(fake_page, page, theme):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    database = fake_page.services.follow_db
    feed = database.add_feed(f"https://{theme}.example.org/rss.xml", "Example News")  # a feed with an error to show
    database.record_failure(feed.id, "HTTP 503 from the server")
    open_page(page, fake_page.url, theme)
    send(page, "Who is the new leader of the Quds Force?")
    wait_for_citation(page)
    page.locator('#chat a[href^="#src-"]').first.click()
    page.locator("#sources .source.active").wait_for()
    for selector in ("#library-count", "#sources .source-meta", "#sources .source-text mark", "#chat .message"):
        assert contrast(page, selector) >= 4.5, (theme, selector, contrast(page, selector))
    page.screenshot(path=str(SCREENSHOTS / f"chat-{theme}.png"), full_page=True)
    for tab in ("Briefing", "Stories", "Library", "Feeds"):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(400)
        if tab == "Library":
            page.locator("#articles").get_by_text("Harbor Ledger").first.wait_for()
            assert contrast(page, "#articles td") >= 4.5, (theme, "library table")
        if tab == "Feeds":
            expect(page.locator("#feeds")).to_contain_text("HTTP 503")
            assert contrast(page, "#feed-message, #feeds td") >= 4.5, (theme, "feeds")
        page.screenshot(path=str(SCREENSHOTS / f"{tab.lower()}-{theme}.png"), full_page=True)
    database.remove_feed(str(feed.id))


# --- the page with the real models ------------------------------------------------------------------------------

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
def browser_page(browser):
    """A page of the module's one browser: a second sync_playwright in the same thread fails while it runs."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


def ask(page, question: str) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")


@pytest.mark.llm
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


@pytest.mark.llm
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


@pytest.mark.llm
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
        job = client.submit(question, [], [], "", "", api_name="/ask")
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
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "load-test.txt").write_text(summary + "\n" + "\n".join(f"{q}\t{f:.1f}s\t{t:.1f}s\t{a}" for q, a, f, t in results))
    for question, answer, _, _ in results:
        assert answer and not answer.startswith("⚠️") and refusal not in answer, (question, answer)
    by_question = {q: a for q, a, _, _ in results}
    assert "Qaani" in by_question["Who leads the Quds Force now?"]
    assert "3,000" in by_question["How many lanterns will be released?"]
    # served in turn: answers finish one after another, not all together at the end
    assert totals[0] < totals[-1] / 2, totals


@pytest.mark.llm
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


@pytest.mark.llm
def test_page_api_refuses_server_paths_and_non_http_urls(page_url, tmp_path):
    secret = tmp_path / "creds.md"
    secret.write_text("---\ntitle: Server credentials\n---\n\nThe admin password of this server is hunter2-secret.\n")
    payload = {"data": [[{"path": str(secret), "meta": {"_type": "gradio.FileData"}}], f"{secret}\nfile:///etc/hostname", ""]}
    started = requests.post(page_url + "gradio_api/call/ingest", json=payload, timeout=30)
    if started.ok:
        event = started.json()["event_id"]
        stream = requests.get(page_url + f"gradio_api/call/ingest/{event}", timeout=120).text
        assert "hunter2" not in stream and "0 new" in stream or "error" in stream
    listing = requests.post(page_url + "gradio_api/call/articles", json={"data": ["credentials"]}, timeout=30)
    if listing.ok:
        event = listing.json()["event_id"]
        assert "Server credentials" not in requests.get(page_url + f"gradio_api/call/articles/{event}", timeout=60).text


@pytest.mark.llm
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


@pytest.mark.llm
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
