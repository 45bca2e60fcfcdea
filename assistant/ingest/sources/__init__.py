"""Turn paths and URLs into Article records, one loader per input kind."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from assistant.ingest.sources.common import LoadError, Limits, check_prose, read_capped, read_text_file
from assistant.ingest.sources.html import article_from_html
from assistant.ingest.sources.jsonl import load_json
from assistant.ingest.sources.markdown import load_markdown
from assistant.ingest.sources.text import load_text
from assistant.ingest.sources.web import articles_from_feed, load_url
from assistant.records import LoadResult

__all__ = ["LoadError", "LoadResult", "Limits", "load_inputs", "SUPPORTED_SUFFIXES"]


def _load_html_file(path: Path, limits: Limits) -> list:
    return [article_from_html(read_text_file(path, limits.max_bytes), str(path))]


def _load_feed_file(path: Path, limits: Limits) -> LoadResult:
    data = read_capped(path, limits.max_bytes)
    if not data.strip():
        raise LoadError(f"{path}: empty file")
    return articles_from_feed(data, str(path), limits)


FILE_LOADERS: dict[str, Callable[[Path, Limits], list]] = {
    ".txt": load_text,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".html": _load_html_file,
    ".htm": _load_html_file,
}
JSON_SUFFIXES = {".json", ".jsonl"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
SUPPORTED_SUFFIXES = set(FILE_LOADERS) | JSON_SUFFIXES | FEED_SUFFIXES


def _load_file(path: Path, limits: Limits) -> LoadResult:
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES:
        return load_json(path, limits)
    if suffix in FEED_SUFFIXES:
        return _load_feed_file(path, limits)
    if suffix in FILE_LOADERS:
        return LoadResult(origin=str(path), articles=FILE_LOADERS[suffix](path, limits))
    raise LoadError(f"{path}: unsupported file type {suffix or '(no extension)'!r}")


def _expand(inputs: Iterable[str]) -> Iterator[str]:
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.suffix.lower() in SUPPORTED_SUFFIXES and not child.is_dir() and not any(
                    part.startswith(".") for part in child.relative_to(path).parts
                ):
                    yield str(child)
        else:
            yield item


def _checked(result: LoadResult) -> LoadResult:
    """Move articles whose body is not prose into the errors, one line each."""
    kept = []
    for article in result.articles:
        try:
            check_prose(article.body, article.origin or result.origin)
            kept.append(article)
        except LoadError as exc:
            result.errors.append(str(exc))
    result.articles = kept
    if not result.articles and not result.errors:
        result.errors.append(f"{result.origin}: no articles in it")
    return result


def load_inputs(inputs: Iterable[str], limits: Limits | float = Limits(), typed_by_user: bool = True) -> Iterator[LoadResult]:
    """Yield one LoadResult per file or URL; failures are recorded, never raised.

    `typed_by_user` URLs may point anywhere the user can reach; URLs from a page or a feed follow
    the allow_private_urls limit.
    """
    if not isinstance(limits, Limits):
        limits = Limits(timeout=float(limits))
    for item in _expand(inputs):
        try:
            if item.startswith(("http://", "https://")):
                yield _checked(load_url(item, limits, typed_by_user=typed_by_user))
            elif not Path(item).exists() and not Path(item).is_symlink():
                yield LoadResult(origin=item, errors=[f"{item}: no such file or folder"])
            else:
                yield _checked(_load_file(Path(item), limits))
        except LoadError as exc:
            yield LoadResult(origin=item, errors=[str(exc)])
        except RecursionError:
            yield LoadResult(origin=item, errors=[f"{item}: nested too deeply to read"])
