"""Start-up for one-shot commands: load only what the command uses, and the slow parts side by side.

`stats`, `list` and `remove` never embed, so they open the store under the embedder it was built with
(`StoredEmbedder`) instead of loading one. `ask` starts the chat model on a thread while the store and the
embedder open; nothing runs a model while it loads (the first model call waits for it), so two llama or
embedding jobs never share the cores.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from contextlib import contextmanager

from assistant.settings import DEFAULT_EMBEDDING_FAMILY, Settings


class StoredEmbedder:
    """The embedder's name, dimension and vector family as the store records them: enough to open and read it."""

    def __init__(self, name: str, dimension: int, family: str | None = None):
        self.name = name
        self.dimension = dimension
        self.family = family or DEFAULT_EMBEDDING_FAMILY  # None: a store from before families were recorded

    def encode(self, texts):
        raise RuntimeError("this command opened the store without an embedder; it cannot embed")


class ChatModelLoad:
    """The chat model being loaded on a thread; `result()` waits and returns it (or raises its error)."""

    def __init__(self, settings: Settings):
        self._model = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, args=(settings,), name="chat-model-load", daemon=True)
        self._thread.start()

    def _load(self, settings: Settings) -> None:
        from assistant.models.chat import get_chat_model
        try:
            model = get_chat_model(settings)  # cached per process: services.chat_model gets this one
            getattr(model, "server", None)  # the embedded model's weights load on first use: now, here
            self._model = model
        except BaseException as exc:  # handed to the caller, which reports it in one line
            self._error = exc

    def finish_quietly(self) -> None:
        """Wait for the load before the process exits on an earlier error (never exit mid-load)."""
        self._thread.join()

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._model


@contextmanager
def quiet_first_export():
    """The embedder's one-time ONNX export (the first command after installing) warns about tracing details
    that concern no user; a command's stderr stays its own lines."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"(torch|transformers)(\.|$)")
        yield


def exit_now() -> None:
    """Leave a finished one-shot command without the interpreter's teardown: freeing the chat model's weights
    and threads takes ~0.6 s for nothing. Only in a real process whose output is out (never under a test
    runner, which replaces stdout)."""
    if sys.stdout is sys.__stdout__ and sys.stderr is sys.__stderr__:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def openai_backend_problem(settings: Settings) -> str:
    """Why the configured OpenAI-compatible backend cannot work ("" when it can), said before anything loads."""
    if settings.llm_backend == "openai" and not settings.llm_base_url:
        return ("llm_backend=openai needs the endpoint's URL: add --set llm_base_url=http://HOST:PORT/v1 "
                "(or llm_base_url in the config file, or ASSISTANT_LLM_BASE_URL)")
    return ""
