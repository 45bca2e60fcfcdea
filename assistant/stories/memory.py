"""The story memory: stories, their reports and the reports' claims, in one SQLite file beside the index.

SQLite for the same reasons as the follow database: each day's linking is one transaction (a process
killed half-way leaves the day before intact), readers never wait for it, and two writers (the
scheduled briefing and a person running `assistant stories`) are serialised by `BEGIN IMMEDIATE`.
Nothing here is ever deleted: a story's record outlives the articles it was read from.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from assistant.records import StoredArticle
from assistant.stories.linking import (LINK_RULE, LinkRule, OpenStories, ReportSignals, idf_weight, name_tokens,
                                       shingles)
from assistant.stories.model import Claim, Report, StoredClaim, StoryRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS stories (
    id INTEGER PRIMARY KEY, headline TEXT NOT NULL, first_day TEXT NOT NULL, last_day TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reports (
    article_id TEXT PRIMARY KEY, story_id INTEGER NOT NULL REFERENCES stories(id), day TEXT NOT NULL,
    published_at TEXT NOT NULL, source TEXT NOT NULL, title TEXT NOT NULL, url TEXT NOT NULL DEFAULT '',
    reprint_of TEXT, evidence REAL, vector BLOB NOT NULL, names TEXT NOT NULL, shingles BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS reports_by_day ON reports (day);
CREATE INDEX IF NOT EXISTS reports_by_story ON reports (story_id);
CREATE TABLE IF NOT EXISTS claims (
    id INTEGER PRIMARY KEY, article_id TEXT NOT NULL REFERENCES reports(article_id), kind TEXT NOT NULL,
    text TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, quantity TEXT NOT NULL, claim_values TEXT NOT NULL,
    negated INTEGER NOT NULL, revision INTEGER NOT NULL, correction INTEGER NOT NULL, names TEXT NOT NULL,
    vector BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS claims_by_article ON claims (article_id);
CREATE TABLE IF NOT EXISTS name_counts (token TEXT PRIMARY KEY, reports INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class StoryMemoryError(ValueError):
    """The memory cannot be used as asked (another embedding model wrote it): one line for the user."""


@dataclass
class NewReport:
    """A report to remember: the article, its lead vector and its claims with their sentence vectors."""

    article: StoredArticle
    day: date
    vector: np.ndarray
    claims: list[Claim] = field(default_factory=list)
    claim_vectors: np.ndarray | None = None


def shingle_hashes(text: str) -> bytes:
    """The report's 5-word shingles as 32-bit hashes: enough to tell a reprint on a later day."""
    return array("I", sorted({zlib.crc32(s.encode("utf-8")) for s in shingles(text)})).tobytes()


def hashed_jaccard(first: bytes, second: bytes) -> float:
    a, b = set(array("I", first)), set(array("I", second))
    return len(a & b) / len(a | b) if a and b else 0.0


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)


