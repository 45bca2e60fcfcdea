"""Shared pieces of the loaders: the error type, limits, safe reading and decoding, and date parsing.

No project imports (the bottom floor of ingest): what one input gave, with its articles, is records.LoadResult.

Every read is capped (a 50 MB file or a 200 MB response is refused, not swallowed), special
files are refused by type (a FIFO or /dev/zero would block or never end), and text is decoded
from its byte-order mark or declared charset before UTF-8 is assumed.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dateutil import parser as date_parser


LOCAL_SOURCE = "Local file"  # the outlet of articles read from local files that name none


class LoadError(Exception):
    """One input (or one record inside it) could not be read; the message is one line.

    `kind` is the reason in a few words ("private address", "HTTP 404"), for counts such as
    "3 stored from the feed's summary only: private address".
    """

    def __init__(self, message: str, kind: str = ""):
        super().__init__(message)
        self.kind = kind

    @property
    def reason(self) -> str:
        """The reason in a few words: the kind, else the message after the input's name."""
        return self.kind or str(self).rsplit(": ", 1)[-1].split(" (")[0][:60]


@dataclass(frozen=True)
class Limits:
    """How much one input may cost: bytes read, seconds per read and in all, and where URLs may point."""

    max_bytes: int = 20_000_000
    timeout: float = 15.0
    deadline: float = 30.0
    allow_private_urls: bool = False  # for URLs found inside feeds and typed on the page

    @classmethod
    def from_settings(cls, settings) -> "Limits":
        return cls(settings.max_article_bytes, settings.fetch_timeout, settings.fetch_deadline, settings.allow_private_urls)


BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
DECLARED = re.compile(rb"""(?:<meta[^>]+charset\s*=\s*["']?|<\?xml[^>]+encoding\s*=\s*["']|^\s*(?:encoding|charset)\s*:\s*)([A-Za-z0-9_.:-]+)""",
                      re.I | re.M)


def declared_charset(data: bytes, content_type: str = "") -> str | None:
    """The charset the bytes (HTML meta, XML declaration, front matter) or the HTTP header declare."""
    match = re.search(r"charset=([\w.:-]+)", content_type or "", re.I)
    if match:
        return match.group(1)
    found = DECLARED.search(data[:4096])
    return found.group(1).decode("ascii", "replace") if found else None


def decode_text(data: bytes, origin: str, content_type: str = "") -> str:
    """Decode text: byte-order mark, then a declared charset, then UTF-8; refuse empty and binary input."""
    if not data.strip():
        raise LoadError(f"{origin}: empty file")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return clean_text(data.decode(encoding))
            except UnicodeDecodeError:
                raise LoadError(f"{origin}: starts with a {encoding} byte-order mark but is not valid {encoding}") from None
    if b"\x00" in data[:8192]:
        raise LoadError(f"{origin}: binary file, not text")
    charset = declared_charset(data, content_type)
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        try:
            return clean_text(data.decode(charset))
        except LookupError:
            raise LoadError(f"{origin}: declares an unknown charset {charset!r}") from None
        except UnicodeDecodeError as exc:
            raise LoadError(f"{origin}: not valid {charset} as it declares (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    try:
        return clean_text(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise LoadError(f"{origin}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                        "save it as UTF-8 or declare its charset") from None


def clean_text(text: str) -> str:
    """Drop what cannot be stored: lone surrogates and NUL characters."""
    text = text.replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8") if re.search(r"[\ud800-\udfff]", text) else text


def read_capped(path: Path, max_bytes: int, what: str = "(setting max_article_bytes)") -> bytes:
    """The file's bytes: a regular file (after symlinks) of at most max_bytes, else a LoadError naming the cap."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise LoadError(f"{path}: cannot read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a pipe" if stat.S_ISFIFO(info.st_mode) else \
            "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "a socket or special file"
        raise LoadError(f"{path}: is {kind}, not a regular file")
    if info.st_size > max_bytes:
        raise LoadError(f"{path}: {info.st_size:,} bytes is over the {max_bytes:,}-byte limit {what}", kind="too large")
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise LoadError(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise LoadError(f"{path}: over the {max_bytes:,}-byte limit {what}", kind="too large")
    return data


def read_text_file(path: Path, max_bytes: int = Limits.max_bytes) -> str:
    return decode_text(read_capped(path, max_bytes), str(path))


EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc)


def parse_datetime(value: object, origin: str = "") -> datetime | None:
    """Parse ISO 8601, RFC 822 and similar dates; naive times are taken as UTC; 1900 to a year ahead only."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif hasattr(value, "year") and hasattr(value, "month"):  # a date (YAML reads 2024-05-14 as one)
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        try:
            parsed = date_parser.parse(str(value))
        except (ValueError, OverflowError, TypeError):
            raise LoadError(f"{origin}: unreadable date {str(value)[:40]!r}") from None
    else:
        raise LoadError(f"{origin}: the date must be text like 2024-05-14, not {type(value).__name__}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    latest = datetime.now(timezone.utc) + timedelta(days=366)
    if not EARLIEST <= parsed <= latest:
        raise LoadError(f"{origin}: date {parsed.date().isoformat()} is out of range (1900 to a year from now)")
    return parsed


def text_field(record: dict, name: str, origin: str) -> str | None:
    """A text field of a record: strings as they are, a list of strings joined (several authors), else an error."""
    value = record.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return clean_text(value).strip() or None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(clean_text(v).strip() for v in value if v.strip()) or None
    raise LoadError(f"{origin}: field {name!r} must be text, not {type(value).__name__}")


def url_field(value: object, origin: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise LoadError(f"{origin}: field 'url' must be text like https://..., not {type(value).__name__}")
    return value.strip() or None


LONGEST_WORD = 200  # characters; no prose word is longer (URLs aside)


def check_prose(body: str, origin: str) -> None:
    """Refuse bodies that are not prose: one endless token, or hardly any spaces."""
    longest = max((len(w) for w in body.split()), default=0)
    if longest > 2000:
        raise LoadError(f"{origin}: does not look like prose (a {longest:,}-character run with no spaces)")
    tokens = body.split()
    if len(body) > 2000 and tokens and sum(len(t) > LONGEST_WORD for t in tokens) / len(tokens) > 0.05:
        raise LoadError(f"{origin}: does not look like prose (most of it is {LONGEST_WORD}+-character tokens)")


def file_time(path: Path) -> datetime:
    """Fallback publication time for files that carry none: the file's modification time."""
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
