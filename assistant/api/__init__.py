"""The assistant for other tools: an MCP server (`assistant mcp`) and an HTTP API with an OpenAI-compatible
chat endpoint (`assistant api`), both thin layers over the same operations (operations.py) and so over the
same Services the CLI uses: one question gets one answer whichever door it comes in by.
"""
