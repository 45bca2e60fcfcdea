"""The bad-input suite: every kind gives exit code 2, one line naming the input and the reason,
no traceback, an unchanged index, and a bounded time. Runs the CLI in-process (real embedder, real store)."""

from __future__ import annotations

import gzip
import http.server
import json
import os
import socket
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.__main__ import app
from assistant.evals.feedsite import free_port
from conftest import FIXTURES, built, given_parts, serve_http

runner = CliRunner()


class HostileHandler(http.server.BaseHTTPRequestHandler):
    """Pages that misbehave the ways real servers do."""

    def log_message(self, *args):
        pass

    def send_body(self, body: bytes, kind: str = "text/html", status: int = 200, extra: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path
        if path == "/500":
            self.send_body(b"boom", status=500)
        elif path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif path.startswith("/hop"):
            n = int(path[4:] or 0)
            self.send_response(302)
            self.send_header("Location", f"/hop{n + 1}")
            self.end_headers()
        elif path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(300_000_000))
            self.end_headers()
            self.wfile.write(b"<html>" + b"x" * 1000)
        elif path == "/huge-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(400):
                    self.wfile.write(b"<p>" + b"word " * 20_000 + b"</p>")
            except OSError:
                pass
        elif path == "/gzip-bomb":
            body = gzip.compress(b"A" * 60_000_000)
            self.send_body(body, extra={"Content-Encoding": "gzip"})
        elif path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(60):
                    self.wfile.write(b"<p>slow</p>")
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                pass
        elif path == "/not-xml.rss":
            self.send_body(b"this is plain text, not a feed", kind="application/rss+xml")
        elif path == "/empty-page":
            self.send_body(b"<html><body><nav>menu</nav></body></html>")
        elif path == "/bad-charset":
            self.send_body("<html><head><meta charset='utf-16'></head><body><p>text</p></body></html>".encode())
        elif path == "/feed-dead-items":
            items = "".join(f"<item><title>Item {i}</title><link>http://127.0.0.1:9/dead{i}</link></item>" for i in range(3))
            self.send_body(f"<rss version='2.0'><channel><title>Dead</title>{items}</channel></rss>".encode(),
                           kind="application/rss+xml")
        else:
            self.send_body(b"missing", status=404)


@pytest.fixture(scope="module")
def hostile_site():
    with serve_http(HostileHandler) as base:
        yield base


@pytest.fixture(scope="module")
def seeded_index(tmp_path_factory):
    index = tmp_path_factory.mktemp("bad") / "index"
    result = runner.invoke(app, ["--index", str(index), "ingest", "-q", str(FIXTURES / "articles")], obj=given_parts())
    assert result.exit_code == 0, result.output
    return index


def index_snapshot(index: Path) -> list[tuple[str, str]]:
    from assistant.settings import Settings
    store = built(Settings(index_dir=index)).store
    listing = store.all_chunks(include_documents=False)
    return sorted((cid, meta["content_hash"]) for cid, meta in zip(listing["ids"], listing["metadatas"]))


