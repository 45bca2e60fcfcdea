"""Turn paths and URLs into Article records, one loader per input kind."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from assistant.ingest.sources.provenance import ArticleDefaults, names_nothing_else
from assistant.ingest.sources.common import LoadError, Limits, check_prose, read_capped, read_text_file
from assistant.ingest.sources.html import article_from_html
from assistant.ingest.sources.jsonl import load_json
from assistant.ingest.sources.markdown import load_markdown
from assistant.ingest.sources.text import load_text
from assistant.ingest.sources.web import articles_from_feed, load_url
from assistant.records import Article, LoadResult
from assistant.settings import Settings

__all__ = ["LoadError", "LoadResult", "Limits", "load_inputs", "load_articles", "SUPPORTED_SUFFIXES"]


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


def load_articles(inputs: Iterable[str], settings: Settings, on_error: Callable[[str], None] | None = None,
                  typed_by_user: bool = True, defaults: ArticleDefaults = ArticleDefaults()) -> tuple[list[Article], list[str]]:
    """Read every input. Exact copies of one article in the batch collapse to one; two different
    articles that claim one id are both reported and the later one is skipped, never silently lost."""
    by_id: dict[str, Article] = {}
    errors: list[str] = []

    def report(line: str) -> None:
        errors.append(line)
        if on_error:
            on_error(line)

    for result in load_inputs(inputs, Limits.from_settings(settings), typed_by_user=typed_by_user):
        for article in result.articles:
            article = defaults.apply(article)
            earlier = by_id.get(article.id)
            if earlier is not None and earlier.content_hash != article.content_hash:
                if earlier.text_hash == article.text_hash and names_nothing_else(article):
                    continue  # the same words again (bell.txt and bell.md): one article, the first read
                if not (earlier.text_hash == article.text_hash and names_nothing_else(earlier)):
                    report(f"{article.origin}: id {article.id!r} is already used by {earlier.origin} in this batch; "
                           "skipped (give each article its own id)")
                    continue
            by_id[article.id] = article  # new, or the same words with a date, URL or author of their own
        for error in result.errors:
            report(error)
    return list(by_id.values()), errors
