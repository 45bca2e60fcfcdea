"""Stand-ins for the models in the fast tier (`make check`): deterministic, instant, no weights.

FakeEmbeddings hashes word stems into a 384-dimensional unit vector, so texts that share words
are close; FakeChatModel replays scripted replies and records what it was asked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from assistant.language import content_words


class FakeEmbeddings(Embeddings):
    def __init__(self, name: str = "fake-hash-384", dimension: int = 384, family: str = "fp32"):
        self.name = name
        self.dimension = dimension
        self.family = family  # the vector family a store records (settings.EMBEDDING_FAMILIES)

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in content_words(text) or {"empty"}:
                digest = hashlib.md5(word.encode()).digest()
                out[row, int.from_bytes(digest[:4], "little") % self.dimension] += 1.0 if digest[4] % 2 else -1.0
            out[row] /= np.linalg.norm(out[row]) or 1.0
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


class FakeChatModel(BaseChatModel):
    """Replies from a script (cycled); `max_tokens` is a field so per-call limits can be observed."""

    replies: list[str] = Field(default_factory=lambda: ["Yes"])
    max_tokens: int = 256
    calls: list[dict] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "fake-scripted"

    def _reply(self, messages: list[BaseMessage], **kwargs: Any) -> str:
        self.calls.append({"messages": [m.content for m in messages], "max_tokens": kwargs.get("max_tokens", self.max_tokens)})
        return self.replies[(len(self.calls) - 1) % len(self.replies)]

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._reply(messages, **kwargs)))])

    def _stream(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        text = self._reply(messages, **kwargs)
        for piece in text.split(" "):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece + " "))
