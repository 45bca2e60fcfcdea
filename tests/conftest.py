"""Shared fixtures: real embedding model, real on-disk Chroma stores in temporary folders."""

from __future__ import annotations

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
# `make check` sets this: the fast tier swaps the embedding model for a hashing fake (tests/fakes.py);
# tests that need the real models carry the `models` or `llm` marker and are left out of that tier.
FAST = os.environ.get("ASSISTANT_TEST_FAST") == "1"


@pytest.fixture(scope="session", autouse=True)
def fake_models_in_the_fast_tier():
    if not FAST:
        yield
        return
    from assistant.models import embeddings as module
    from fakes import FakeEmbeddings
    fake = FakeEmbeddings()
    original = module.get_embeddings
    module.get_embeddings = lambda *args, **kwargs: fake
    yield
    module.get_embeddings = original


@pytest.fixture(scope="session")
def embeddings():
    if FAST:
        from fakes import FakeEmbeddings
        return FakeEmbeddings()
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
