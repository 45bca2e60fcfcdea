"""The commands that serve other programs: api (OpenAI-compatible HTTP) and mcp (Model Context Protocol)."""

from __future__ import annotations

import typer

from assistant.cli.common import check_port, fail, require_store, services_or_fail


def mcp_command(ctx: typer.Context,
                transport: str = typer.Option("stdio", help="stdio (for desktop assistants and IDEs) or http (streamable HTTP at /mcp)."),
                host: str = typer.Option("127.0.0.1", help="http: interface to bind; anything but loopback needs api_token."),
                port: int = typer.Option(8766, help="http: port (1-65535).")) -> None:
    """Serve the assistant to MCP clients: search, ask, summarize, briefing, verify, ingest, list; briefings as resources."""
    from assistant.api.guard import bind_problem
    from assistant.api.mcp_server import run_mcp
    if transport not in ("stdio", "http"):
        fail(f"--transport {transport!r}: choose stdio or http")
    settings = ctx.obj.settings
    require_store(settings)  # before anything is printed or bound: a typo in --index is one line
    if transport == "http":
        check_port(port)
        if bind_problem(host, settings.api_token):
            fail(bind_problem(host, settings.api_token))
        typer.echo(f"MCP on http://{host}:{port}/mcp  (Ctrl+C to stop)", err=True)
    services = services_or_fail(ctx, must_exist=True)
    try:
        run_mcp(services, "stdio" if transport == "stdio" else "streamable-http", host, port, settings.api_token)
    except KeyboardInterrupt:
        pass


def api_command(ctx: typer.Context, host: str = typer.Option("127.0.0.1", help="Interface to bind; anything but loopback needs api_token."),
                port: int = typer.Option(8765, help="Port (1-65535).")) -> None:
    """Serve an OpenAI-compatible /v1/chat/completions and JSON routes for search, summaries and briefings."""
    import socket
    from assistant.api.guard import bind_problem
    from assistant.api.http import run_api
    settings = ctx.obj.settings
    require_store(settings)
    check_port(port)
    if bind_problem(host, settings.api_token):
        fail(bind_problem(host, settings.api_token))
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            fail(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port")
    services = services_or_fail(ctx, must_exist=True)
    typer.echo(f"API on http://{host}:{port}/v1 (model news-assistant){' with bearer token' if settings.api_token else ''}  (Ctrl+C to stop)")
    run_api(services, host, port, settings.api_token)
