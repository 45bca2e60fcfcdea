"""`assistant api`: an OpenAI-compatible chat endpoint (for Open WebUI, LibreChat, the `openai` client) and
plain JSON routes, as one FastAPI app that can also be mounted into another ASGI app.

/v1/models and /v1/chat/completions (streaming or not): the answer is the CLI's checked answer, with its
sources listed under it in the message and the full citations (passage text included) in a `citations`
field beside `choices`. Streaming never sends text before it is checked: the role arrives at once, the
checked answer once the chain is done. /api/search, /api/ask, /api/summaries, /api/articles and
/api/briefings[/DAY[/audio]] return what the matching MCP tool returns.
"""

from __future__ import annotations

import hmac
import json
import time
import uuid
from typing import Any

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from assistant.api import operations

MODEL_ID = "news-assistant"
SOURCES_HEADING = "Sources:"
STREAM_PIECE_WORDS = 4  # words per streamed delta of the checked answer


class ChatMessage(BaseModel):
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    model: str = MODEL_ID
    messages: list[ChatMessage]
    stream: bool = False
    # accepted for compatibility; the assistant's own settings decide (temperature, length)
    temperature: float | None = None
    max_tokens: int | None = None
    user: str | None = None


class AskRequest(BaseModel):
    question: str
    sources: list[str] = Field(default_factory=list)
    since: str | None = None
    until: str | None = None


class SummaryRequest(BaseModel):
    article: str | None = None
    topic: str | None = None
    length: str = "short"
    sources: list[str] = Field(default_factory=list)
    since: str | None = None
    until: str | None = None


class BriefingRequest(BaseModel):
    day: str | None = None
    write: bool = False


def text_of(content) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    return "\n".join(part.get("text", "") for part in content or [] if part.get("type") == "text")


