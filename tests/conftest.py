"""Shared fixtures: the models each tier hands the product (through build_services), real on-disk Chroma stores
in temporary folders."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared" / "data"
OUTPUT = ROOT / "test-output"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# `make check` sets this: the fast tier hands the product a hashing fake embedder (tests/fakes.py) through
# build_services, the one door every part comes in by: tests that build Services or run the CLI in process pass
# `given_parts()` (the CLI takes them as `runner.invoke(app, args, obj=given_parts())`). Nothing patches a model
# loader. Tests that need the real models carry the `models` or `llm` marker and are left out of that tier;
# without the variable (the full suite, CI) `given_parts()` adds nothing and the real models load from Settings.
FAST = os.environ.get("ASSISTANT_TEST_FAST") == "1"


@functools.cache
def fake_embeddings():
    """One hashing embedder for the whole session (stateless, so sharing it changes nothing)."""
    from fakes import FakeEmbeddings
    return FakeEmbeddings()


def given_parts(**parts) -> dict:
    """Ready-made parts for build_services (and the CLI's context object): what the test passes (e.g.
    chat_model=FakeChatModel(...)), plus the fake embedder in the fast tier."""
    if FAST:
        parts.setdefault("embeddings", fake_embeddings())
    return parts


def built(settings, **parts):
    """The product's services for a test: build_services with the tier's parts (see given_parts)."""
    from assistant.services import build_services
    return build_services(settings, **given_parts(**parts))


@pytest.fixture()
def given() -> dict:
    """given_parts() as a fixture, for `runner.invoke(app, args, obj=given)`."""
    return given_parts()


@pytest.fixture(autouse=True)
def no_real_models_in_the_fast_tier():
    """The fast tier must not load a real model: a test that does has a part that did not come in through
    build_services (hand it given_parts()) or needs the `models` / `llm` marker."""
    yield
    if FAST:
        from assistant.models import chat, embeddings
        loaded = sorted(embeddings._loaded) + ["chat model"] * chat._embedded.cache_info().currsize
        assert not loaded, f"the fast tier loaded real models: {loaded}"


@pytest.fixture(scope="session")
def embeddings():
    if FAST:
        return fake_embeddings()
    from assistant.models.embeddings import get_embeddings
    return get_embeddings("all-MiniLM-L6-v2")


@pytest.fixture()
def settings(tmp_path):
    from assistant.settings import Settings
    return Settings(index_dir=tmp_path / "index", chroma_url=None)


@pytest.fixture()
def store(settings, embeddings):
    from assistant.services import build_services
    return build_services(settings, embeddings=embeddings).store


@pytest.fixture()
def articles_dir(tmp_path) -> Path:
    """A writable copy of the fixture articles."""
    target = tmp_path / "articles"
    shutil.copytree(FIXTURES / "articles", target)
    return target


def run_cli(*args: str, env: dict | None = None, check: bool = False, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the installed `assistant` command the way a user would."""
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                            env=full_env, timeout=timeout, cwd=ROOT)
    if check and result.returncode != 0:
        raise AssertionError(f"assistant {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


@contextmanager
def serve_http(handler, port: int | None = None) -> Iterator[str]:
    """A local HTTP server on a thread (tests never reach the internet); yields its base URL."""
    from assistant.evals.feedsite import free_port
    port = port or free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
