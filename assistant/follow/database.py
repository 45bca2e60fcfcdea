"""The small SQLite database beside the index: subscriptions, what each feed last sent, watchlist topics, marks.

SQLite rather than a JSON file rewritten in place: each change is one transaction, so a process
killed half-way leaves the previous state, and two processes can read while one writes.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

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


class FeedError(ValueError):
    """A subscription change that cannot be made (a duplicate, an unknown feed): one line for the user."""


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


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class FollowDatabase:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self.connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def connect(self):
        connection = sqlite3.connect(self.path, timeout=30)
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA foreign_keys = ON")
        try:
            with connection:
                yield connection
        finally:
            connection.close()

    # --- feeds ---------------------------------------------------------------------------------------
    def add_feed(self, url: str, name: str = "") -> Feed:
        with self.connect() as db:
            try:
                db.execute("INSERT INTO feeds (url, name, added_at) VALUES (?, ?, ?)", (url, name, now()))
            except sqlite3.IntegrityError:
                raise FeedError(f"{url}: already subscribed") from None
        return self.feed(url)

    def feed(self, url_or_id: str) -> Feed:
        with self.connect() as db:
            row = db.execute("SELECT * FROM feeds WHERE url = ? OR CAST(id AS TEXT) = ?", (url_or_id, url_or_id)).fetchone()
        if row is None:
            raise FeedError(f"{url_or_id}: not subscribed (see `assistant feeds list`)")
        return Feed(**dict(row))

    def feeds(self) -> list[Feed]:
        with self.connect() as db:
            return [Feed(**dict(row)) for row in db.execute("SELECT * FROM feeds ORDER BY id")]

    def remove_feed(self, url_or_id: str) -> Feed:
        feed = self.feed(url_or_id)
        with self.connect() as db:
            db.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))
        return feed

    def record_fetch(self, feed_id: int, status: str, error: str = "", etag: str | None = None,
                     last_modified: str | None = None, items: int | None = None, new_items: int = 0) -> None:
        """After a fetch: its outcome; validators only when the fetch's items are safely stored."""
        with self.connect() as db:
            db.execute("UPDATE feeds SET last_fetch = ?, last_status = ?, last_error = ?, new_items = new_items + ? "
                       "WHERE id = ?", (now(), status, error, new_items, feed_id))
            if etag is not None or last_modified is not None:
                db.execute("UPDATE feeds SET etag = ?, last_modified = ? WHERE id = ?", (etag, last_modified, feed_id))
            if items is not None:
                db.execute("UPDATE feeds SET items = ? WHERE id = ?", (items, feed_id))

    def seen_fingerprints(self, feed_id: int) -> dict[str, str]:
        with self.connect() as db:
            return {row["key"]: row["fingerprint"] for row in
                    db.execute("SELECT key, fingerprint FROM items WHERE feed_id = ?", (feed_id,))}

    def remember_items(self, feed_id: int, items: list[tuple[str, str, str]]) -> None:
        """(key, fingerprint, article id) of items now stored in the index."""
        with self.connect() as db:
            db.executemany("INSERT INTO items (feed_id, key, fingerprint, article_id, seen_at) VALUES (?, ?, ?, ?, ?) "
                           "ON CONFLICT (feed_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, "
                           "article_id = excluded.article_id", [(feed_id, k, f, a, now()) for k, f, a in items])

    # --- watchlist topics -------------------------------------------------------------------------
    def add_topic(self, text: str) -> None:
        text = " ".join(text.split())
        if not text:
            raise FeedError('a topic needs some words, e.g. "chip plant"')
        with self.connect() as db:
            try:
                db.execute("INSERT INTO topics (text, added_at) VALUES (?, ?)", (text, now()))
            except sqlite3.IntegrityError:
                raise FeedError(f"{text!r}: already on the watchlist") from None

    def topics(self) -> list[str]:
        with self.connect() as db:
            return [row["text"] for row in db.execute("SELECT text FROM topics ORDER BY id")]

    def remove_topic(self, text: str) -> None:
        with self.connect() as db:
            if db.execute("DELETE FROM topics WHERE text = ?", (" ".join(text.split()),)).rowcount == 0:
                raise FeedError(f"{text!r}: not on the watchlist")

    # --- marks (last briefing, last visit) ----------------------------------------------------------
    def mark(self, name: str, value: str | None = None) -> str | None:
        with self.connect() as db:
            if value is not None:
                db.execute("INSERT INTO marks (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                           (name, value))
                return value
            row = db.execute("SELECT value FROM marks WHERE name = ?", (name,)).fetchone()
            return row["value"] if row else None


def database_path(settings) -> Path:
    if settings.chroma_url:
        safe = settings.chroma_url.replace("://", "_").replace("/", "_").replace(":", "_")
        return settings.cache_dir / "follow" / f"{safe}-{settings.collection}.sqlite3"
    return settings.index_dir / "follow.sqlite3"
