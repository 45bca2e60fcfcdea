"""The MCP server through a real MCP client session (initialize, list tools and resources, call each tool):
in process over the SDK's JSON-RPC streams, over streamable HTTP, and over stdio; with the fast tier's fake
models, plus one check with the real chat model that `ask` through MCP is the CLI's answer."""

from __future__ import annotations

import functools
import http.server
import json
import shutil

import anyio
import pytest
from mcp import Client

from assistant.api.mcp_server import build_mcp
from conftest import FIXTURES, serve_http
from fakes import FakeChatModel

TOOLS = {"search", "ask", "summarize", "briefing", "verify", "ingest", "list"}
QUESTION = "How many people will the Veridian chip plant employ?"
REPLY = "About 1,200 people. Veridian Microsystems said it would employ about 1,200 people once it opens in 2028 [1]."


def fake_services(settings, embeddings, replies=(REPLY,)):
    from assistant.services import build_services
    return build_services(settings, embeddings=embeddings, chat_model=FakeChatModel(replies=list(replies)))


@pytest.fixture()
def services(tmp_path, embeddings):
    from assistant.settings import Settings
    services = fake_services(Settings(index_dir=tmp_path / "index", chroma_url=None), embeddings)
    report = services.ingest([str(FIXTURES / "articles")], progress=False)
    assert report.count("new") == 3
    return services


def session(server, call):
    """Run `call(client)` inside one client session (the SDK's initialize handshake first)."""
    async def main():
        async with Client(server, mode="legacy") as client:
            return await call(client)
    return anyio.run(main)


def result_of(reply) -> dict:
    assert not reply.is_error, reply.content
    return reply.structured_content if reply.structured_content is not None else json.loads(reply.content[0].text)


def test_a_session_lists_every_tool_and_the_briefing_resources(services):
    async def call(client):
        return client.server_info, await client.list_tools(), await client.list_resources(), \
            await client.list_resource_templates()
    info, tools, resources, templates = session(build_mcp(services), call)
    assert info.name == "news-assistant"
    assert {t.name for t in tools.tools} == TOOLS
    schema = {t.name: t.input_schema for t in tools.tools}
    assert schema["ask"]["required"] == ["question"] and schema["verify"]["required"] == ["text", "passages"]
    assert all(t.description for t in tools.tools)
    assert [str(r.uri) for r in resources.resources] == ["briefing://days"]
    assert [t.uri_template for t in templates.resource_templates] == ["briefing://{day}"]


def test_every_tool_answers_through_the_client(services):
    chip = next(a for a in services.store.list_articles() if "Chip Plant" in a.title)

    async def call(client):
        out = {}
        for name, arguments in [("list", {}), ("search", {"query": "chip plant jobs", "k": 2}), ("ask", {"question": QUESTION}),
                                ("summarize", {"article": chip.id, "length": "line"}), ("summarize", {"topic": "chip plant"}),
                                ("verify", {"text": "The council voted 7 to 2 to approve the plant [1]. The vote was 9 to 0 [1].",
                                            "passages": ["The Harbor City council voted 7 to 2 on Tuesday night to approve a plant."]}),
                                ("briefing", {"day": chip.published_at[:10]})]:
            out[name if name not in out else name + "-topic"] = result_of(await client.call_tool(name, arguments))
        out["days"] = json.loads((await client.read_resource("briefing://days")).contents[0].text)
        day = out["days"][0]
        out["markdown"] = (await client.read_resource(f"briefing://{day}")).contents[0].text
        out["latest"] = result_of(await client.call_tool("briefing", {}))  # the archived one, not written again
        out["bad"] = await client.call_tool("ask", {"question": "  "})
        out["missing"] = await client.call_tool("summarize", {"article": chip.id, "topic": "x"})
        return out

    out = session(build_mcp(services), call)
    assert out["list"]["total"] == 3 and {a["title"] for a in out["list"]["articles"]} >= {chip.title}
    assert out["search"]["passages"][0]["article_id"] == chip.id and len(out["search"]["passages"]) == 2
    ask = out["ask"]
    assert not ask["refused"] and "1,200" in ask["answer"]
    assert ask["citations"][0]["article_id"] == chip.id and "1,200" in ask["citations"][0]["text"]
    assert out["summarize"]["article_id"] == chip.id
    assert out["summarize-topic"]["topic"] == "chip plant"
    assert [s["supported"] for s in out["verify"]["sentences"]] == [True, False]
    assert out["briefing"]["day"] == chip.published_at[:10] and out["briefing"]["markdown"].startswith("# Briefing for")
    assert out["days"] == [out["briefing"]["day"]] and out["markdown"] == out["briefing"]["markdown"]
    assert out["latest"]["written_at"] == out["briefing"]["written_at"]
    assert out["bad"].is_error and "the question is empty" in out["bad"].content[0].text
    assert out["missing"].is_error and "not both" in out["missing"].content[0].text


