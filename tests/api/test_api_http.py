"""The HTTP API against a running server: the `openai` client on /v1 (streaming and not), plain JSON routes,
the bearer token; fake models in the fast tier."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from assistant.api.guard import bind_problem, is_loopback
from assistant.api.http import build_app
from conftest import FIXTURES

QUESTION = "How many people will the Veridian chip plant employ?"
REPLY = "About 1,200 people. Veridian Microsystems said it would employ about 1,200 people once it opens in 2028 [1]."


@contextmanager
def serve_asgi(app) -> Iterator[str]:
    """An ASGI app under uvicorn on a thread, on a free loopback port; yields its base URL."""
    import uvicorn
    from assistant.evals.feedsite import free_port
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def served(tmp_path_factory, embeddings):
    from assistant.services import build_services
    from assistant.settings import Settings
    from fakes import FakeChatModel
    settings = Settings(index_dir=tmp_path_factory.mktemp("api") / "index", chroma_url=None)
    services = build_services(settings, embeddings=embeddings, chat_model=FakeChatModel(replies=[REPLY]))
    assert services.ingest([str(FIXTURES / "articles")], progress=False).count("new") == 3
    with serve_asgi(build_app(services, token="s3cret")) as base:
        yield base, services


def client(base: str, key: str = "s3cret"):
    from openai import OpenAI
    return OpenAI(base_url=f"{base}/v1", api_key=key, max_retries=0, timeout=30)


def test_the_openai_client_lists_the_model_and_gets_a_cited_answer(served):
    base, services = served
    api = client(base)
    assert [m.id for m in api.models.list().data] == ["news-assistant"]
    reply = api.chat.completions.create(model="news-assistant", messages=[{"role": "user", "content": QUESTION}])
    text = reply.choices[0].message.content
    expected = services.answer_chain.ask(QUESTION).to_json()  # what `assistant ask --json` prints
    assert text.startswith(expected["answer"]) and "\n\nSources:\n[1] Harbor City Approves Chip Plant" in text
    citations = reply.model_extra["citations"]
    assert citations == expected["citations"] and "1,200" in citations[0]["text"]
    assert reply.model_extra["news_assistant"]["refused"] is False


def test_streaming_sends_the_checked_answer_then_its_citations(served):
    base, _ = served
    stream = client(base).chat.completions.create(model="news-assistant", stream=True, messages=[
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "What is the chip plant?"},
        {"role": "assistant", "content": "A plant [1].\n\nSources:\n[1] Harbor City Approves Chip Plant"},
        {"role": "user", "content": [{"type": "text", "text": QUESTION}]}])
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text.startswith("About 1,200 people.") and "Sources:" in text
    assert chunks[-1].choices[0].finish_reason == "stop" and chunks[-1].model_extra["citations"][0]["n"] == 1


def test_a_bad_request_is_one_openai_style_error(served):
    from openai import AuthenticationError, BadRequestError
    base, _ = served
    with pytest.raises(BadRequestError, match="the question is empty"):
        client(base).chat.completions.create(model="x", messages=[{"role": "user", "content": " "}])
    with pytest.raises(BadRequestError, match="last message must be the user"):
        client(base).chat.completions.create(model="x", messages=[{"role": "assistant", "content": "hi"}])
    with pytest.raises(AuthenticationError):
        client(base, key="wrong").models.list()
    assert requests.get(f"{base}/api/briefings", timeout=10).status_code == 401


def test_the_json_routes_search_summarize_list_and_brief(served):
    base, services = served
    auth = {"Authorization": "Bearer s3cret"}
    found = requests.get(f"{base}/api/search", params={"q": "chip plant jobs", "k": 2}, headers=auth, timeout=30).json()
    chip = found["passages"][0]["article_id"]
    assert found["passages"][0]["title"].startswith("Harbor City Approves Chip Plant")
    assert requests.post(f"{base}/api/ask", json={"question": QUESTION}, headers=auth, timeout=30).json()["answer"] \
        == services.answer_chain.ask(QUESTION).answer
    summary = requests.post(f"{base}/api/summaries", json={"article": chip, "length": "line"}, headers=auth, timeout=30)
    assert summary.status_code == 200 and summary.json()["article_id"] == chip
    listed = requests.get(f"{base}/api/articles", params={"limit": 2}, headers=auth, timeout=30).json()
    assert listed["total"] == 3 and len(listed["articles"]) == 2
    day = services.store.articles(article_ids=[chip])[0].published_at[:10]
    assert requests.get(f"{base}/api/briefings/{day}", headers=auth, timeout=30).status_code == 404
    written = requests.post(f"{base}/api/briefings", json={"day": day}, headers=auth, timeout=60).json()
    assert written["day"] == day and written["archived"] is True and written["audio"] is None
    assert requests.get(f"{base}/api/briefings", headers=auth, timeout=30).json() == {"days": [day]}
    stored = requests.get(f"{base}/api/briefings/{day}", headers=auth, timeout=30).json()
    assert stored["markdown"] == written["markdown"] and all("centroid" not in s for s in stored["stories"])
    bad = requests.get(f"{base}/api/briefings/not-a-day", headers=auth, timeout=30)
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["error"]["message"]
    assert requests.get(f"{base}/api/briefings/{day}/audio", headers=auth, timeout=30).status_code == 404


def test_loopback_is_open_and_any_other_address_needs_a_token():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and not is_loopback("0.0.0.0")
    assert bind_problem("127.0.0.1", None) == "" and bind_problem("0.0.0.0", "t") == ""
    assert "set api_token" in bind_problem("0.0.0.0", None) and "192.168.1.5" in bind_problem("192.168.1.5", None)


def test_the_app_mounts_inside_another(served):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    _, services = served
    outer = FastAPI()
    outer.mount("/assistant", build_app(services))
    listed = TestClient(outer).get("/assistant/v1/models")
    assert listed.status_code == 200 and json.loads(listed.text)["data"][0]["id"] == "news-assistant"
