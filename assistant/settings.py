"""The one home of configuration: environment (prefix ASSISTANT_), then a TOML config file, then defaults.

The config file is `ASSISTANT_CONFIG` if set, else `assistant.toml` in the working directory,
else `~/.config/news-assistant/config.toml`. Every field below is documented in the README.
"""

from __future__ import annotations

import math
import os
from datetime import date
from pathlib import Path
from typing import Literal

import re

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource


ENV_PREFIX = "ASSISTANT_"

# Process-wide switches: read from the environment where no Settings object is at hand (the config file is found
# before any settings exist, prompt files are loaded by name from anywhere, llama.cpp's log is per process).
# Named here so that every ASSISTANT_ variable has this one home; the Settings fields below are the user settings.
PROCESS_SWITCHES: dict[str, str] = {
    "ASSISTANT_CONFIG": "The TOML config file to read (instead of ./assistant.toml or ~/.config/news-assistant/config.toml).",
    "ASSISTANT_PROMPTS_DIR": "A folder of prompt files used instead of the packaged ones (to try new wordings).",
    "ASSISTANT_LLM_LOG": "Any value: llama.cpp logs every request to stderr (hidden otherwise).",
}


# The vectors each embedding backend writes, as a store records them: torch and the fp32 ONNX export give the same
# vectors within float rounding (cosine >= 0.9999), the int8 export vectors ~0.95 cosine from those, so a store
# built with one family refuses the other (store.ChunkStore). The first backend of a family is the one a fix names.
EMBEDDING_FAMILIES: dict[str, str] = {"onnx": "fp32", "torch": "fp32", "onnx-int8": "int8"}
# A model with an engine of its own (multilingual-e5-small), and a store from before families were recorded.
DEFAULT_EMBEDDING_FAMILY = "fp32"
# `embedding_backend = "auto"`: a store keeps the family it was built with; a new store gets the fp32 export. The int8
# export ingests 1.4-1.6x faster with retrieval equal within a question on two full dev sets, but the support check's
# and the claims' thresholds were fitted on fp32 vectors and the gold gate falls below them on int8 (docs/scale.md).
NEW_STORE_BACKEND = "onnx"


def backend_for_family(family: str | None) -> str | None:
    """The first backend that writes vectors of `family` (the one a fix names; a store from before families were
    recorded holds fp32 ones), None for a family no backend writes."""
    wanted = family or DEFAULT_EMBEDDING_FAMILY
    return next((backend for backend, written in EMBEDDING_FAMILIES.items() if written == wanted), None)


def process_switch(name: str) -> str:
    """A process switch's value ("" when unset); a name missing from PROCESS_SWITCHES is a programming error."""
    if name not in PROCESS_SWITCHES:
        raise KeyError(f"{name} is not a process switch; add it to PROCESS_SWITCHES or make it a Settings field")
    return os.environ.get(name, "")


def set_in_environment(field: str) -> bool:
    """Whether a setting was given by its environment variable (ASSISTANT_<FIELD>), as opposed to a config file
    or its default: the eval commands keep their own index unless the user named one."""
    return f"{ENV_PREFIX}{field.upper()}" in os.environ


def is_store(index_dir: Path) -> bool:
    """Whether an on-disk index lives in this folder (so that a typo in --index is not a new, empty store).
    Here rather than beside Chroma: the subscription commands ask it without importing Chroma (0.9 s)."""
    return (index_dir / "chroma.sqlite3").is_file()


def config_file_path() -> Path | None:
    explicit = process_switch("ASSISTANT_CONFIG")
    if explicit:
        if Path(explicit).is_dir():
            raise ValueError(f"ASSISTANT_CONFIG={explicit}: is a folder; point it at a TOML file")
        if not Path(explicit).is_file():
            raise ValueError(f"ASSISTANT_CONFIG={explicit}: no such file")
        return Path(explicit)
    for candidate in (Path("assistant.toml"), Path.home() / ".config" / "news-assistant" / "config.toml"):
        if candidate.is_file():
            return candidate
    return None


