"""Outlets as the user describes them, and which of the outlets they follow covered a story (pure: the
followed feeds are handed in, never read here).

The outlet file is the user's own (TOML, `outlets_file`): for each outlet a name, other spellings or web
hosts it appears under (aliases), country, ownership, funding, and a leaning only if the user writes
one; the project ships no ratings. Without a file an outlet is what its articles call it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

# A followed feed: its title, and the ids of the articles it delivered, in the order they came.
FeedArticles = tuple[str, Sequence[str]]
OUTLET_KEYS = frozenset({"name", "aliases", "country", "ownership", "funding", "leaning"})


class OutletFileError(ValueError):
    """The outlet file cannot be read: one line naming the file and the problem."""


@dataclass(frozen=True)
class Outlet:
    name: str
    aliases: tuple[str, ...] = ()
    country: str = ""
    ownership: str = ""
    funding: str = ""
    leaning: str = ""  # only what the user wrote

    def json(self) -> dict:
        return {k: v for k, v in {"name": self.name, "country": self.country, "ownership": self.ownership,
                                  "funding": self.funding, "leaning": self.leaning}.items() if v}


@dataclass
class OutletBook:
    outlets: dict[str, Outlet] = field(default_factory=dict)  # canonical name -> outlet
    spellings: dict[str, str] = field(default_factory=dict)  # lower-case name, alias or host -> canonical name

    def canonical(self, name_or_url: str) -> str:
        """The outlet's name as the user's file spells it (a URL resolves by its host); else as given."""
        text = (name_or_url or "").strip()
        key = text.lower()
        if key in self.spellings:
            return self.spellings[key]
        host = urlparse(text).hostname if "://" in text else None
        if host:
            host = host.removeprefix("www.")
            return self.spellings.get(host, host)
        return text

    def info(self, name: str) -> Outlet | None:
        return self.outlets.get(self.canonical(name))

    @property
    def leanings(self) -> dict[str, str]:
        return {name: o.leaning for name, o in self.outlets.items() if o.leaning}


def load_outlets(path: Path | None) -> OutletBook:
    """The user's outlet file as a book of outlets; an empty book when there is none."""
    book = OutletBook()
    if path is None:
        return book
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutletFileError(f"outlets_file {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise OutletFileError(f"outlets_file {path}: cannot read it ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise OutletFileError(f"outlets_file {path}: not valid TOML ({exc})") from None
    entries = data.get("outlet", [])
    if not isinstance(entries, list) or set(data) - {"outlet"}:
        raise OutletFileError(f"outlets_file {path}: expected [[outlet]] tables only")
    for number, entry in enumerate(entries, 1):
        unknown = set(entry) - OUTLET_KEYS
        if unknown:
            raise OutletFileError(f"outlets_file {path}: outlet {number} has an unknown key {sorted(unknown)[0]!r} "
                                  f"(known: {', '.join(sorted(OUTLET_KEYS))})")
        name = entry.get("name")
        aliases = entry.get("aliases", [])
        if not isinstance(name, str) or not name.strip():
            raise OutletFileError(f"outlets_file {path}: outlet {number} needs a name")
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise OutletFileError(f"outlets_file {path}: aliases of {name!r} must be a list of strings")
        texts = {k: entry.get(k, "") for k in ("country", "ownership", "funding", "leaning")}
        if not all(isinstance(v, str) for v in texts.values()):
            raise OutletFileError(f"outlets_file {path}: country, ownership, funding and leaning of {name!r} are text")
        outlet = Outlet(name.strip(), tuple(a.strip() for a in aliases if a.strip()), **texts)
        if outlet.name in book.outlets:
            raise OutletFileError(f"outlets_file {path}: {outlet.name!r} is listed twice")
        book.outlets[outlet.name] = outlet
        for spelling in (outlet.name, *outlet.aliases):
            book.spellings[spelling.lower().removeprefix("www.")] = outlet.name
    return book


def followed_outlets(book: OutletBook, feeds: Iterable[FeedArticles], article_sources: dict[str, str]) -> list[str]:
    """The outlets of the user's subscribed feeds: the outlet a feed's delivered articles name most
    (`article_sources`: article id -> outlet), else the feed's title. Empty when the user follows no feeds.
    The feeds come from the follow database (follow/database.py: feed_articles), read by the caller."""
    outlets = []
    for title, article_ids in feeds:
        sources = [article_sources[a] for a in article_ids if article_sources.get(a)]
        named = max(set(sources), key=sources.count) if sources else title
        outlets.append(book.canonical(named))
    return sorted(set(outlets))


@dataclass
class Coverage:
    """Who covered one story, against the outlets the user follows (or, following none, the outlets seen)."""

    covered: list[str]  # outlets with a report (reprints included)
    independent: list[str]  # outlets with a report of their own
    missing: list[str]  # followed outlets with no report
    first: dict  # the first report: source, published_at, article_id, title
    only_by: str | None  # the one outlet with a report of its own, when only one has
    basis: str  # "feeds" (the user's subscriptions) or "seen" (every outlet seen in those days)
    leanings: dict[str, list[str]] = field(default_factory=dict)  # the user's own leaning -> outlets that covered

    def json(self) -> dict:
        return {"covered": self.covered, "independent": self.independent, "missing": self.missing,
                "first": self.first, "only_by": self.only_by, "basis": self.basis, "leanings": self.leanings}


def coverage(reports, reference: list[str], basis: str, book: OutletBook) -> Coverage:
    """Coverage of a story from its reports (memory rows, oldest first)."""
    covered = sorted({book.canonical(r.source) for r in reports})
    independent = sorted({book.canonical(r.source) for r in reports if r.reprint_of is None})
    first = reports[0] if reports else None
    leanings: dict[str, list[str]] = {}
    for outlet in independent:
        info = book.outlets.get(outlet)
        if info and info.leaning:
            leanings.setdefault(info.leaning, []).append(outlet)
    return Coverage(covered, independent, sorted(set(reference) - set(covered)),
                    {"source": book.canonical(first.source), "published_at": first.published_at,
                     "article_id": first.article_id, "title": first.title} if first else {},
                    independent[0] if len(independent) == 1 else None, basis, leanings)


def blindspot(cover: Coverage, reference: list[str], book: OutletBook) -> str:
    """Why a story is a blindspot of the user's outlets ("" when it is not): with leanings the user set, a
    leaning of theirs that no covering outlet has; without, one outlet of three or more covered it alone."""
    followed_leanings = {book.outlets[o].leaning for o in reference if o in book.outlets and book.outlets[o].leaning}
    if followed_leanings and cover.leanings:
        absent = sorted(followed_leanings - set(cover.leanings))
        if absent:
            return (f"covered by outlets you marked {', '.join(sorted(cover.leanings))}; "
                    f"none you marked {', '.join(absent)}")
        return ""
    if cover.only_by and len(reference) >= 3 and cover.missing:
        return f"covered only by {cover.only_by}; not by {', '.join(cover.missing)}"
    return ""