@pytest.fixture()
def site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(FIXTURES / "articles" / "river-festival.html", root)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    with serve_http(handler) as base:
        yield base


def test_ingest_treats_urls_from_a_client_like_urls_in_a_page(services, site, tmp_path, embeddings):
    """Loopback and private addresses are refused unless allow_private_urls; local files are never read."""
    url = f"{site}/river-festival.html"

    async def call(client):
        return result_of(await client.call_tool("ingest", {"urls": [url, "/etc/hostname"]}))
    refused = session(build_mcp(services), call)
    assert refused["articles"] == [] and len(refused["errors"]) == 2
    assert "only http(s) URLs" in refused["errors"][0] and "loopback" in refused["errors"][1] and url in refused["errors"][1]
    from assistant.settings import Settings
    allowed = fake_services(Settings(index_dir=tmp_path / "other", chroma_url=None, allow_private_urls=True), embeddings)
    done = session(build_mcp(allowed), call)
    assert [a["status"] for a in done["articles"]] == ["new"] and done["articles"][0]["title"].startswith("Lantern Festival")


def test_an_mcp_answer_is_the_clis_answer(services):
    """Same index, same (scripted) model: `ask` through MCP returns what `assistant ask --json` prints."""
    from typer.testing import CliRunner
    from assistant.cli import __main__ as cli

    async def call(client):
        return result_of(await client.call_tool("ask", {"question": QUESTION}))
    through_mcp = session(build_mcp(services), call)
    parts = {"embeddings": services.embeddings, "chat_model": FakeChatModel(replies=[REPLY])}  # handed to the CLI
    printed = CliRunner().invoke(cli.app, ["--index", str(services.settings.index_dir), "ask", QUESTION, "--json"],
                                 obj=parts)
    assert printed.exit_code == 0, printed.output
    through_cli = json.loads(printed.stdout)
    assert {k: v for k, v in through_mcp.items() if k != "timings"} == {k: v for k, v in through_cli.items() if k != "timings"}


def test_streamable_http_needs_the_token_once_one_is_set(services):
    import httpx2
    from mcp.client.streamable_http import streamable_http_client
    from assistant.api.guard import BearerGuard
    from test_api_http import serve_asgi
    app = BearerGuard(build_mcp(services).streamable_http_app(), "s3cret")
    with serve_asgi(app) as base:
        assert httpx2.post(f"{base}/mcp", json={}).status_code == 401

        async def main():
            headers = {"Authorization": "Bearer s3cret"}
            async with Client(streamable_http_client(f"{base}/mcp", http_client=httpx2.AsyncClient(headers=headers)),
                              mode="legacy") as client:
                return result_of(await client.call_tool("list", {"limit": 1}))
        listed = anyio.run(main)
    assert listed["total"] == 3 and len(listed["articles"]) == 1


@pytest.mark.slow
def test_stdio_transport_serves_a_desktop_client(tmp_path):
    """`assistant mcp` as a desktop assistant starts it: a subprocess speaking MCP on stdin/stdout."""
    import os
    import sys
    from mcp.client.stdio import StdioServerParameters
    from conftest import run_cli
    # mcp serves an index that is there (a typo in --index is an error): one article ingested first
    run_cli("--index", str(tmp_path / "index"), "ingest", "-q", str(FIXTURES / "articles" / "chip-plant.txt"), check=True)
    params = StdioServerParameters(command=sys.executable, args=["-m", "assistant.cli", "--index", str(tmp_path / "index"), "mcp"],
                                   env={**os.environ, "HF_HUB_OFFLINE": "1"})

    async def main():
        async with Client(params, mode="legacy") as client:
            tools = await client.list_tools()
            return {t.name for t in tools.tools}, result_of(await client.call_tool("list", {}))
    names, listed = anyio.run(main)
    assert names == TOOLS and listed["total"] == 1 and len(listed["articles"]) == 1


@pytest.mark.llm
def test_ask_through_mcp_equals_the_cli_with_the_real_model(tmp_path):
    from typer.testing import CliRunner
    from assistant.cli import __main__ as cli
    from assistant.services import build_services
    from assistant.settings import Settings
    services = build_services(Settings(index_dir=tmp_path / "index", chroma_url=None))
    assert services.ingest([str(FIXTURES / "articles")], progress=False).count("new") == 3

    async def call(client):
        return result_of(await client.call_tool("ask", {"question": QUESTION}))
    through_mcp = session(build_mcp(services), call)
    printed = CliRunner().invoke(cli.app, ["--index", str(tmp_path / "index"), "ask", QUESTION, "--json"])
    assert printed.exit_code == 0, printed.output
    through_cli = json.loads(printed.stdout)
    assert not through_mcp["refused"] and "1,200" in through_mcp["answer"]
    assert through_mcp["answer"] == through_cli["answer"] and through_mcp["citations"] == through_cli["citations"]