def conversation(messages: list[ChatMessage]) -> tuple[str, list[dict]]:
    """The question (the last user message) and the turns before it, without the sources lists we appended."""
    turns = [m for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise operations.OperationError("messages: the last message must be the user's question")
    history = [{"role": m.role, "content": text_of(m.content).split(f"\n\n{SOURCES_HEADING}\n", 1)[0]} for m in turns[:-1]]
    return text_of(turns[-1].content), history


def sources_text(citations: list[dict]) -> str:
    lines = [f"[{c['n']}] {c['title']} — {c['source']}, {(c.get('published_at') or 'undated')[:10]}"
             + (f" — {c['url']}" if c.get("url") else "") for c in citations]
    return f"\n\n{SOURCES_HEADING}\n" + "\n".join(lines) if lines else ""


def message_text(answer: dict) -> str:
    return answer["answer"] + sources_text(answer["citations"])


def extras(answer: dict) -> dict:
    """The structured fields beside `choices`: every citation with its passage, and why a refusal came."""
    return {"citations": answer["citations"],
            "news_assistant": {"refused": answer["refused"], "refusal_reason": answer["refusal_reason"],
                               "unsupported": answer["unsupported"], "query": answer["query"]}}


def completion(answer: dict, request_id: str, created: int) -> dict:
    return {"id": request_id, "object": "chat.completion", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": message_text(answer)},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}, **extras(answer)}


def chunk(request_id: str, created: int, delta: dict, finish: str | None = None, **more) -> str:
    body = {"id": request_id, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **more}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def pieces(text: str) -> list[str]:
    words = text.split(" ")
    return [" ".join(words[i:i + STREAM_PIECE_WORDS]) + (" " if i + STREAM_PIECE_WORDS < len(words) else "")
            for i in range(0, len(words), STREAM_PIECE_WORDS)]


def error_body(message: str, status: int) -> dict:
    return {"error": {"message": message, "type": "invalid_request_error" if status == 400 else "not_found",
                      "code": status}}


def build_app(services, token: str | None = None) -> FastAPI:
    """The app over one Services; with a token, every route needs `Authorization: Bearer <token>`."""
    expected = f"Bearer {token}" if token else None

    def authorized(authorization: str | None = Header(default=None)) -> None:
        if expected and not hmac.compare_digest((authorization or "").encode(), expected.encode()):
            raise HTTPException(401, "missing or wrong bearer token (Authorization: Bearer <api_token>)",
                                headers={"WWW-Authenticate": "Bearer"})

    app = FastAPI(title="news-assistant", version="0.1.0", dependencies=[Depends(authorized)],
                  description="Cited answers, summaries and briefings from the stored news articles.")

    @app.exception_handler(operations.OperationError)
    async def bad_request(request: Request, exc: operations.OperationError):
        return JSONResponse(error_body(str(exc), 400), status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return JSONResponse(error_body(str(exc.detail), exc.status_code), status_code=exc.status_code,
                            headers=exc.headers)

    @app.get("/v1/models")
    def models() -> dict:
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "news-assistant"}]}

    @app.post("/v1/chat/completions")
    def chat(request: ChatRequest):
        question, history = conversation(request.messages)
        request_id, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        if not request.stream:
            return completion(operations.ask(services, question, history=history), request_id, created)
        operations.check_question(question)  # a bad question is a 400, not a broken stream

        def events():
            yield chunk(request_id, created, {"role": "assistant", "content": ""})
            try:
                answer = operations.ask(services, question, history=history)
            except operations.OperationError as exc:
                yield chunk(request_id, created, {"content": f"error: {exc}"}, "stop")
                yield "data: [DONE]\n\n"
                return
            for piece in pieces(message_text(answer)):
                yield chunk(request_id, created, {"content": piece})
            yield chunk(request_id, created, {}, "stop", **extras(answer))
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.get("/api/search")
    def search(q: str, k: int = 5, source: list[str] | None = None, since: str | None = None,
               until: str | None = None) -> dict:
        return {"passages": operations.search(services, q, k, source or (), since, until)}

    @app.post("/api/ask")
    def ask(request: AskRequest) -> dict:
        return operations.ask(services, request.question, request.sources, request.since, request.until)

    @app.post("/api/summaries")
    def summaries(request: SummaryRequest) -> dict:
        return operations.summarize(services, request.article, request.topic, request.length, request.sources,
                                    request.since, request.until)

    @app.get("/api/articles")
    def articles(source: list[str] | None = None, since: str | None = None, until: str | None = None,
                 limit: int = 50) -> dict:
        return operations.list_articles(services, source or (), since, until, limit)

    @app.get("/api/briefings")
    def briefings() -> dict:
        return {"days": operations.briefing_days(services.settings)}

    @app.post("/api/briefings")
    def write_briefing(request: BriefingRequest) -> dict:
        return operations.briefing(services, request.day, request.write)

    @app.get("/api/briefings/{day}")
    def briefing(day: str) -> dict:
        operations.parse_day(day)
        if day not in operations.briefing_days(services.settings):
            raise HTTPException(404, f"no archived briefing for {day}")
        return operations.briefing(services, day)

    @app.get("/api/briefings/{day}/audio")
    def briefing_audio(day: str):
        from assistant.briefing.audio import audio_path_for
        path = audio_path_for(services.settings, operations.parse_day(day))
        if path is None:
            raise HTTPException(404, f"no audio for {day}; write it with --set briefing_audio=true")
        return FileResponse(path, media_type="audio/mpeg", filename=path.name)

    return app


def run_api(services, host: str = "127.0.0.1", port: int = 8765, token: str | None = None) -> None:
    import uvicorn
    from assistant.api.guard import LoopbackHostGuard, allowed_host_names, is_loopback
    app = build_app(services, token)
    if is_loopback(host):  # a rebound website's name is refused on loopback (docs/security.md)
        app = LoopbackHostGuard(app, allowed_host_names(services.settings.allowed_hosts, host))
    uvicorn.run(app, host=host, port=port, log_level="warning")