class StoryMemory:
    def __init__(self, path: Path, model_name: str | None):
        """`model_name` None: open to read, whichever embedding model wrote it."""
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        setup = sqlite3.connect(path, timeout=60)
        try:
            setup.executescript(SCHEMA)
        finally:
            setup.close()
        with self.connect(write=True) as db:
            row = db.execute("SELECT value FROM meta WHERE name = 'embedding_model'").fetchone()
            if model_name is None:
                pass
            elif row is None:
                db.execute("INSERT INTO meta (name, value) VALUES ('embedding_model', ?)", (model_name,))
            elif row["value"] != model_name:
                raise StoryMemoryError(f"{path}: written with the embedding model {row['value']!r}, not {model_name!r}; "
                                       "move the file aside to start the story memory afresh")

    @contextmanager
    def connect(self, write: bool = False):
        connection = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        connection.row_factory = sqlite3.Row
        try:
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield connection
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        finally:
            connection.close()

    # --- reading ------------------------------------------------------------------------------
    def linked(self, article_ids: list[str]) -> dict[str, int]:
        """Story id of each of these articles that memory already holds."""
        with self.connect() as db:
            return self._linked(db, article_ids)

    def story_of(self, article_ids: list[str]) -> dict[str, int]:
        return self.linked(article_ids)

    def story(self, story_id: int) -> StoryRecord | None:
        with self.connect() as db:
            row = db.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
        return StoryRecord(**dict(row)) if row else None

    def stories_on(self, first: date, last: date) -> list[StoryRecord]:
        """Stories with a report on a day from `first` to `last`, latest report first."""
        with self.connect() as db:
            rows = db.execute("SELECT DISTINCT s.* FROM stories s JOIN reports r ON r.story_id = s.id "
                              "WHERE r.day BETWEEN ? AND ? ORDER BY s.last_day DESC, s.id",
                              (first.isoformat(), last.isoformat())).fetchall()
        return [StoryRecord(**dict(r)) for r in rows]

    def reports(self, story_id: int, until: date | None = None) -> list[Report]:
        with self.connect() as db:
            rows = db.execute("SELECT article_id, story_id, day, published_at, source, title, url, reprint_of FROM reports "
                              "WHERE story_id = ? AND day <= ? ORDER BY published_at, article_id",
                              (story_id, (until or date.max).isoformat())).fetchall()
        return [Report(**dict(r)) for r in rows]

    def claims(self, story_id: int, until: date | None = None) -> list[StoredClaim]:
        with self.connect() as db:
            rows = db.execute("SELECT c.* FROM claims c JOIN reports r ON r.article_id = c.article_id "
                              "WHERE r.story_id = ? AND r.day <= ? ORDER BY r.published_at, c.start",
                              (story_id, (until or date.max).isoformat())).fetchall()
        return [StoredClaim(r["id"], r["article_id"], r["kind"], r["text"], r["start"], r["end"], r["quantity"],
                            tuple(json.loads(r["claim_values"])), bool(r["negated"]), bool(r["revision"]),
                            bool(r["correction"]), tuple(json.loads(r["names"])), from_blob(r["vector"])) for r in rows]

    def outlets_seen(self, first: date, last: date) -> list[str]:
        with self.connect() as db:
            return [r["source"] for r in db.execute("SELECT DISTINCT source FROM reports WHERE day BETWEEN ? AND ? "
                                                    "ORDER BY source", (first.isoformat(), last.isoformat()))]

    def set_headline(self, story_id: int, headline: str) -> None:
        with self.connect(write=True) as db:
            db.execute("UPDATE stories SET headline = ? WHERE id = ?", (headline, story_id))

    # --- linking ------------------------------------------------------------------------------
    def remember(self, groups: list[list[NewReport]], threshold: float, window_days: int, duplicate_jaccard: float,
                 rule: LinkRule = LINK_RULE) -> dict[str, int]:
        """Link each day's group of reports to the story it continues (or a new story); returns the story id
        of every article in the groups. Articles memory already holds keep their story."""
        ids = [r.article.id for g in groups for r in g]
        with self.connect(write=True) as db:
            known = self._linked(db, ids)
            fresh = [[r for r in g if r.article.id not in known] for g in groups]
            signals = {r.article.id: ReportSignals(r.article.id, r.article.source, r.day, r.article.title, r.vector,
                                                   name_tokens(r.article.title, r.article.body))
                       for g in fresh for r in g}
            self._count_names(db, list(signals.values()))
            counts = {row["token"]: row["reports"] for row in db.execute("SELECT token, reports FROM name_counts")}
            total = db.execute("SELECT COUNT(*) FROM reports").fetchone()[0] + len(signals)
            weight = idf_weight(counts, total, rule)
            order = sorted(range(len(groups)), key=lambda i: min((r.article.published_at for r in groups[i]), default=""))
            days = [r.day for g in fresh for r in g]
            open_stories = OpenStories(weight, rule)
            if days:
                for story_id, report in self._candidates(db, min(days), max(days), window_days):
                    open_stories.add(story_id, report)
            for i in order:
                if not fresh[i]:
                    continue
                day = min(r.day for r in fresh[i])
                joined = sorted({known[r.article.id] for r in groups[i] if r.article.id in known})
                score = None
                if joined:
                    story_id = joined[0]
                else:
                    story_id, score = open_stories.best([signals[r.article.id] for r in fresh[i]], threshold)
                    if story_id is None:
                        first = min(fresh[i], key=lambda r: r.article.published_at)
                        story_id = db.execute("INSERT INTO stories (headline, first_day, last_day) VALUES (?, ?, ?)",
                                              (first.article.title, day.isoformat(), day.isoformat())).lastrowid
                        score = None
                for report in sorted(fresh[i], key=lambda r: (r.article.published_at, r.article.id)):
                    self._insert(db, report, story_id, signals[report.article.id], score, duplicate_jaccard)
                    known[report.article.id] = story_id
                    open_stories.add(story_id, signals[report.article.id])
                db.execute("UPDATE stories SET first_day = MIN(first_day, ?), last_day = MAX(last_day, ?) WHERE id = ?",
                           (min(r.day for r in fresh[i]).isoformat(), max(r.day for r in fresh[i]).isoformat(), story_id))
        return {i: known[i] for i in ids}

    @staticmethod
    def _linked(db, ids: list[str]) -> dict[str, int]:
        found = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found.update({r["article_id"]: r["story_id"] for r in db.execute(
                f"SELECT article_id, story_id FROM reports WHERE article_id IN ({','.join('?' * len(chunk))})", chunk)})
        return found

    @staticmethod
    def _count_names(db, signals: list[ReportSignals]) -> None:
        tokens: dict[str, int] = {}
        for s in signals:
            for token in s.names:
                tokens[token] = tokens.get(token, 0) + 1
        db.executemany("INSERT INTO name_counts (token, reports) VALUES (?, ?) ON CONFLICT (token) "
                       "DO UPDATE SET reports = reports + excluded.reports", list(tokens.items()))

    @staticmethod
    def _candidates(db, first: date, last: date, window_days: int):
        """(story id, report) of every report within the window around the days being linked, oldest first."""
        low, high = (first - timedelta(days=window_days)).isoformat(), (last + timedelta(days=window_days)).isoformat()
        for row in db.execute("SELECT article_id, story_id, day, source, title, vector, names FROM reports "
                              "WHERE day BETWEEN ? AND ? ORDER BY published_at", (low, high)):
            yield row["story_id"], ReportSignals(row["article_id"], row["source"], date.fromisoformat(row["day"]),
                                                 row["title"], from_blob(row["vector"]), json.loads(row["names"]))

    @staticmethod
    def _insert(db, report: NewReport, story_id: int, signals: ReportSignals, score: float | None,
                duplicate_jaccard: float) -> None:
        article = report.article
        hashes = shingle_hashes(article.body)
        reprint_of = None
        for row in db.execute("SELECT article_id, reprint_of, shingles FROM reports WHERE story_id = ? AND published_at <= ? "
                              "ORDER BY published_at", (story_id, article.published_at)):
            if hashed_jaccard(hashes, row["shingles"]) >= duplicate_jaccard:
                reprint_of = row["reprint_of"] or row["article_id"]  # the earliest copy is the original
                break
        db.execute("INSERT INTO reports (article_id, story_id, day, published_at, source, title, url, reprint_of, evidence, "
                   "vector, names, shingles) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (article.id, story_id, report.day.isoformat(), article.published_at, article.source, article.title,
                    article.url or "", reprint_of, score, to_blob(report.vector), json.dumps(signals.names), hashes))
        vectors = report.claim_vectors if report.claim_vectors is not None else np.zeros((len(report.claims), 1))
        db.executemany("INSERT INTO claims (article_id, kind, text, start, end, quantity, claim_values, negated, revision, "
                       "correction, names, vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [(article.id, c.kind, c.text, c.start, c.end, c.quantity, json.dumps(list(c.values)), int(c.negated),
                         int(c.update), int(c.correction), json.dumps(c.names), to_blob(v))
                        for c, v in zip(report.claims, vectors)])


def memory_path(settings) -> Path:
    """Beside the on-disk index; under cache_dir (one file per server and collection) for a Chroma server."""
    if settings.chroma_url:
        safe = settings.chroma_url.replace("://", "_").replace("/", "_").replace(":", "_")
        return settings.cache_dir / "stories" / f"{safe}-{settings.collection}.sqlite3"
    return settings.index_dir / "stories.sqlite3"
