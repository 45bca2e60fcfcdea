"""Chat backends over HTTP: Ollama (NDJSON) and OpenAI-compatible (SSE) streams against a fake server,
an error in the middle of the stream, the token cap."""

from __future__ import annotations

import http.server
import json

import pytest

from conftest import serve_http


class FakeLLMServer(http.server.BaseHTTPRequestHandler):
    """Answers like Ollama (/api/chat, NDJSON) and an OpenAI-compatible endpoint (/v1/chat/completions, SSE);
    a request whose prompt says FAIL breaks off in the middle of the stream."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = json.dumps({"data": [{"id": "fake"}], "models": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        fail = "FAIL" in json.dumps(request["messages"])
        words = ["Ismail ", "Qaani ", "[1]."]
        self.send_response(200)
        if self.path.startswith("/api/chat"):
            self.send_header("Content-Type", "application/x-ndjson")
            self.end_headers()
            for i, word in enumerate(words):
                if fail and i == 1:
                    self.wfile.write(b'{"error": "model crashed"}\n')
                    return
                self.wfile.write(json.dumps({"model": "fake", "created_at": "2024-01-01T00:00:00Z",
                                             "message": {"role": "assistant", "content": word}, "done": False}).encode() + b"\n")
            self.wfile.write(json.dumps({"model": "fake", "created_at": "2024-01-01T00:00:00Z", "message": {"role": "assistant", "content": ""},
                                         "done": True, "done_reason": "stop"}).encode() + b"\n")
            return
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for i, word in enumerate(words):
            if fail and i == 1:
                self.wfile.write(b"data: {not json\n\n")
                return
            chunk = {"id": "1", "object": "chat.completion.chunk", "created": 0, "model": "fake",
                     "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture(scope="module")
def llm_server():
    with serve_http(FakeLLMServer) as base:
        yield base


@pytest.mark.parametrize("backend, path", [("ollama", ""), ("openai", "/v1")])
def test_remote_backends_stream_and_report_an_error_mid_stream(llm_server, backend, path):
    from langchain_core.messages import HumanMessage
    from assistant.models.chat import get_chat_model, with_max_tokens
    from assistant.settings import Settings
    model = get_chat_model(Settings(llm_backend=backend, llm_base_url=llm_server + path, llm_model="fake"))
    assert "".join(c.content for c in model.stream([HumanMessage("Who leads the Quds Force?")])) == "Ismail Qaani [1]."
    with pytest.raises(Exception):
        "".join(c.content for c in model.stream([HumanMessage("FAIL please")]))
    assert with_max_tokens(model, 7) is not model
