"""The chat-model factory: embedded (default, offline), Ollama, or any OpenAI-compatible endpoint."""

from __future__ import annotations

import functools

import requests
from langchain_core.language_models import BaseChatModel

from assistant.settings import Settings


class ChatModelError(RuntimeError):
    pass


def _check_reachable(url: str, what: str, fix: str) -> None:
    try:
        requests.get(url, timeout=3)
    except requests.RequestException:
        raise ChatModelError(f"{what} at {url} is unreachable; {fix}") from None


@functools.lru_cache(maxsize=4)
def _embedded(model_path: str | None, cache_dir: str, n_ctx: int, threads: int, max_tokens: int, temperature: float) -> BaseChatModel:
    from pathlib import Path

    from assistant.models.embedded_llm import EmbeddedChatModel
    from assistant.models.gguf import ModelFileError, embedded_model_path

    try:
        path = Path(model_path) if model_path else embedded_model_path(Path(cache_dir) / "models")
    except ModelFileError as exc:
        raise ChatModelError(str(exc)) from None
    if not path.is_file():
        raise ChatModelError(f"model file {path} does not exist; fix ASSISTANT_LLM_MODEL_PATH")
    return EmbeddedChatModel(model_path=path, n_ctx=n_ctx, n_threads=threads, max_tokens=max_tokens, temperature=temperature)


def get_chat_model(settings: Settings) -> BaseChatModel:
    """The configured chat model; loaded once per process for the embedded backend."""
    if settings.llm_backend == "embedded":
        return _embedded(str(settings.llm_model_path) if settings.llm_model_path else None, str(settings.cache_dir),
                         settings.llm_context, settings.llm_threads, settings.llm_max_tokens, settings.llm_temperature)
    if settings.llm_backend == "ollama":
        from langchain_ollama import ChatOllama

        base = settings.llm_base_url or "http://127.0.0.1:11434"
        _check_reachable(base, "Ollama", "start it with `ollama serve` or set ASSISTANT_LLM_BACKEND=embedded")
        return ChatOllama(model=settings.llm_model, base_url=base, temperature=settings.llm_temperature,
                          num_predict=settings.llm_max_tokens)
    from langchain_openai import ChatOpenAI

    if not settings.llm_base_url:
        raise ChatModelError("llm_backend=openai needs ASSISTANT_LLM_BASE_URL (an OpenAI-compatible /v1 URL)")
    _check_reachable(settings.llm_base_url.rstrip("/") + "/models", "the OpenAI-compatible endpoint",
                     "check ASSISTANT_LLM_BASE_URL or set ASSISTANT_LLM_BACKEND=embedded")
    return ChatOpenAI(model=settings.llm_model, base_url=settings.llm_base_url, api_key=settings.llm_api_key or "none",
                      temperature=settings.llm_temperature, max_tokens=settings.llm_max_tokens)


def with_max_tokens(model: BaseChatModel, limit: int) -> BaseChatModel:
    """A copy of the model that stops after `limit` tokens.

    Keyword arguments given to a chain's `invoke` never reach the model inside it, so a short
    call (a rewrite, a yes/no judgement) binds its own limit on a copy of the model instead.
    """
    for field_name in ("max_tokens", "num_predict"):  # embedded and OpenAI-compatible / Ollama
        if field_name in type(model).model_fields:
            return model.model_copy(update={field_name: limit})
    return model
