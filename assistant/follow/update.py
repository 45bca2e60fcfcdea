"""`assistant update`: fetch every subscribed feed once, politely and fast, and ingest what is new.

Feeds are fetched a few at a time (conditional GET: a feed that has not changed answers 304 and
costs nothing), items already stored with the same fingerprint are not fetched again, and new or
changed items are ingested idempotently. A feed's validators (ETag, Last-Modified) and its items'
fingerprints are saved only after its articles are stored, so a run killed half-way is simply
repeated by the next one. One feed's failure is reported and never stops the others.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from tqdm import tqdm

from assistant.follow.database import Feed, FollowDatabase, StoredItem
from assistant.ingest.sources import LoadError, Limits
from assistant.ingest.sources.common import check_prose
from assistant.ingest.sources.web import fetch_conditional, item_article, parse_feed
from assistant.records import Article


@dataclass
class FeedFetch:
    feed: Feed
    status: str  # ok | not modified | failed
    articles: list[tuple[str, str, Article]] = field(default_factory=list)  # (item key, fingerprint, article)
    item_count: int = 0
    errors: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    title: str = ""  # the feed's own title: its name when the user gave none
    skipped: list[str] = field(default_factory=list)  # why each stored item's page was not used ("private address")
    failed_reasons: list[str] = field(default_factory=list)  # why each item that could not be stored failed


@dataclass
class UpdateReport:
    feeds: int = 0
    new: int = 0
    updated: int = 0
    not_modified: int = 0
    failed: int = 0  # feeds that could not be fetched or read
    items_failed: int = 0  # items with neither a page nor a summary to store
    summary_only: Counter = field(default_factory=Counter)  # reason -> items stored from the feed's own text
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        line = (f"{self.feeds} feeds: {self.new} new, {self.updated} updated, {self.failed} failed "
                f"({self.not_modified} not modified)")
        if self.items_failed:
            line += f"; {self.items_failed} items failed"
        if self.summary_only:
            total = sum(self.summary_only.values())
            reasons = (next(iter(self.summary_only)) if len(self.summary_only) == 1 else
                       ", ".join(f"{n} {reason}" for reason, n in self.summary_only.most_common()))
            line += f"; {total} stored from the feed's summary only: {reasons}"
        return line

    @property
    def complete(self) -> bool:
        """Every feed read and every item stored (the exit code of `update`)."""
        return not self.failed and not self.items_failed


def fetch_feed(feed: Feed, seen: dict[str, str], limits: Limits) -> FeedFetch:
    """Fetch one feed and the pages of its new or changed items (no writes: safe in a worker thread)."""
    try:
        fetched = fetch_conditional(feed.url, limits, allow_private=True, etag=feed.etag, last_modified=feed.last_modified)
        if fetched.status == 304:
            return FeedFetch(feed, "not modified", item_count=feed.items)
        title, items, errors = parse_feed(fetched.body, feed.url)
    except LoadError as exc:
        return FeedFetch(feed, "failed", errors=[str(exc)])
    result = FeedFetch(feed, "ok", item_count=len(items), errors=list(errors), etag=fetched.etag,
                       last_modified=fetched.last_modified, title=title if title != feed.url else "")
    source = feed.name or title
    for item in items:
        if seen.get(item.key) == item.fingerprint:
            continue
        try:
            article, skipped = item_article(item, source, feed.url, limits)
            check_prose(article.body, article.origin)
            result.articles.append((item.key, item.fingerprint, article))
            if skipped:
                result.skipped.append(skipped)
        except LoadError as exc:
            result.errors.append(str(exc))
            result.failed_reasons.append(exc.reason)
    return result


def update_feeds(services, database: FollowDatabase, progress: bool = True, workers: int = 4,
                 on_error=None) -> UpdateReport:
    from assistant.ingest.indexer import ingest_articles
    settings = services.settings
    limits = Limits.from_settings(settings)
    feeds = database.feeds()
    report = UpdateReport(feeds=len(feeds))
    seen = {feed.id: database.seen_fingerprints(feed.id) for feed in feeds}
    bar = tqdm(total=len(feeds), unit="feed", desc="Updating", disable=not progress, dynamic_ncols=True)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(fetch_feed, feed, seen[feed.id], limits) for feed in feeds]
        for future in as_completed(futures):
            fetched = future.result()
            for line in fetched.errors:
                report.errors.append(line)
                if on_error:
                    on_error(line)
            if fetched.status == "failed":
                report.failed += 1
                database.record_failure(fetched.feed.id, fetched.errors[0] if fetched.errors else "")
            elif fetched.status == "not modified":
                report.not_modified += 1
                database.record_not_modified(fetched.feed.id)
            else:
                record(fetched, report, database, services, settings, ingest_articles)
            bar.update(1)
            bar.set_postfix(new=report.new, failed=report.failed)
    bar.close()
    return report


def record(fetched: FeedFetch, report: UpdateReport, database: FollowDatabase, services, settings, ingest_articles) -> None:
    """Store a fetched feed's articles, then (only then) its items, validators and health."""
    unique = {a.id: (k, f, a) for k, f, a in fetched.articles}  # one article per id within a feed
    outcomes = ingest_articles([a for _, _, a in unique.values()], services.store, services.embeddings,
                               settings, progress=False) if unique else []
    new = sum(o.status == "new" for o in outcomes)
    report.new += new
    report.updated += sum(o.status == "updated" for o in outcomes)
    report.items_failed += len(fetched.errors)
    report.summary_only.update(fetched.skipped)
    reasons = Counter(fetched.skipped + fetched.failed_reasons)  # the feed's health: pages it could not use
    items = [StoredItem(k, f, a.id, a.published_at.isoformat() if a.published_at else None) for k, f, a in unique.values()]
    database.record_success(fetched.feed.id, items, title=fetched.title, etag=fetched.etag,
                            last_modified=fetched.last_modified, item_count=fetched.item_count, new=new,
                            errors=fetched.errors, pages_skipped=sum(reasons.values()),
                            skip_reason=reasons.most_common(1)[0][0] if reasons else "")
