"""A full disk: ingest stops with one line (exit 1), stats and check say the disk is full instead of tracing
back, an output file is not half-written, and the store is intact once it has room again. The disk is a
small tmpfs (needs root; skipped where it cannot be mounted)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.__main__ import app
from conftest import given_parts
from security_kit import assert_one_line

runner = CliRunner()
WORDS = "council harbor plant budget river festival ferry library bridge school port tram market museum storm".split()


def corpus(path: Path, articles: int) -> Path:
    rng = random.Random(3)
    with path.open("w") as out:
        for i in range(articles):
            body = " ".join(rng.choice(WORDS) for _ in range(1500)) + "."
            out.write(json.dumps({"id": f"a{i}", "title": f"Story {i}", "source": "Ledger", "body": body}) + "\n")
    return path


def fresh_process_view() -> None:
    """Forget Chroma's per-process cache, so each command opens the store as a new process would."""
    import gc
    from chromadb.api.client import SharedSystemClient
    SharedSystemClient.clear_system_cache()
    gc.collect()


def invoke(*args: str):
    fresh_process_view()
    return runner.invoke(app, list(args), obj=given_parts())


def fill_up(path: Path) -> None:
    """Take whatever room is left; the ingest may already have taken it all (then the file cannot even open)."""
    try:
        with open(path, "wb") as filler:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
    except OSError:
        pass


@pytest.fixture(scope="module")
def full_disk(tmp_path_factory):
    folder = Path(f"/tmp/news-assistant-full-{uuid.uuid4().hex[:8]}")
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=5m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        data = corpus(tmp_path_factory.mktemp("disk") / "corpus.jsonl", 120)
        ingest = invoke("--index", str(folder / "index"), "ingest", "-q", str(data))
        fill_up(folder / "filler")
        yield folder, ingest
    finally:
        fresh_process_view()
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        folder.rmdir()


def test_ingest_on_a_full_disk_is_one_line(full_disk):
    _, ingest = full_disk
    assert_one_line(ingest, "is full", code=1)
    assert "intact" in ingest.stderr


@pytest.mark.parametrize("command", [["stats"], ["check", "-q"], ["search", "harbor"]])
def test_reading_a_full_disk_store_is_one_line(full_disk, command):
    folder, _ = full_disk
    assert_one_line(invoke("--index", str(folder / "index"), *command), "is full")


def test_an_output_on_the_full_disk_is_one_line_and_leaves_no_half_file(full_disk, tmp_path):
    folder, _ = full_disk
    outlines = "".join(f"<outline text='F{n}' xmlUrl='http://example.com/{n}.xml'/>" for n in range(300))
    (tmp_path / "s.opml").write_text(f"<opml version='2.0'><body>{outlines}</body></opml>")
    assert invoke("--index", str(tmp_path / "index"), "feeds", "import", "-q", str(tmp_path / "s.opml")).exit_code == 0
    result = invoke("--index", str(tmp_path / "index"), "feeds", "export", "--out", str(folder / "subs.opml"))
    assert_one_line(result, "disk is full")
    assert not (folder / "subs.opml").exists() and not list(folder.glob(".subs.opml.*"))


def test_the_store_is_intact_once_it_has_room(full_disk, tmp_path):
    folder, _ = full_disk
    shutil.copytree(folder / "index", tmp_path / "index")
    stats = invoke("--index", str(tmp_path / "index"), "stats")
    assert stats.exit_code == 0 and "articles" in stats.stdout, stats.output
    assert int(stats.stdout.split()[0]) > 0


KINDS = 6  # ingest, stats, check, search, an output, the store afterwards
