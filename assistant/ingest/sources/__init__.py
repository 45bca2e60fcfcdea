"""Turn paths and URLs into Article records, one loader per input kind."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from assistant.ingest.sources.common import LoadError, LoadResult, read_text_file
from assistant.ingest.sources.html import article_from_html
from assistant.ingest.sources.jsonl import load_json
from assistant.ingest.sources.markdown import load_markdown
from assistant.ingest.sources.text import load_text
from assistant.ingest.sources.web import articles_from_feed, load_url

__all__ = ["LoadError", "LoadResult", "load_inputs", "SUPPORTED_SUFFIXES"]


def _load_html_file(path: Path) -> list:
    return [article_from_html(read_text_file(path), str(path))]


def _load_feed_file(path: Path, timeout: float) -> LoadResult:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"{path}: cannot read ({exc.strerror})") from None
    if not data.strip():
        raise LoadError(f"{path}: empty file")
    return articles_from_feed(data, str(path), timeout)


FILE_LOADERS: dict[str, Callable[[Path], list]] = {
    ".txt": load_text,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".html": _load_html_file,
    ".htm": _load_html_file,
}
JSON_SUFFIXES = {".json", ".jsonl"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
SUPPORTED_SUFFIXES = set(FILE_LOADERS) | JSON_SUFFIXES | FEED_SUFFIXES


def _load_file(path: Path, timeout: float) -> LoadResult:
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES:
        return load_json(path)
    if suffix in FEED_SUFFIXES:
        return _load_feed_file(path, timeout)
    if suffix in FILE_LOADERS:
        return LoadResult(origin=str(path), articles=FILE_LOADERS[suffix](path))
    raise LoadError(f"{path}: unsupported file type {suffix or '(no extension)'!r}")


def _expand(inputs: Iterable[str]) -> Iterator[str]:
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES and not any(
                    part.startswith(".") for part in child.relative_to(path).parts
                ):
                    yield str(child)
        else:
            yield item


def load_inputs(inputs: Iterable[str], timeout: float = 15.0) -> Iterator[LoadResult]:
    """Yield one LoadResult per file or URL; failures are recorded, never raised."""
    for item in _expand(inputs):
        try:
            if item.startswith(("http://", "https://")):
                yield load_url(item, timeout)
            elif not Path(item).exists():
                yield LoadResult(origin=item, errors=[f"{item}: no such file or folder"])
            else:
                yield _load_file(Path(item), timeout)
        except LoadError as exc:
            yield LoadResult(origin=item, errors=[str(exc)])
