"""Bad input beyond files and URLs: settings out of range, command options, the feeds database (busy,
damaged), output paths, OPML, JSON Lines, terminal escapes. Each kind: its exit code, one line naming the
input and the problem, no traceback, the store and the feeds database unchanged."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.__main__ import app
from conftest import FIXTURES, given_parts
from security_kit import assert_one_line, error_lines, feeds_snapshot, index_snapshot, public_site

runner = CliRunner()
ESCAPES = "\x1b]8;;http://evil.example\x07\x1b[2J\x9b31m\u202eevil\x07"
RAW_ESCAPE_CHARS = ("\x1b", "\x07", "\x9b", "\u202e")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """An index with the fixture articles and a feeds database with one feed and one topic."""
    index = tmp_path_factory.mktemp("inputs") / "index"
    assert runner.invoke(app, ["--index", str(index), "ingest", "-q", str(FIXTURES / "articles")], obj=given_parts()).exit_code == 0
    assert runner.invoke(app, ["--index", str(index), "feeds", "add", "http://example.com/rss.xml"], obj=given_parts()).exit_code == 0
    assert runner.invoke(app, ["--index", str(index), "topics", "add", "chip plant"], obj=given_parts()).exit_code == 0
    return index


def invoke(index: Path, *args: str, env: dict | None = None):
    return runner.invoke(app, ["--index", str(index), *args], env=env, obj=given_parts())


def unchanged(index: Path):
    """A check that the store and the feeds database are as they were when this was called."""
    before = (index_snapshot(index), feeds_snapshot(index))
    return lambda: (index_snapshot(index), feeds_snapshot(index)) == before


# --- settings: ranges, finiteness, time zones, model folders, the config file -----------------------------
SETTINGS = {
    "rrf_k=-1": ("rrf_k=-1", "rrf_k"), "rrf_k=0": ("rrf_k=0", "rrf_k"), "rrf_k=-5": ("rrf_k=-5", "rrf_k"),
    "dense_weight=nan": ("dense_weight=nan", "finite"), "dense_weight=inf": ("dense_weight=inf", "finite"),
    "dense_weight=-1": ("dense_weight=-1", "dense_weight"), "fetch_deadline=inf": ("fetch_deadline=inf", "finite"),
    "fetch_timeout=inf": ("fetch_timeout=inf", "finite"), "fetch_timeout=nan": ("fetch_timeout=nan", "fetch_timeout"),
    "fetch_deadline=1e300": ("fetch_deadline=1e300", "fetch_deadline"), "write_wait_s=inf": ("write_wait_s=inf", "finite"),
    "outlet_boost=-1": ("outlet_boost=-1", "outlet_boost"), "llm_temperature=nan": ("llm_temperature=nan", "finite"),
    "story_similarity=2": ("story_similarity=2", "story_similarity"), "duplicate_jaccard=1.5": ("duplicate_jaccard=1.5", "duplicate_jaccard"),
    "passage_chars=-1": ("passage_chars=-1", "passage_chars"), "briefing_max_stories=0": ("briefing_max_stories=0", "briefing_max_stories"),
    "unknown time zone": ("briefing_timezone=Mars/Base", "Mars/Base"),
    "time zone as a path": ("briefing_timezone=../../etc/passwd", "time zone"),
    "embedding model folder that is no model": ("embedding_model=/etc", "sentence-transformers"),
    "embedding model folder that is missing": ("embedding_model=/no/such/model", "no such model folder"),
}


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_settings_out_of_range_give_one_line(name, tmp_path):
    assignment, reason = SETTINGS[name]
    assert_one_line(invoke(tmp_path / "index", "--set", assignment, "topics", "list"), reason)
    assert not (tmp_path / "index").exists()  # refused before anything was created


CONFIGS = {"config is a folder": (None, "is a folder"), "config is missing": ("missing", "no such file"),
           "config is not TOML": ("rrf_k = = 3", "bad settings"), "config out of range": ("rrf_k = -1\n", "rrf_k")}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_a_bad_config_file_gives_one_line(name, tmp_path):
    content, reason = CONFIGS[name]
    path = tmp_path / "conf"
    if content is None:
        path.mkdir()
    elif content != "missing":
        path.write_text(content)
    assert_one_line(invoke(tmp_path / "index", "topics", "list", env={"ASSISTANT_CONFIG": str(path)}), reason)


# --- search options: checked before the store is opened ----------------------------------------------------
SEARCH = {"-k 0": (["x", "-k", "0"], "-k 0"), "-k -3": (["x", "-k", "-3"], "-k -3"),
          "-k 100000": (["x", "-k", "100000"], "-k 100000"), "--mode foo": (["x", "--mode", "foo"], "'foo'"),
          "--mode empty": (["x", "--mode", ""], "--mode"), "empty query": ([""], "empty"),
          "blank query": (["   \t"], "empty"), "20,000-character query": (["x" * 20_000], "20,000 characters")}


@pytest.mark.parametrize("name", sorted(SEARCH))
def test_search_options_are_checked(name, seeded):
    args, reason = SEARCH[name]
    assert_one_line(invoke(seeded, "search", *args), reason)


# --- subscriptions and topics -----------------------------------------------------------------------------
FEED_URLS = {
    "http:// without a host": ("http://", "no host"), "https:// without a host": ("https://", "no host"),
    "file: URL": ("file:///etc/passwd", "only http(s)"), "javascript: URL": ("javascript:alert(1)", "only http(s)"),
    "gopher: URL": ("gopher://example.com/1", "only http(s)"), "ftp: URL": ("ftp://example.com/feed", "only http(s)"),
    "not a URL": ("not-a-url", "only http(s)"), "URL with escapes": ("http://example.com/" + ESCAPES, "control characters"),
    "URL with a space": ("http://example.com/a feed", "spaces"), "URL with a password": ("http://u:p@example.com/rss", "passwords"),
    "5,000-character URL": ("http://example.com/" + "a" * 5000, "4,000 characters"),
    "already subscribed": ("http://example.com/rss.xml", "already subscribed"),
}


@pytest.mark.parametrize("name", sorted(FEED_URLS))
def test_feed_urls_that_cannot_be_subscribed(name, seeded):
    url, reason = FEED_URLS[name]
    same = unchanged(seeded)
    assert_one_line(invoke(seeded, "feeds", "add", url), reason)
    assert same()


TOPICS = {"100 kB topic": (["add", "word " * 20_000], "at most 200"), "blank topic": (["add", "  \n "], "needs some words"),
          "topic of escapes only": (["add", "\x1b\x07\x9b"], "needs some words"),
          "removing an unknown topic": (["remove", "no such topic"], "not on the watchlist"),
          "removing an unknown feed": (["remove", "#999"], "not subscribed")}


@pytest.mark.parametrize("name", sorted(TOPICS))
def test_topics_and_removals_that_cannot_be_made(name, seeded):
    args, reason = TOPICS[name]
    same = unchanged(seeded)
    assert_one_line(invoke(seeded, "topics" if "feed" not in name else "feeds", *args), reason)
    assert same()


# --- output paths: checked first, one line naming the path -------------------------------------------------
def output_cases(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    a_file = tmp_path / "plain-file"
    a_file.write_text("x")
    (tmp_path / "a-folder").mkdir()
    verify_input = tmp_path / "texts.jsonl"
    verify_input.write_text(json.dumps({"id": "1", "text": "The council met [1].", "passages": ["The council met on Monday."]}))
    return {
        "export --out under a file": (["feeds", "export", "--out", str(a_file / "subs.opml")], "plain-file"),
        "export --out a folder": (["feeds", "export", "--out", str(tmp_path / "a-folder")], "is a folder"),
        "export --out a full disk": (["feeds", "export", "--out", "/dev/full"], "disk is full"),
        "export --out a file that cannot be written": (["feeds", "export", "--out", "/proc/version"], "/proc/version"),
        "verify --out under a file": (["verify", str(verify_input), "--out", str(a_file / "out.jsonl")], "plain-file"),
        "verify --out a folder": (["verify", str(verify_input), "--out", str(tmp_path / "a-folder")], "is a folder"),
        "verify --out a full disk": (["verify", str(verify_input), "--out", "/dev/full"], "disk is full"),
    }


OUTPUT_CASES = ["export --out under a file", "export --out a folder", "export --out a full disk",
                "export --out a file that cannot be written", "verify --out under a file", "verify --out a folder",
                "verify --out a full disk"]


@pytest.mark.parametrize("name", OUTPUT_CASES)
def test_output_paths_are_checked_and_named(name, seeded, tmp_path):
    args, reason = output_cases(tmp_path)[name]
    line = assert_one_line(invoke(seeded, *args), reason)
    assert "--out" in line


def test_an_export_into_a_missing_folder_creates_it(seeded, tmp_path):
    out = tmp_path / "new" / "folder" / "subs.opml"
    result = invoke(seeded, "feeds", "export", "--out", str(out))
    assert result.exit_code == 0 and "http://example.com/rss.xml" in out.read_text()


# --- the feeds database: another process holding it, a damaged file ----------------------------------------
@pytest.fixture()
def follow_index(tmp_path):
    index = tmp_path / "index"
    assert invoke(index, "feeds", "add", "http://example.com/a.xml", "--name", "A").exit_code == 0
    assert invoke(index, "topics", "add", "harbor").exit_code == 0
    return index


@contextmanager
def lock_held(path: Path):
    """Another connection holds an exclusive lock on the database (as another process would) until the end."""
    ready, release = threading.Event(), threading.Event()

    def hold():
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        ready.set()
        release.wait(10)
        connection.execute("ROLLBACK")
        connection.close()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    ready.wait(5)
    try:
        yield
    finally:
        release.set()
        holder.join(5)


BUSY = {"feeds add while locked": ["feeds", "add", "http://example.com/b.xml"],
        "topics add while locked": ["topics", "add", "ferry"], "feeds list while locked": ["feeds", "list"],
        "update while locked": ["update", "-q"]}


@pytest.mark.parametrize("name", sorted(BUSY))
def test_a_busy_feeds_database_is_one_line(name, follow_index):
    before = feeds_snapshot(follow_index)
    with lock_held(follow_index / "follow.sqlite3"):
        started = time.perf_counter()
        result = invoke(follow_index, "--set", "write_wait_s=0.3", *BUSY[name])
        assert time.perf_counter() - started < 20  # gives up after write_wait_s (0.3 s), not the default wait of minutes
    assert_one_line(result, "another process", code=1)
    assert feeds_snapshot(follow_index) == before


def damage_table(path: Path, table: str) -> None:
    """Overwrite the first page of one table with garbage (what a torn write or a bad disk leaves)."""
    with sqlite3.connect(path) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    with open(path, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xde\xad\xbe\xef" * (page_size // 4))


DAMAGED = {"feeds list, feeds page damaged": ["feeds", "list"], "feeds add, feeds page damaged": ["feeds", "add", "http://example.com/c.xml"],
           "update, feeds page damaged": ["update", "-q"], "topics list, topics page damaged": ["topics", "list"]}


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_a_damaged_feeds_database_is_one_line_with_the_way_out(name, follow_index):
    damage_table(follow_index / "follow.sqlite3", "topics" if "topics" in name else "feeds")
    line = assert_one_line(invoke(follow_index, *DAMAGED[name]), "damaged")
    assert "follow.sqlite3" in line and ".recover" in line


def test_a_file_that_is_not_a_database(tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    (index / "follow.sqlite3").write_bytes(b"not a database at all " * 300)
    assert_one_line(invoke(index, "feeds", "list"), "damaged")


def test_export_still_works_when_only_the_items_are_damaged(follow_index):
    damage_table(follow_index / "follow.sqlite3", "items")
    result = invoke(follow_index, "feeds", "export")
    assert result.exit_code == 0 and 'xmlUrl="http://example.com/a.xml"' in result.stdout
    listing = invoke(follow_index, "feeds", "list")  # works where it can, else one line
    assert listing.exit_code == 0 or (listing.exit_code == 2 and len(error_lines(listing)) == 1)


# --- OPML: the XML rules of feeds, http(s) outlines only, the real size cap --------------------------------
def opml(body: str, head: str = "") -> str:
    return f'<?xml version="1.0"?>\n{head}<opml version="2.0"><head><title>x</title></head><body>{body}</body></opml>'


OUTLINE = "<outline text='A' xmlUrl='http://example.com/feed.xml'/>"
ENTITY_DOCTYPE = '<!DOCTYPE opml [<!ENTITY e "http://evil.example/feed">]>'
OPML_CASES = {
    "DOCTYPE after a 4 kB comment": (opml("<outline text='&e;' xmlUrl='&e;'/>", "<!--" + "x" * 5000 + "-->" + ENTITY_DOCTYPE), "not accepted"),
    "entity declaration": (opml(OUTLINE, ENTITY_DOCTYPE), "entities"),
    "bare DOCTYPE": (opml(OUTLINE, "<!DOCTYPE opml>"), "DOCTYPE"),
    "UTF-16 with a DOCTYPE": (opml(OUTLINE, ENTITY_DOCTYPE).replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16"), "entities"),
    "UTF-16 without a byte-order mark": (opml(OUTLINE, "<!DOCTYPE opml>").replace('version="1.0"', 'version="1.0" encoding="UTF-16LE"').encode("utf-16-le"), "DOCTYPE"),
    "UTF-32 with a DOCTYPE": (opml(OUTLINE, ENTITY_DOCTYPE).encode("utf-32"), "entities"),
    "billion laughs": (opml("<outline text='&l9;' xmlUrl='http://example.com/x'/>", '<!DOCTYPE o [<!ENTITY l0 "ha">'
                            + "".join(f'<!ENTITY l{i} "' + f"&l{i-1};" * 10 + '">' for i in range(1, 10)) + "]>"), "entities"),
    "over the 5 MB cap": (opml(OUTLINE + "<!--" + "x" * 5_100_000 + "-->"), "5,000,000-byte limit for an OPML file"),
    "declares an unknown encoding": (opml(OUTLINE).replace('version="1.0"', 'version="1.0" encoding="klingon"'), "unknown encoding"),
    "binary": (b"\x00\x01\x02\x03" * 100, "OPML"),
    "file: outline": (opml("<outline text='P' xmlUrl='file:///etc/passwd'/>"), "only http(s)"),
    "javascript: outline": (opml("<outline text='J' xmlUrl='javascript:alert(1)'/>"), "only http(s)"),
    "gopher: outline": (opml("<outline text='G' xmlUrl='gopher://example.com/1'/>"), "only http(s)"),
    "outline URL with a C1 control": (opml("<outline text='E' xmlUrl='http://example.com/&#x9b;2J'/>"), "control characters"),
    "outline with a raw ESC": (opml("<outline text='\x1b[2J' xmlUrl='http://example.com/e.xml'/>"), "not valid XML"),
}


@pytest.mark.parametrize("name", sorted(OPML_CASES))
def test_bad_opml_gives_one_line_and_subscribes_nothing(name, seeded, tmp_path):
    content, reason = OPML_CASES[name]
    path = tmp_path / "subs.opml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    same = unchanged(seeded)
    line = assert_one_line(invoke(seeded, "feeds", "import", "-q", str(path)), reason)
    assert "max_article_bytes" not in line
    assert same()


def test_opml_titles_with_escapes_are_stored_and_shown_clean(tmp_path):
    index = tmp_path / "index"
    title = "Harbor&#x9b;31m&#x202e;Ledger&#x85;"  # XML 1.0 allows C1 controls and bidi overrides, not ESC
    (tmp_path / "s.opml").write_text(opml(f"<outline text='{title}' xmlUrl='http://example.com/h.xml'/>"))
    assert invoke(index, "feeds", "import", "-q", str(tmp_path / "s.opml")).exit_code == 0
    for args in (["feeds", "list"], ["feeds", "export"], ["feeds", "remove", "http://example.com/h.xml"]):
        result = invoke(index, *args)
        assert result.exit_code == 0 and not any(ch in result.output for ch in RAW_ESCAPE_CHARS), (args, result.output)
        if args[1] != "remove":
            assert "Harbor31mLedger" in result.stdout


def test_a_feed_name_with_escapes_is_stored_clean(tmp_path):
    index = tmp_path / "index"
    assert invoke(index, "feeds", "add", "http://example.com/n.xml", "--name", "Harbor " + ESCAPES).exit_code == 0
    for args in (["feeds", "list"], ["feeds", "export"], ["feeds", "remove", "#1"]):
        result = invoke(index, *args)
        assert result.exit_code == 0 and not any(ch in result.output for ch in RAW_ESCAPE_CHARS), (args, result.output)


def test_ten_thousand_outlines_import_in_one_transaction(tmp_path, monkeypatch):
    """A transaction per feed took 130-150 s for this file; the import must open a handful, not thousands."""
    from assistant.follow.database import FollowDatabase
    opened = []
    real_connect = FollowDatabase.connect
    monkeypatch.setattr(FollowDatabase, "connect", lambda self: opened.append(1) or real_connect(self))
    index = tmp_path / "index"
    body = "".join(f"<outline text='Feed {i}' xmlUrl='http://example.com/{i}.xml'/>" for i in range(10_000))
    (tmp_path / "big.opml").write_text(opml(body))
    result = invoke(index, "feeds", "import", str(tmp_path / "big.opml"))
    assert result.exit_code == 0 and "10000 feeds added" in result.stdout
    assert len(opened) <= 5, f"{len(opened)} transactions for one import"
    assert "Importing" in result.stderr  # the progress bar


def test_an_import_keeps_the_good_outlines_and_names_the_refused(tmp_path):
    index = tmp_path / "index"
    (tmp_path / "m.opml").write_text(opml(OUTLINE + "<outline text='P' xmlUrl='file:///etc/passwd'/>"))
    result = invoke(index, "feeds", "import", "-q", str(tmp_path / "m.opml"))
    assert result.exit_code == 2 and "1 feeds added" in result.stdout and "1 refused" in result.stdout
    assert len(error_lines(result)) == 1 and "file:///etc/passwd" in result.stderr


# --- JSON Lines: split on \n only ----------------------------------------------------------------------
@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085", "\x1c"])
def test_jsonl_lines_are_split_on_newline_only(separator, tmp_path):
    record = {"title": "Harbor ferry fares rise", "source": "Harbor Ledger",
              "body": f"The ferry operator said fares rise by ten percent.{separator}The council approved the change."}
    path = tmp_path / "a.jsonl"
    text = json.dumps(record, ensure_ascii=False)
    if separator == "\x1c":  # a raw control character is invalid inside a JSON string: escaped, as json writes it
        text = json.dumps(record)
    path.write_text(text + "\r\n" + json.dumps({**record, "title": "Second"}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = invoke(tmp_path / "index", "ingest", "-q", str(path))
    assert result.exit_code == 0 and "2 new" in result.stdout, result.output


# --- terminal escapes: never printed raw; JSON escapes them ------------------------------------------------
def test_escapes_in_a_stored_title_are_escaped_in_search_json(tmp_path):
    index = tmp_path / "index"
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"title": "Ferry " + ESCAPES, "source": "Harbor\u202eLedger",
                                "body": "The harbor ferry fares rise by ten percent from June, the operator said."}))
    assert invoke(index, "ingest", "-q", str(path)).exit_code == 0
    for args in (["search", "ferry fares", "--json"], ["search", "ferry fares"], ["stats"]):
        result = invoke(index, *args)
        assert result.exit_code == 0 and not any(ch in result.stdout for ch in RAW_ESCAPE_CHARS), (args, result.stdout)
    rows = json.loads(invoke(index, "search", "ferry fares", "--json").stdout)
    assert rows[0]["title"] == "Ferry " + ESCAPES  # the JSON still carries the text, escaped


def test_a_feed_title_with_escapes_becomes_a_clean_name(tmp_path):
    from security_kit import feed_xml
    from urllib.parse import quote
    with public_site() as site:
        feed = site + "/raw?type=application/rss%2Bxml&body=" + quote(feed_xml(
            [("Ferry fares", site + "/article", "")], title="Harbor &#x1b;[31mLedger&#x9b;&#x202e;").decode(), safe="")
        index = tmp_path / "index"
        base = ["--set", "allow_private_urls=true", "--set", "fetch_timeout=2"]
        assert invoke(index, *base, "feeds", "add", feed).exit_code == 0
        assert invoke(index, *base, "update", "-q").exit_code == 0
    listing = invoke(index, "feeds", "list").stdout
    assert "#1 Harbor [31mLedger" in listing and not any(ch in listing for ch in RAW_ESCAPE_CHARS)
    assert listing.count(feed[:40]) == 1  # the feed's title is its name; the URL is shown once


# --- feeds that attack the parser ----------------------------------------------------------------------
HOSTILE_FEEDS = {
    "entity bomb in a feed": ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + "x" * 100 + '">'
                              + "".join(f'<!ENTITY a{i} "' + "&a;" * 10 + '">' for i in range(5)) + ']><rss><channel><title>&a4;</title>'
                              "<item><title>t</title><description>d</description></item></channel></rss>", "entities"),
    "feed body naming a device": ("/dev/zero", "not an RSS/Atom feed"),
    "feed body naming a local file": (str(FIXTURES / "bad" / "not-a-feed.rss"), "not an RSS/Atom feed"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FEEDS))
def test_feeds_that_attack_the_parser_fail_alone(name, tmp_path):
    from urllib.parse import quote
    body, reason = HOSTILE_FEEDS[name]
    with public_site() as site:
        index = tmp_path / "index"
        base = ["--set", "allow_private_urls=true", "--set", "fetch_timeout=2", "--set", "fetch_deadline=4"]
        assert invoke(index, *base, "feeds", "add", site + "/raw?type=application/rss%2Bxml&body=" + quote(body, safe="")).exit_code == 0
        started = time.perf_counter()
        result = invoke(index, *base, "update", "-q")
    assert time.perf_counter() - started < 30  # the 4 s fetch deadline holds, rather than the parser hanging
    assert result.exit_code == 1 and reason in result.stderr and "1 failed" in result.stdout, result.output


def test_update_exits_1_when_items_failed_and_0_when_all_stored(tmp_path):
    from security_kit import feed_xml
    from urllib.parse import quote
    with public_site() as site:
        good = site + "/raw?type=application/rss%2Bxml&body=" + quote(feed_xml([("Ferry", site + "/article", "")]).decode(), safe="")
        bad = site + "/raw?type=application/rss%2Bxml&body=" + quote(feed_xml([("Gone", site + "/missing", "")]).decode(), safe="")
        base = ["--set", "allow_private_urls=true", "--set", "fetch_timeout=2"]
        assert invoke(tmp_path / "a", *base, "feeds", "add", good).exit_code == 0
        assert invoke(tmp_path / "a", *base, "update", "-q").exit_code == 0
        assert invoke(tmp_path / "b", *base, "feeds", "add", bad).exit_code == 0
        failed = invoke(tmp_path / "b", *base, "update", "-q")
    assert failed.exit_code == 1 and "1 items failed" in failed.stdout and "HTTP 404" in failed.stderr


KINDS = (len(SETTINGS) + len(CONFIGS) + len(SEARCH) + len(FEED_URLS) + len(TOPICS) + len(OUTPUT_CASES) + 1 + len(BUSY)
         + len(DAMAGED) + 2 + len(OPML_CASES) + 4 + 4 + 2 + len(HOSTILE_FEEDS) + 1)