def write(path: Path, content: str | bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def md(front: str, body: str = "Body text of the article, in a sentence or two.") -> str:
    return f"---\n{front}\n---\n\n{body}\n"


ALIAS_BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" \
             "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\ntitle: *e"

# name -> (file name, content, words the error line must contain)
FILE_CASES = {
    "empty txt": ("empty.txt", "", "empty"),
    "blank md": ("blank.md", "   \n\n  ", "empty"),
    "binary txt": ("binary.txt", b"\x00\x01\x02PK\x03\x04" * 50, "binary"),
    "latin-1 without a charset": ("latin.md", "Caf\xe9 ouvert\n\nLe caf\xe9 est ouvert.".encode("latin-1"), "UTF-8"),
    "title only": ("title-only.txt", "Just a title\n", "no body"),
    "md without title": ("untitled.md", "Some text but no heading at all.", "no title"),
    "invalid yaml": ("bad-yaml.md", md("title: [unclosed"), "YAML"),
    "front matter list": ("list.md", md("- a\n- b"), "mapping"),
    "url as number": ("url-number.md", md("title: T\nurl: 12345"), "url"),
    "impossible date": ("bad-date.md", md("title: T\npublished_at: 2024-13-45"), "date"),
    "alias bomb": ("bomb.md", md(ALIAS_BOMB), "alias"),
    "huge front matter": ("huge-front.md", md("title: T\nnote: " + "x" * 30_000), "front matter"),
    "year 9999": ("future.md", md("title: T\npublished_at: 9999-01-01"), "out of range"),
    "year 1066": ("past.md", md("title: T\npublished_at: 1066-10-14"), "out of range"),
    "title as mapping": ("title-map.md", md("title: {a: 1}"), "title"),
    "author as mapping": ("author-map.md", md("title: T\nauthor: {name: x}"), "author"),
    "malformed json": ("bad.json", "{not json", "malformed JSON"),
    "json number": ("number.json", "42", "expected an object"),
    "json list of strings": ("strings.json", '["a"]', "expected an object"),
    "json missing title": ("no-title.json", '{"body": "text"}', "title"),
    "json missing body": ("no-body.json", '{"title": "T"}', "body"),
    "json body as number": ("body-number.json", '{"title": "T", "body": 5}', "body"),
    "json url as number": ("url-number.json", '{"title": "T", "body": "Text here.", "url": 7}', "url"),
    "json id as list": ("id-list.json", '{"id": [1], "title": "T", "body": "Text here."}', "id"),
    "deeply nested json": ("nested.json", "[" * 100_000 + "]" * 100_000, "nested"),
    "jsonl bad line": ("bad.jsonl", "{oops}\n", "malformed JSON"),
    "jsonl string line": ("string.jsonl", '"just a string"\n', "expected an object"),
    "jsonl date as bool": ("bool-date.jsonl", '{"title": "T", "body": "Text here.", "published_at": true}', "date"),
    "jsonl garbage date": ("garbage-date.jsonl", '{"title": "T", "body": "Text here.", "published_at": "soonish"}', "date"),
    "jsonl blank": ("blank.jsonl", "\n\n\n", "empty"),
    "jsonl without records": ("comments.jsonl", "   \n{}\n", "title"),
    "json empty list": ("empty-list.json", "[]", "no articles"),
    "rss not xml": ("not-a-feed.rss", "plain words, not a feed", "not an RSS/Atom feed"),
    "rss without items": ("no-items.rss", "<rss version='2.0'><channel><title>x</title></channel></rss>", "not an RSS/Atom feed"),
    "empty xml": ("empty.xml", "", "empty"),
    "html without text": ("nothing.html", "<html><body><nav>Home</nav></body></html>", "no article text"),
    "empty html": ("empty.html", "", "empty"),
    "unsupported extension": ("paper.pdf", "%PDF-1.4", "unsupported file type"),
    "no extension": ("README", "text", "unsupported file type"),
    "one endless line": ("endless.txt", "Title\n" + "x" * 3_000_000, "prose"),
    "endless title line": ("long-title.txt", "T" * 5000 + "\nbody words here", "title"),
    "broken utf-16": ("broken16.txt", b"\xff\xfeA\x00B", "utf-16"),
    "unknown declared charset": ("unknown-charset.html", "<html><head><meta charset='klingon-8'></head><body><p>x</p></body></html>", "charset"),
    "bad bytes for declared charset": ("bad-declared.html", b"<html><head><meta charset='ascii'></head><body><p>caf\xe9 is open</p></body></html>", "ascii"),
}


@pytest.mark.parametrize("name", sorted(FILE_CASES))
def test_bad_file_gives_one_line_and_leaves_the_index_alone(name, seeded_index, tmp_path):
    filename, content, reason = FILE_CASES[name]
    path = write(tmp_path / filename, content)
    before = index_snapshot(seeded_index)
    started = time.perf_counter()
    result = runner.invoke(app, ["--index", str(seeded_index), "ingest", "-q", path], obj=given_parts())
    assert time.perf_counter() - started < 30
    assert_one_clean_line(result, Path(path).name, reason)
    assert index_snapshot(seeded_index) == before


def assert_one_clean_line(result, names: str, reason: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert names in lines[0] and reason.lower() in lines[0].lower(), lines[0]


SPECIAL_CASES = ["fifo", "symlink to /dev/zero", "dangling symlink", "missing path", "over the size cap", "duplicate id"]


@pytest.mark.parametrize("name", SPECIAL_CASES)
def test_special_files_are_refused_by_type_or_size(name, seeded_index, tmp_path):
    target = tmp_path / "x.txt"
    expected = {"fifo": "pipe", "symlink to /dev/zero": "device", "dangling symlink": "no such file",
                "missing path": "no such file", "over the size cap": "limit", "duplicate id": "already used"}[name]
    args = [str(target)]
    extra: list[str] = []
    if name == "fifo":
        os.mkfifo(target)
    elif name == "symlink to /dev/zero":
        target.symlink_to("/dev/zero")
    elif name == "dangling symlink":
        target.symlink_to(tmp_path / "gone.txt")
    elif name == "over the size cap":
        target.write_text("Title\n" + "word " * 300_000)
        extra = ["--set", "max_article_bytes=1000000"]
    elif name == "duplicate id":
        first = write(tmp_path / "a.json", json.dumps({"id": "same", "title": "One", "body": "The first story."}))
        second = write(tmp_path / "b.json", json.dumps({"id": "same", "title": "Two", "body": "A different story."}))
        args = [first, second]
    before = index_snapshot(seeded_index)
    started = time.perf_counter()
    result = runner.invoke(app, ["--index", str(seeded_index), *extra, "ingest", "-q", *args], obj=given_parts())
    assert time.perf_counter() - started < 30
    if name == "duplicate id":  # the first is stored, the clash is reported, nothing silently lost
        assert result.exit_code == 2 and "1 new" in result.stdout
        (line,) = [l for l in result.stderr.splitlines() if l.strip()]
        assert "b.json" in line and "a.json" in line and expected in line
        return
    assert_one_clean_line(result, "x.txt", expected)
    assert index_snapshot(seeded_index) == before


URL_CASES = {
    "404": ("/nope", "404"), "500": ("/500", "500"), "redirect loop": ("/loop", "redirects"),
    "too many redirects": ("/hop0", "redirects"), "huge declared length": ("/huge-declared", "limit"),
    "huge chunked body": ("/huge-chunked", "limit"), "gzip bomb": ("/gzip-bomb", "limit"),
    "trickling server": ("/trickle", "longer than"), "feed that is not xml": ("/not-xml.rss", "not an RSS/Atom feed"),
    "page without text": ("/empty-page", "no article text"), "wrong declared charset": ("/bad-charset", "utf-16"),
}


@pytest.mark.parametrize("name", sorted(URL_CASES))
def test_bad_url_gives_one_line_within_the_deadline(name, seeded_index, hostile_site):
    path, reason = URL_CASES[name]
    before = index_snapshot(seeded_index)
    started = time.perf_counter()
    result = runner.invoke(app, ["--index", str(seeded_index), "--set", "fetch_deadline=3", "--set", "fetch_timeout=2",
                                 "ingest", "-q", hostile_site + path], obj=given_parts())
    assert time.perf_counter() - started < 30
    assert_one_clean_line(result, path, reason)
    assert index_snapshot(seeded_index) == before


def test_unreachable_and_non_http_urls(seeded_index):
    for url, reason in [(f"http://127.0.0.1:{free_port()}/story", "unreachable"), ("ftp://example.com/x.html", "unsupported")]:
        result = runner.invoke(app, ["--index", str(seeded_index), "ingest", "-q", url], obj=given_parts())
        assert result.exit_code == 2 and reason in result.stderr.lower() or "no such file" in result.stderr, result.stderr


def test_feed_whose_items_all_fail_reports_each_and_stores_nothing(seeded_index, hostile_site):
    before = index_snapshot(seeded_index)
    result = runner.invoke(app, ["--index", str(seeded_index), "--set", "fetch_timeout=2", "ingest", "-q",
                                 hostile_site + "/feed-dead-items"], obj=given_parts())
    assert result.exit_code == 2
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) == 3 and all("dead" in l for l in lines), lines
    assert index_snapshot(seeded_index) == before


def setting_cases(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    a_file = tmp_path / "plain-file"
    a_file.write_text("not a folder")
    corrupt = tmp_path / "corrupt-index"
    corrupt.mkdir()
    (corrupt / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    not_gguf = tmp_path / "model.gguf"
    not_gguf.write_bytes(b"NOTAMODEL" * 100)
    return {
        "index is a file": (["--index", str(a_file), "stats"], "is a file"),
        "index under a file": (["--index", str(a_file / "sub"), "stats"], "plain-file"),
        "corrupt index": (["--index", str(corrupt), "stats"], "corrupt-index"),
        "overlap above size": (["--set", "chunk_overlap=900", "stats"], "chunk_overlap"),
        "zero chunk size": (["--set", "chunk_size=0", "stats"], "chunk_size"),
        "bad collection name": (["--set", "collection=x", "stats"], "collection"),
        "model not gguf": (["--set", f"llm_model_path={not_gguf}", "stats"], "GGUF"),
        "unknown setting": (["--set", "no_such_setting=1", "stats"], "no_such_setting"),
        "malformed --set": (["--set", "top_k", "stats"], "NAME=VALUE"),
        "port out of range": (["serve", "--port", "70000"], "70000"),
        "briefing in year 9999": (["briefing", "--date", "9999-12-31"], "out of range"),
        "briefing date not a date": (["briefing", "--date", "tomorrow"], "YYYY-MM-DD"),
        "briefing out under a file": (["briefing", "--out", str(a_file / "b.md")], "plain-file"),
        "question too long": (["ask", "x" * 20_000], "20,000 characters"),
        "search dates unreadable": (["search", "x", "--since", "someday"], "someday"),
    }


CASE_NAMES = ["index is a file", "index under a file", "corrupt index", "overlap above size", "zero chunk size",
              "bad collection name", "model not gguf", "unknown setting", "malformed --set", "port out of range",
              "briefing in year 9999", "briefing date not a date", "briefing out under a file", "question too long",
              "search dates unreadable"]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_bad_settings_and_options_give_one_line(name, seeded_index, tmp_path):
    args, reason = setting_cases(tmp_path)[name]
    if "--index" not in args:
        args = ["--index", str(seeded_index), *args]
    result = runner.invoke(app, args, obj=given_parts())
    assert_one_clean_line(result, "", reason)


def test_port_in_use_gives_one_line(seeded_index):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["--index", str(seeded_index), "serve", "--port", str(port)], obj=given_parts())
    assert_one_clean_line(result, str(port), "cannot listen")


KINDS = len(FILE_CASES) + len(SPECIAL_CASES) + len(URL_CASES) + len(CASE_NAMES) + 3


def test_the_bad_input_suites_cover_at_least_150_kinds():
    """This file, the leak suite (every hop checked), the input suite (settings, options, the feeds database,
    output paths, OPML, JSON Lines, escapes) and the full-disk suite: counted in docs/security.md."""
    import test_security_disk
    import test_security_fetch
    import test_security_inputs
    total = KINDS + test_security_fetch.KINDS + test_security_inputs.KINDS + test_security_disk.KINDS
    assert total >= 150, total
