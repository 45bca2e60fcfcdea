"""A LangChain chat model that runs a GGUF file in-process through xllamacpp's server API.

One model per process (the file is 1.1 GB); calls are serialised with the shared model lock,
since llama.cpp uses every core and two jobs at once run at a fraction of the speed.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from assistant.models.lock import MODEL_LOCK
from assistant.settings import process_switch

_servers: dict[tuple, Any] = {}
_servers_lock = threading.Lock()

ROLE_NAMES = {"human": "user", "ai": "assistant", "system": "system"}


def llama_log_wanted() -> bool:
    """ASSISTANT_LLM_LOG set: let llama.cpp's own request log through (a debugging aid for the process)."""
    return bool(process_switch("ASSISTANT_LLM_LOG"))


class _QuietStderr:
    """llama.cpp logs every request to the C-level stderr; hide it unless ASSISTANT_LLM_LOG is set."""

    def __enter__(self):
        self.active = not llama_log_wanted()
        if self.active:
            sys.stderr.flush()
            self.saved = os.dup(2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        return self

    def __exit__(self, *exc):
        if self.active:
            os.dup2(self.saved, 2)
            os.close(self.saved)


def load_server(model_path: Path, n_ctx: int, n_threads: int):
    """Start (once per process and configuration) xllamacpp's in-process server."""
    import xllamacpp

    key = (str(model_path), n_ctx, n_threads)
    with _servers_lock:
        if key not in _servers:
            params = xllamacpp.CommonParams()
            params.model.path = str(model_path)
            params.n_ctx = n_ctx
            params.n_parallel = 1
            params.cpuparams.n_threads = n_threads
            params.cpuparams_batch.n_threads = n_threads
            if not llama_log_wanted():
                params.verbosity = -1  # llama.cpp logs every request from its own thread; keep the terminal clean
            with _QuietStderr():
                _servers[key] = xllamacpp.Server(params)
        return _servers[key]


def to_openai_messages(messages: list[BaseMessage]) -> list[dict]:
    return [{"role": ROLE_NAMES.get(m.type, "user"), "content": m.content} for m in messages]


class EmbeddedChatModel(BaseChatModel):
    """Chat model backed by a local GGUF file; supports `.invoke` and token streaming `.stream`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: Path
    n_ctx: int = 4096
    n_threads: int = 2
    max_tokens: int = 256
    temperature: float = 0.0
    _server: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "xllamacpp-embedded"

    @property
    def server(self):
        if self._server is None:
            self._server = load_server(self.model_path, self.n_ctx, self.n_threads)
        return self._server

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any) -> dict:
        request = {"messages": to_openai_messages(messages), "max_tokens": kwargs.get("max_tokens", self.max_tokens),
                   "temperature": kwargs.get("temperature", self.temperature), "stream": stream,
                   "cache_prompt": kwargs.get("cache_prompt", True)}
        if stop:
            request["stop"] = stop
        if kwargs.get("logprobs"):
            request["logprobs"] = True
            request["top_logprobs"] = int(kwargs.get("top_logprobs", 10))
        return request

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        request = self._request(messages, stop, stream=False, **kwargs)
        with MODEL_LOCK:
            response = self.server.handle_chat_completions(request)
        if "error" in response:
            raise RuntimeError(f"embedded model failed: {response['error']}")
        choice = response["choices"][0]
        usage = response.get("usage", {})
        message = AIMessage(content=choice["message"].get("content") or "",
                            response_metadata={"timings": response.get("timings", {}), "usage": usage,
                                               "finish_reason": choice.get("finish_reason"),
                                               "logprobs": choice.get("logprobs")})
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        request = self._request(messages, stop, stream=True, **kwargs)
        tokens: queue.Queue = queue.Queue()
        done = object()
        failure: list[BaseException] = []

        def produce() -> None:
            try:
                with MODEL_LOCK:
                    self.server.handle_chat_completions(request, tokens.put)
            except BaseException as exc:  # surfaced in the consumer
                failure.append(exc)
            finally:
                tokens.put(done)

        worker = threading.Thread(target=produce, daemon=True)
        worker.start()
        while (item := tokens.get()) is not done:
            if "error" in item:
                raise RuntimeError(f"embedded model failed: {item['error']}")
            choice = (item.get("choices") or [{}])[0]
            text = (choice.get("delta") or {}).get("content") or ""
            metadata = {"timings": item["timings"]} if "timings" in item else {}
            if text or metadata:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=text, response_metadata=metadata))
                if run_manager and text:
                    run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk
        worker.join()
        if failure:
            raise RuntimeError(f"embedded model failed: {failure[0]}")
