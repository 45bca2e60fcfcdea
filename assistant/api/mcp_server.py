"""`assistant mcp`: the assistant as an MCP server (stdio for desktop assistants and IDEs, streamable HTTP for
agent frameworks), on the official MCP SDK's MCPServer.

Tools: search, ask, summarize, briefing, verify, ingest, list. Resources: the archived briefings
(briefing://days lists them, briefing://{day} is one day's Markdown). Every tool is a call into
assistant.api.operations, so its answer is the CLI's answer for the same input.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError

from assistant.api import operations

INSTRUCTIONS = (
    "Answers questions about the news articles stored in this assistant's index, with numbered citations whose "
    "passages are quoted. Use `search` to see passages, `ask` for a checked answer, `summarize` for an article or "
    "a topic, `briefing` for a day's cited briefing, `verify` to check any text against passages, `ingest` to add "
    "http(s) articles or feeds and `list` to see what is stored. Only what the articles say is answered."
)


def checked(call, *args, **kwargs):
    """Run an operation; its OperationError reaches the client as a tool error with the same one line."""
    try:
        return call(*args, **kwargs)
    except operations.OperationError as exc:
        raise ToolError(str(exc)) from None


def build_mcp(services) -> MCPServer:
    """The MCP server over one Services (tests pass Services with fake models)."""
    server = MCPServer("news-assistant", instructions=INSTRUCTIONS, version="0.1.0", log_level="WARNING")

    @server.tool(structured_output=True)
    def search(query: str, k: int = 5, sources: list[str] | None = None, since: str | None = None,
               until: str | None = None) -> dict[str, Any]:
        """Top passages for a query (title, outlet, date, score, character span, text).
        sources: only these outlets; since/until: publication dates (ISO 8601)."""
        return {"passages": checked(operations.search, services, query, k, sources or (), since, until)}

    @server.tool(structured_output=True)
    def ask(question: str, sources: list[str] | None = None, since: str | None = None,
            until: str | None = None) -> dict[str, Any]:
        """A checked answer with [n] citations; each citation carries its article, outlet, date and passage text.
        `refused` is true when the articles do not hold the answer."""
        return checked(operations.ask, services, question, sources or (), since, until)

    @server.tool(structured_output=True)
    def summarize(article: str | None = None, topic: str | None = None, length: str = "short",
                  sources: list[str] | None = None, since: str | None = None, until: str | None = None) -> dict[str, Any]:
        """Summarize one article (a stored article id, an http(s) URL, or words describing it) with cited key
        points, or a topic over time (timeline, who said what). length: line | short | full."""
        return checked(operations.summarize, services, article, topic, length, sources or (), since, until)

    @server.tool(structured_output=True)
    def briefing(day: str | None = None, write: bool = False) -> dict[str, Any]:
        """The cited briefing of a day (YYYY-MM-DD; default: the latest archived one): the archived briefing when
        there is one, else written now (minutes). write: write it again even if archived."""
        return checked(operations.briefing, services, day, write)

    @server.tool(structured_output=True)
    def verify(text: str, passages: list[str]) -> dict[str, Any]:
        """Check each sentence of a text against passages: supported, score and reason per sentence. Sentences
        may cite passages as [1], [2] (numbered from 1); a text without markers is checked against all of them."""
        return checked(operations.verify, services, text, passages)

    @server.tool(structured_output=True)
    def ingest(urls: list[str]) -> dict[str, Any]:
        """Read http(s) article pages or RSS/Atom feeds into the index (unchanged articles are skipped).
        Private and loopback addresses are refused unless the assistant's allow_private_urls setting is on."""
        return checked(operations.ingest, services, urls)

    @server.tool(name="list", structured_output=True)
    def list_articles(sources: list[str] | None = None, since: str | None = None, until: str | None = None,
                      limit: int = 50) -> dict[str, Any]:
        """The stored articles, newest first (id, title, outlet, date, chunks), and their total."""
        return checked(operations.list_articles, services, sources or (), since, until, limit)

    @server.resource("briefing://days", name="briefing-days", mime_type="application/json",
                     description="The days with an archived briefing, oldest first.")
    def briefing_days() -> str:
        import json
        return json.dumps(operations.briefing_days(services.settings))

    @server.resource("briefing://{day}", name="briefing", mime_type="text/markdown",
                     description="One archived briefing (YYYY-MM-DD) as cited Markdown.")
    def briefing_day(day: str) -> str:
        if day not in operations.briefing_days(services.settings):
            raise ResourceError(f"no archived briefing for {day!r}")
        from assistant.briefing.archive import day_path
        return day_path(services.settings, day, "md").read_text(encoding="utf-8")

    return server


def run_mcp(services, transport: str = "stdio", host: str = "127.0.0.1", port: int = 8766, token: str | None = None) -> None:
    """Serve until stopped: stdio, or streamable HTTP at http://HOST:PORT/mcp (behind the bearer-token guard)."""
    server = build_mcp(services)
    if transport == "stdio":
        server.run("stdio")
        return
    import uvicorn
    from assistant.api.guard import BearerGuard
    # On loopback the SDK also checks Host/Origin headers against DNS rebinding; elsewhere the token guards it.
    app = BearerGuard(server.streamable_http_app(host=host), token)
    uvicorn.run(app, host=host, port=port, log_level="warning")
