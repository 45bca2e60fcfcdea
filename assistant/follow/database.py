"""The small SQLite database beside the index: subscriptions, what each feed last sent, its health,
watchlist topics, marks.

SQLite rather than a JSON file rewritten in place: each change is one transaction (an OPML import
of 10,000 feeds too), so a process killed half-way leaves the previous state, and two processes
can read while one writes. A process that holds the database longer than `wait_s` gets one line
saying so, not a traceback; a damaged file is named in one line with how to recover it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from assistant.safety import plain_line

SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY, url TEXT UNIQUE NOT NULL, name TEXT NOT NULL DEFAULT '', added_at TEXT NOT NULL,
    etag TEXT, last_modified TEXT, last_fetch TEXT, last_status TEXT NOT NULL DEFAULT 'never fetched',
    last_error TEXT NOT NULL DEFAULT '', items INTEGER NOT NULL DEFAULT 0, new_items INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS items (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    article_id TEXT NOT NULL, seen_at TEXT NOT NULL, PRIMARY KEY (feed_id, key));
CREATE TABLE IF NOT EXISTS topics (id INTEGER PRIMARY KEY, text TEXT UNIQUE NOT NULL, added_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS marks (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Columns added after the first release: (table, column, declaration); added to older files on open.
ADDED_COLUMNS = (
    ("feeds", "last_success", "TEXT"),  # the last fetch that worked (200 or 304)
    ("feeds", "error_since", "TEXT"),  # the first failure of the current run of failures
    ("feeds", "last_new_item", "TEXT"),  # the last fetch that brought a new item
    ("feeds", "pages_skipped", "INTEGER NOT NULL DEFAULT 0"),  # items of the last fetch stored from their summary
    ("feeds", "skip_reason", "TEXT NOT NULL DEFAULT ''"),
    ("feeds", "skipped_since", "TEXT"),
    ("items", "published", "TEXT"),  # the item's own date, for the feed's usual gap between items
)
MAX_NAME_CHARS = 200
MAX_TOPIC_CHARS = 200
RECOVERY = ("move it aside and subscribe again (`assistant feeds import` of an earlier export), "
            "or try `sqlite3 {path} .recover | sqlite3 fixed.sqlite3`")


class FeedError(ValueError):
    """A subscription change that cannot be made (a duplicate, an unknown feed): one line for the user."""


class FollowDatabaseError(RuntimeError):
    """The database itself cannot be used; `code` is the exit code (1: try again later, 2: fix the file)."""

    code = 2


class FollowDatabaseBusy(FollowDatabaseError):
    code = 1


@dataclass(frozen=True)
class Feed:
    id: int
    url: str
    name: str
    added_at: str
    etag: str | None
    last_modified: str | None
    last_fetch: str | None
    last_status: str
    last_error: str
    items: int
    new_items: int
    last_success: str | None = None
    error_since: str | None = None
    last_new_item: str | None = None
    pages_skipped: int = 0
    skip_reason: str = ""
    skipped_since: str | None = None

    @property
    def title(self) -> str:
        """What the feed is called: its own title (or the name given), else its URL."""
        return self.name or self.url


FEED_COLUMNS = tuple(f.name for f in fields(Feed))


@dataclass(frozen=True)
class StoredItem:
    key: str
    fingerprint: str
    article_id: str
    published: str | None  # ISO time from the feed, when it gives one


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def database_problem(path: Path, exc: sqlite3.Error, wait_s: float) -> FollowDatabaseError:
    """One line for what sqlite said: busy, damaged, full, or unopenable."""
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return FollowDatabaseBusy(f"{path}: another process is using the subscriptions database and did not finish "
                                  f"within {wait_s:.0f} s (setting write_wait_s); try again when it is done")
    if "disk is full" in lowered or "disk full" in lowered:
        error = FollowDatabaseError(f"{path}: the disk is full; free some space and try again (nothing was changed)")
        error.code = 1
        return error
    if "unable to open" in lowered or "readonly" in lowered or "read-only" in lowered:
        return FollowDatabaseError(f"{path}: cannot open the subscriptions database ({message})")
    return FollowDatabaseError(f"{path}: the subscriptions database is damaged ({message}); "
                               + RECOVERY.format(path=path))


class FollowDatabase:
    def __init__(self, path: Path, wait_s: float = 30.0):
        self.path = path
        self.wait_s = wait_s
        if path.is_dir():
            raise FollowDatabaseError(f"{path}: is a folder, not the subscriptions database")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FollowDatabaseError(f"{path}: cannot create its folder ({exc.strerror or exc})") from None
        with self.connect() as db:
            if db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'marks'").fetchone()[0] == 0:
                db.executescript(SCHEMA)
            for table, column, declaration in ADDED_COLUMNS:
                present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """One transaction (committed on success, rolled back on error); sqlite errors become one line."""
        try:
            connection = sqlite3.connect(self.path, timeout=self.wait_s)
        except sqlite3.Error as exc:
            raise database_problem(self.path, exc, self.wait_s) from None
        connection.row_factory = sqlite3.Row
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            with connection:
                yield connection
        except sqlite3.Error as exc:
            raise database_problem(self.path, exc, self.wait_s) from None
        finally:
            connection.close()

    # --- feeds ---------------------------------------------------------------------------------------
    def add_feed(self, url: str, name: str = "") -> Feed:
        url = subscribable_url(url)
        with self.connect() as db:
            try:
                db.execute("INSERT INTO feeds (url, name, added_at) VALUES (?, ?, ?)", (url, clean_name(name), now()))
            except sqlite3.IntegrityError:
                raise FeedError(f"{url}: already subscribed") from None
        return self.feed(url)

    def add_feeds(self, outlines: list[tuple[str, str]], progress: bool = False) -> tuple[int, int, list[str]]:
        """Subscribe to many feeds in one transaction: (added, already subscribed, one line per refused URL)."""
        added = skipped = 0
        refused: list[str] = []
        stamp = now()
        with self.connect() as db:
            for url, name in tqdm(outlines, unit="feed", desc="Importing", disable=not progress, dynamic_ncols=True):
                try:
                    url = subscribable_url(url)
                except FeedError as exc:
                    refused.append(str(exc))
                    continue
                inserted = db.execute("INSERT OR IGNORE INTO feeds (url, name, added_at) VALUES (?, ?, ?)",
                                      (url, clean_name(name), stamp)).rowcount
                added += inserted
                skipped += 1 - inserted
        return added, skipped, refused

    def feed(self, url_or_id: str) -> Feed:
        with self.connect() as db:
            row = db.execute(f"SELECT {', '.join(FEED_COLUMNS)} FROM feeds WHERE url = ? OR CAST(id AS TEXT) = ?",
                             (url_or_id, url_or_id)).fetchone()
        if row is None:
            raise FeedError(f"{plain_line(url_or_id)[:200]}: not subscribed (see `assistant feeds list`)")
        return Feed(**dict(row))

    def feeds(self) -> list[Feed]:
        with self.connect() as db:
            return [Feed(**dict(row)) for row in db.execute(f"SELECT {', '.join(FEED_COLUMNS)} FROM feeds ORDER BY id")]

    def subscriptions(self) -> list[tuple[str, str]]:
        """(url, name) of every feed, reading nothing else: what an export needs, even from a damaged file."""
        with self.connect() as db:
            return [(row["url"], row["name"]) for row in db.execute("SELECT url, name FROM feeds ORDER BY id")]

    def remove_feed(self, url_or_id: str) -> Feed:
        feed = self.feed(url_or_id)
        with self.connect() as db:
            db.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))
        return feed

    # --- fetch outcomes (each one transaction) -------------------------------------------------------
    def record_failure(self, feed_id: int, error: str) -> None:
        stamp = now()
        with self.connect() as db:
            db.execute("UPDATE feeds SET last_fetch = ?, last_status = 'failed', last_error = ?, "
                       "error_since = COALESCE(error_since, ?) WHERE id = ?", (stamp, error, stamp, feed_id))

    def record_not_modified(self, feed_id: int) -> None:
        stamp = now()
        with self.connect() as db:
            db.execute("UPDATE feeds SET last_fetch = ?, last_success = ?, last_status = 'not modified', last_error = '', "
                       "error_since = NULL WHERE id = ?", (stamp, stamp, feed_id))

    def record_success(self, feed_id: int, items: list[StoredItem], *, title: str = "", etag: str | None = None,
                       last_modified: str | None = None, item_count: int = 0, new: int = 0, errors: list[str] = (),
                       pages_skipped: int = 0, skip_reason: str = "") -> None:
        """After a fetch whose articles are stored: its items, validators, counts and health, in one transaction."""
        stamp = now()
        status = "ok" if not errors else f"ok, {len(errors)} items failed"
        with self.connect() as db:
            db.executemany("INSERT INTO items (feed_id, key, fingerprint, article_id, seen_at, published) "
                           "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (feed_id, key) DO UPDATE SET "
                           "fingerprint = excluded.fingerprint, article_id = excluded.article_id, "
                           "published = COALESCE(excluded.published, items.published)",
                           [(feed_id, i.key, i.fingerprint, i.article_id, stamp, i.published) for i in items])
            db.execute("UPDATE feeds SET last_fetch = ?, last_success = ?, last_status = ?, last_error = ?, "
                       "error_since = NULL, etag = ?, last_modified = ?, items = ?, new_items = new_items + ?, "
                       "last_new_item = CASE WHEN ? > 0 THEN ? ELSE last_new_item END, "
                       "pages_skipped = ?, skip_reason = ?, "
                       "skipped_since = CASE WHEN ? = 0 THEN NULL ELSE COALESCE(skipped_since, ?) END, "
                       "name = CASE WHEN name = '' THEN ? ELSE name END WHERE id = ?",
                       (stamp, stamp, status, errors[0] if errors else "", etag or "", last_modified or "", item_count,
                        new, new, stamp, pages_skipped, skip_reason, pages_skipped, stamp, clean_name(title), feed_id))

    def seen_fingerprints(self, feed_id: int) -> dict[str, str]:
        with self.connect() as db:
            return {row["key"]: row["fingerprint"] for row in
                    db.execute("SELECT key, fingerprint FROM items WHERE feed_id = ?", (feed_id,))}

    def item_dates(self, feed_id: int, most: int = 30) -> list[str]:
        """The feed's latest item dates (ISO, newest first): its own date, else when it was first seen."""
        with self.connect() as db:
            return [row[0] for row in db.execute("SELECT COALESCE(published, seen_at) AS at FROM items WHERE feed_id = ? "
                                                 "ORDER BY at DESC LIMIT ?", (feed_id, most))]

    # --- watchlist topics -------------------------------------------------------------------------
    def add_topic(self, text: str) -> str:
        text = plain_line(text)
        if not text:
            raise FeedError('a topic needs some words, e.g. "chip plant"')
        if len(text) > MAX_TOPIC_CHARS:
            raise FeedError(f"a topic is a few words (this one is {len(text):,} characters; at most {MAX_TOPIC_CHARS})")
        with self.connect() as db:
            try:
                db.execute("INSERT INTO topics (text, added_at) VALUES (?, ?)", (text, now()))
            except sqlite3.IntegrityError:
                raise FeedError(f"{text!r}: already on the watchlist") from None
        return text

    def topics(self) -> list[str]:
        with self.connect() as db:
            return [row["text"] for row in db.execute("SELECT text FROM topics ORDER BY id")]

    def remove_topic(self, text: str) -> None:
        with self.connect() as db:
            if db.execute("DELETE FROM topics WHERE text = ?", (plain_line(text),)).rowcount == 0:
                raise FeedError(f"{plain_line(text)[:200]!r}: not on the watchlist")

    # --- marks (last briefing, last visit) ----------------------------------------------------------
    def mark(self, name: str, value: str | None = None) -> str | None:
        with self.connect() as db:
            if value is not None:
                db.execute("INSERT INTO marks (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                           (name, value))
                return value
            row = db.execute("SELECT value FROM marks WHERE name = ?", (name,)).fetchone()
            return row["value"] if row else None


def clean_name(name: str) -> str:
    """A feed's name as stored: one terminal-safe line of at most MAX_NAME_CHARS."""
    return plain_line(name)[:MAX_NAME_CHARS].strip()


def subscribable_url(url: str) -> str:
    """The URL as it will be fetched (http/https, a host, no spaces or control characters), or a FeedError."""
    from assistant.ingest.sources.fetch import feed_url
    from assistant.ingest.sources.common import LoadError
    try:
        return feed_url(url)
    except LoadError as exc:
        raise FeedError(plain_line(str(exc))) from None


def open_database(settings) -> FollowDatabase:
    """The settings' database, waiting for another process as long as the store does (write_wait_s)."""
    return FollowDatabase(database_path(settings), wait_s=settings.write_wait_s)


def folder_problem(settings, create: bool) -> str | None:
    """Why the subscriptions database may not be opened in the index folder (None: it may).

    An index or a subscriptions database already there: it may. Subscribing (`create`: feeds add, feeds import)
    starts one anywhere, as ingest starts an index (a user may subscribe before ingesting: `update` fills the
    index); every other command reading a folder with neither is a typo in --index, and writes nothing there."""
    from assistant.settings import is_store
    if settings.chroma_url or database_path(settings).is_file():
        return None
    folder = settings.index_dir
    if folder.exists() and not folder.is_dir():
        return f"{folder}: the index path is a file, not a folder; choose another --index"
    if create or is_store(folder):
        return None
    return (f"{folder}: no index there and no subscriptions; check --index, or subscribe with "
            "`assistant feeds add URL`")


def new_home(settings) -> bool:
    """Whether subscribing now starts the database in a folder with no index yet (said, so a typo shows at once)."""
    from assistant.settings import is_store
    return not settings.chroma_url and not database_path(settings).is_file() and not is_store(settings.index_dir)


def feed_articles(settings) -> list[tuple[str, list[str]]]:
    """Each subscribed feed's title and the ids of the articles it delivered (in the order stored), for the
    story view's followed outlets; empty, and nothing created, when the settings have no follow database."""
    path = database_path(settings)
    if not path.is_file():
        return []
    database = FollowDatabase(path)
    feeds = database.feeds()
    if not feeds:
        return []
    delivered: dict[int, list[str]] = {}
    with database.connect() as db:
        for row in db.execute("SELECT feed_id, article_id FROM items"):
            delivered.setdefault(row["feed_id"], []).append(row["article_id"])
    return [(feed.title, delivered.get(feed.id, [])) for feed in feeds]


def database_path(settings) -> Path:
    if settings.chroma_url:
        safe = settings.chroma_url.replace("://", "_").replace("/", "_").replace(":", "_")
        return settings.cache_dir / "follow" / f"{safe}-{settings.collection}.sqlite3"
    return settings.index_dir / "follow.sqlite3"