# Numeric settings and their allowed range (inclusive; None = open): every value must also be finite
# (rrf_k=-1 divided by zero, fetch_deadline=inf overflowed a thread's wait).
NUMBER_RANGES: dict[str, tuple[float | None, float | None]] = {
    "fetch_timeout": (None, 3600), "fetch_deadline": (None, 86400), "write_wait_s": (0, 86400),
    "rrf_k": (1, None), "dense_weight": (0, None), "outlet_boost": (0, None), "passage_chars": (0, None),
    "llm_temperature": (0, 2), "story_similarity": (-1, 1), "duplicate_jaccard": (0, 1),
    "briefing_article_chars": (1, None), "briefing_articles_per_story": (1, None), "briefing_max_stories": (1, None),
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    # --- storage -------------------------------------------------------------------------------
    index_dir: Path = Field(Path("index"), description="On-disk Chroma store (used unless chroma_url is set).")
    chroma_url: str | None = Field(None, description="Chroma server URL, e.g. http://127.0.0.1:8000; replaces the on-disk store.")
    collection: str = Field("news", description="Chroma collection name.")
    cache_dir: Path = Field(Path.home() / ".cache" / "news-assistant", description="Joined model files and BM25 caches.")

    # --- ingestion -----------------------------------------------------------------------------
    embedding_model: str = Field("all-MiniLM-L6-v2", description="Packaged model name (all-MiniLM-L6-v2; multilingual-e5-small for articles in several languages), a local sentence-transformers folder, or a hub name.")
    embedding_batch_size: int = Field(32, ge=1, description="Chunks per encode batch.")
    embedding_backend: Literal["auto", "torch", "onnx", "onnx-int8"] = Field("auto", description="How the embedding model runs: `auto` runs what an existing store was built with and builds a new one with `onnx` (the fp32 ONNX export of the same weights, no torch at start-up); `onnx-int8` ingests 1.4-1.6x faster with equal retrieval (once set for a new store, `auto` keeps it); `torch` is sentence-transformers (docs/scale.md).")
    chunk_size: int = Field(800, gt=0, description="Maximum characters per chunk (see docs/retrieval.md).")
    chunk_overlap: int = Field(120, ge=0, description="Characters shared by neighbouring chunks.")
    fetch_timeout: float = Field(15.0, gt=0, description="Seconds to wait for a URL or feed to answer (per read).")
    fetch_deadline: float = Field(30.0, gt=0, description="Most seconds one fetch may take in all, however slowly the bytes trickle in.")
    max_article_bytes: int = Field(20_000_000, gt=0, description="Largest file or HTTP response read as one input (bytes).")
    allow_private_urls: bool = Field(False, description="Let feed items and page URLs point at loopback/private addresses (URLs typed at the CLI always may).")
    write_wait_s: float = Field(60.0, ge=0, description="Seconds a writer waits for another process's write lock (the index, the feeds database) before giving up.")

    # --- retrieval -----------------------------------------------------------------------------
    top_k: int = Field(4, ge=1, le=20, description="Passages put in the answer prompt.")
    candidates: int = Field(30, ge=1, description="Candidates taken from each retriever before fusion.")
    retrieval_mode: Literal["dense", "bm25", "hybrid"] = Field("hybrid", description="Which retrievers to fuse.")
    rerank: bool = Field(True, description="Re-order the top candidates by meaning (stored vectors), the question's words and figures (docs/retrieval.md).")
    passage_chars: int = Field(450, description="Characters of each retrieved chunk put in the prompt (its best sentence window; 0 = whole chunk).")
    dense_weight: float = Field(0.2, description="Weight of the dense ranking in the fusion (BM25 has 1.0); see docs/retrieval.md.")
    outlet_boost: float = Field(0.5, description="Rerank: chunks from an outlet the question names get score x (1 + this); 0 = off.")
    rrf_k: int = Field(20, description="Reciprocal-rank-fusion constant.")
    today: date | None = Field(None, description="The date relative dates ('yesterday') are counted from; default: the real today.")

    # --- chat model ----------------------------------------------------------------------------
    llm_backend: Literal["embedded", "ollama", "openai"] = Field("embedded", description="Which chat model serves answers.")
    llm_model: str = Field("qwen2.5-coder-1.5b-instruct-q4_k_m", description="Model name for ollama/openai; for embedded, informational.")
    llm_model_path: Path | None = Field(None, description="Use this GGUF file instead of the packaged one (embedded backend).")
    llm_base_url: str | None = Field(None, description="Server URL for ollama or an OpenAI-compatible endpoint.")
    llm_api_key: str | None = Field(None, description="API key for an OpenAI-compatible endpoint.")
    llm_context: int = Field(4096, ge=512, description="Context window of the embedded model, in tokens.")
    llm_threads: int = Field(2, ge=1, description="CPU threads for the embedded model.")
    llm_max_tokens: int = Field(256, ge=1, description="Most tokens generated per answer.")
    llm_temperature: float = Field(0.0, description="Sampling temperature.")

    # --- answers -------------------------------------------------------------------------------
    briefing_timezone: str = Field("UTC", description="Time zone a briefing day is cut in.")
    story_similarity: float = Field(0.6, description="Lead-embedding cosine at which two articles are one story (docs/briefing.md).")
    duplicate_jaccard: float = Field(0.5, description="5-word-shingle overlap at which an article is a reprint of another.")
    story_link_threshold: float = Field(0.9, ge=-1, le=3, description="Evidence (lead cosine + rare-name overlap - day-gap penalty) at which a report joins an earlier day's story (docs/stories.md).")
    story_link_days: int = Field(30, ge=1, le=365, description="A story with no report in this many days is closed: later reports start a new one.")
    story_claim_sentences: int = Field(8, ge=1, le=50, description="Opening sentences of each report whose claims go into the story's claim ledger.")
    outlets_file: Path | None = Field(None, description="TOML file describing outlets (name, aliases, country, ownership, funding, leaning if you set one) for coverage and blindspots; none = outlets as named.")
    briefing_article_chars: int = Field(500, description="Characters of each article given to the model per story.")
    briefing_articles_per_story: int = Field(4, description="Most reports summarised per story.")
    briefing_max_stories: int = Field(8, description="Most stories in one briefing.")
    topic_max_articles: int = Field(20, ge=2, le=60, description="Most articles one topic summary reads (map step).")
    briefing_drop_unsupported: bool = Field(True, description="Remove key points whose citations do not support them.")
    schedule_in_serve: bool = Field(True, description="`serve` also runs the schedule (feed updates, the daily briefing).")
    update_every_minutes: int = Field(60, ge=5, description="`serve` and `watch`: fetch the subscribed feeds this often.")
    briefing_time: str = Field("07:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="`serve` and `watch`: local time (briefing_timezone) at which the previous day's briefing is written.")
    smtp_host: str | None = Field(None, description="Mail the daily briefing through this SMTP server (none = no mail).")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP port (587 with smtp_starttls, 465 with smtp_ssl).")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_ssl: bool = Field(False, description="Connect to the SMTP server over TLS from the start.")
    smtp_username: str | None = Field(None, description="SMTP login (with smtp_password).")
    smtp_password: str | None = Field(None, description="SMTP password.")
    mail_from: str = Field("news-assistant@localhost", description="Sender of the briefing mail.")
    mail_to: str | None = Field(None, description="Recipients of the briefing mail, comma-separated.")
    web_username: str | None = Field(None, description="Username for the page (with web_password); none = open on the bound host.")
    web_password: str | None = Field(None, description="Password for the page.")
    refusal_text: str = Field("The articles do not contain the answer to this question.", description="What the assistant says when it cannot answer.")
    refuse_unknown_terms: bool = Field(True, description="Refuse without asking the model when no article mentions a name or number the question is about.")
    refuse_unsupported: bool = Field(True, description="Replace an answer with the refusal when none of its cited sentences is supported.")
    support_threshold: float = Field(0.55, ge=0, le=1, description="Sentences whose support score is below this are flagged unsupported (docs/verifier.md).")
    refuse_missing_outlets: bool = Field(True, description="Refuse when the question is about a report from an outlet the index does not hold.")
    check_answer_type: bool = Field(True, description="When the answer's first sentence names nothing of the kind asked (a country, a person, a number), let the model choose among the passages' candidates (docs/decomposition.md).")
    decompose: bool = Field(True, description="Answer comparison/temporal yes/no questions one claim per named report (docs/decomposition.md).")
    claim_threshold: float = Field(0.45, ge=0, le=1, description="Judge P(Yes) at which a claim counts as supported by its report.")
    claim_passage_chars: int = Field(320, ge=100, description="Characters of each of a claim's passages shown to the judge.")

    # --- other tools, audio (docs/reach.md) -------------------------------------------------------
    api_token: str | None = Field(None, description="Bearer token `assistant api` and `assistant mcp --transport http` require; needed to bind anything but loopback.")
    allowed_hosts: str | None = Field(None, description="Host names, comma-separated, that the page and `assistant api` answer to besides localhost/127.0.0.1/::1 while bound to loopback (a reverse proxy that passes the public name on); other names are refused, against DNS rebinding (docs/security.md).")
    briefing_audio: bool = Field(False, description="Also read each archived briefing aloud into an MP3 beside it (the Atom feed's podcast enclosure).")
    audio_voice: Literal["auto", "piper", "espeak-ng"] = Field("auto", description="Offline voice for the read-aloud briefing: Piper's packaged en_US voice, espeak-ng, or the first installed.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = config_file_path()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]", value):
            raise ValueError("must be 3-512 characters of letters, digits, '.', '_' or '-', starting and ending with a letter or digit")
        return value

    @field_validator(*NUMBER_RANGES)
    @classmethod
    def _in_range(cls, value: float, info) -> float:
        low, high = NUMBER_RANGES[info.field_name]
        if not math.isfinite(value):
            raise ValueError(f"must be a finite number, not {value}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"must be {'at least ' + format(low, 'g') if high is None else f'from {low:g} to {high:g}'}"
                             if low is not None else f"must be at most {high:g}")
        return value

    @field_validator("briefing_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo
        try:
            ZoneInfo(value)
        except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"unknown time zone {value!r}; use a name like UTC, Europe/Berlin or America/New_York") from None
        return value

    @field_validator("embedding_model")
    @classmethod
    def _model_folder(cls, value: str) -> str:
        folder = Path(value).expanduser()
        if folder.is_dir() and not any((folder / name).is_file() for name in ("modules.json", "config.json")):
            raise ValueError(f"{value} is a folder but not a sentence-transformers model (no modules.json or config.json)")
        if value.startswith(("/", "./", "../", "~")) and not folder.exists():
            raise ValueError(f"{value}: no such model folder")
        return value

    @field_validator("llm_model_path")
    @classmethod
    def _gguf_file(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        if not value.is_file():
            raise ValueError(f"{value} is not a file")
        with value.open("rb") as handle:
            if handle.read(4) != b"GGUF":
                raise ValueError(f"{value} is not a GGUF model file")
        return value

    @model_validator(mode="after")
    def _chunking(self) -> "Settings":
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_size ({self.chunk_size})")
        return self

    def effective_today(self) -> date:
        return self.today or date.today()


