"""Shared pieces of the loaders: the error type, safe decoding and date parsing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from dateutil import parser as date_parser

from assistant.records import Article


class LoadError(Exception):
    """One input (or one record inside it) could not be read; the message is one line."""


@dataclass
class LoadResult:
    origin: str
    articles: list[Article] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each, naming the input and the reason


def decode_text(data: bytes, origin: str) -> str:
    """Decode UTF-8 input, rejecting empty, binary and badly encoded files with a clear reason."""
    if not data.strip():
        raise LoadError(f"{origin}: empty file")
    if b"\x00" in data[:8192]:
        raise LoadError(f"{origin}: binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"{origin}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None


def read_text_file(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"{path}: cannot read ({exc.strerror})") from None
    return decode_text(data, str(path))


def parse_datetime(value: object, origin: str = "") -> datetime | None:
    """Parse ISO 8601, RFC 822 and similar dates; naive times are taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = date_parser.parse(str(value))
        except (ValueError, OverflowError):
            raise LoadError(f"{origin}: unreadable date {str(value)[:40]!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def file_time(path: Path) -> datetime:
    """Fallback publication time for files that carry none: the file's modification time."""
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
