"""What the MCP tools and the HTTP routes do, once: plain functions over Services that return JSON-ready data.

Each calls the same Services method as the matching CLI command with `--json` and returns the same
object, so an answer through MCP or HTTP is the CLI's answer. Bad input raises OperationError with one
line naming the input and the problem; the servers turn it into a tool error or an HTTP 400.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from assistant.records import SearchFilters

MAX_QUESTION_CHARS = 2000  # the CLI's limit for one question
MAX_SEARCH_K = 50
MAX_INGEST_URLS = 50
MAX_VERIFY_PASSAGES = 20
SUMMARY_LENGTHS = ("line", "short", "full")


class OperationError(ValueError):
    """A request that cannot be served as asked (the message says which input and why)."""


def parse_when(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    from assistant.ingest.sources.common import LoadError, parse_datetime
    try:
        return parse_datetime(value, name)
    except LoadError as exc:
        raise OperationError(str(exc)) from None


def filters_from(sources: Sequence[str] = (), since: str | None = None, until: str | None = None) -> SearchFilters:
    return SearchFilters(sources=tuple(sources or ()), since=parse_when(since, "since"), until=parse_when(until, "until"))


def parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise OperationError(f"day {value!r} is not YYYY-MM-DD") from None


def needs_articles(services) -> None:
    if services.store.count() == 0:
        raise OperationError("the index is empty; run `assistant ingest PATH` first")


def chat_model(services):
    from assistant.models.chat import ChatModelError
    try:
        return services.chat_model
    except ChatModelError as exc:
        raise OperationError(str(exc)) from None


def search(services, query: str, k: int = 5, sources: Sequence[str] = (), since: str | None = None,
           until: str | None = None, mode: str | None = None) -> list[dict]:
    """The top passages, as `assistant search --json` prints them."""
    if not query or not query.strip():
        raise OperationError("query is empty")
    if not 1 <= k <= MAX_SEARCH_K:
        raise OperationError(f"k {k}: ask for 1 to {MAX_SEARCH_K} passages")
    if mode not in (None, "dense", "bm25", "hybrid"):
        raise OperationError(f"mode {mode!r}: choose dense, bm25 or hybrid")
    needs_articles(services)
    passages = services.retriever.search(query.strip(), k=k, filters=filters_from(sources, since, until), mode=mode)
    return [dict(p.__dict__) for p in passages]


def check_question(question: str) -> str:
    question = (question or "").strip()
    if not question:
        raise OperationError("the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise OperationError(f"the question is {len(question):,} characters long; ask in at most {MAX_QUESTION_CHARS:,}")
    return question


def ask(services, question: str, sources: Sequence[str] = (), since: str | None = None, until: str | None = None,
        history: Sequence[dict] = ()) -> dict:
    """The checked answer with its citations (each with its passage), as `assistant ask --json` prints it."""
    question = check_question(question)
    needs_articles(services)
    chat_model(services)
    return services.answer_chain.ask(question, list(history), filters_from(sources, since, until)).to_json()


def summarize(services, article: str | None = None, topic: str | None = None, length: str = "short",
              sources: Sequence[str] = (), since: str | None = None, until: str | None = None) -> dict:
    """An article summary (a stored id, an http(s) URL read first, or the best match for words) or a topic's."""
    if (article is None or not article.strip()) == (topic is None or not topic.strip()):
        raise OperationError("give an article (id, URL or words) or a topic, not both")
    if length not in SUMMARY_LENGTHS:
        raise OperationError(f"length {length!r}: choose line, short or full")
    chat_model(services)
    if topic:
        needs_articles(services)
        result = services.topic_summarizer.summarize(topic.strip(), filters_from(sources, since, until))
        if not result.timeline:
            raise OperationError(f"no articles about {topic.strip()!r} in the index")
        return result.to_json()
    reference = article.strip()
    if reference.lower().startswith(("http://", "https://")):
        report = ingest(services, [reference])
        if report["errors"] and not report["articles"]:
            raise OperationError(report["errors"][0])
        reference = report["articles"][0]["article_id"]
    found = services.store.articles(article_ids=[reference])
    if not found:
        needs_articles(services)
        hits = services.retriever.search(reference, k=1, filters=filters_from(sources, since, until))
        found = services.store.articles(article_ids=[hits[0].article_id]) if hits else []
    if not found:
        raise OperationError(f"no article matches {reference!r}")
    return services.article_summarizer.summarize(found[0], length).to_json()


def briefing(services, day: str | None = None, write: bool = False) -> dict:
    """A day's briefing: the archived one when there is one (unless `write`), else written now (takes minutes).
    Without a day: the latest archived briefing, or, with none archived, the latest day with articles."""
    from assistant.briefing.archive import archived_days, load_day
    from assistant.briefing.render import to_markdown
    from assistant.models.chat import ChatModelError
    chosen = parse_day(day)
    if not write:
        days = archived_days(services.settings)
        wanted = chosen.isoformat() if chosen is not None else (days[-1] if days else None)
        stored = load_day(services.settings, wanted) if wanted else None
        if stored is not None:
            return briefing_view(services.settings, stored)
    needs_articles(services)
    chat_model(services)
    try:
        result, stored_path = services.briefing(chosen, progress=False)
    except (ChatModelError, ValueError) as exc:
        raise OperationError(str(exc)) from None
    data = load_day(services.settings, result.day) if stored_path else None
    view = briefing_view(services.settings, data) if data else {**result.to_json(), "markdown": to_markdown(result)}
    view["archived"] = result.day in archived_days(services.settings)
    return view


def briefing_view(settings, data: dict) -> dict:
    """A stored briefing with its Markdown and, when rendered, the path of its audio."""
    from assistant.briefing.archive import day_path
    from assistant.briefing.audio import audio_path_for
    markdown = day_path(settings, data["day"], "md")
    audio = audio_path_for(settings, date.fromisoformat(data["day"]))
    view = {key: value for key, value in data.items() if key != "timings"}
    view["markdown"] = markdown.read_text(encoding="utf-8") if markdown.is_file() else ""
    view["audio"] = str(audio) if audio else None
    for story in view.get("stories", []):
        story.pop("centroid", None)  # 384 numbers per story that no reader needs
    return view


def briefing_days(settings) -> list[str]:
    from assistant.briefing.archive import archived_days
    return archived_days(settings)


def verify(services, text: str, passages: Sequence[str]) -> dict:
    """Each sentence of `text` checked against the passages, as one line of `assistant verify` prints it."""
    from assistant.markers import strip_markers
    from assistant.grounding.citations import check_answer
    from assistant.grounding.verify_file import VerifyInputError, passages_of, with_markers
    if not text or not text.strip():
        raise OperationError("text is empty")
    if len(passages or []) > MAX_VERIFY_PASSAGES:
        raise OperationError(f"{len(passages)} passages: give at most {MAX_VERIFY_PASSAGES}")
    try:
        given = passages_of(list(passages or []), "passages")
    except VerifyInputError as exc:
        raise OperationError(str(exc)) from None
    checked = check_answer(with_markers(text, len(given)), given, services.embeddings.encode,
                           services.settings.support_threshold, repair=False)
    return {"supported": all(s.supported for s in checked.sentences),
            "sentences": [{"text": strip_markers(s.text), "markers": s.markers, "supported": s.supported,
                           "score": s.support, "reason": s.reason} for s in checked.sentences]}


def ingest(services, urls: Sequence[str]) -> dict:
    """Read http(s) pages and feeds into the index. A URL from another tool is treated like a URL found in a
    page or feed: loopback and private addresses are refused unless `allow_private_urls` is set, and local
    files are never read."""
    from assistant.ingest.indexer import IngestReport, ingest_articles
    from assistant.ingest.sources import load_articles
    from assistant.chroma_client import IndexBusyError
    urls = [u.strip() for u in urls or [] if u and u.strip()]
    if not urls:
        raise OperationError("no URLs given")
    if len(urls) > MAX_INGEST_URLS:
        raise OperationError(f"{len(urls)} URLs: give at most {MAX_INGEST_URLS} at once")
    refused = [f"{u}: only http(s) URLs can be ingested this way" for u in urls if not u.lower().startswith(("http://", "https://"))]
    allowed = [u for u in urls if u.lower().startswith(("http://", "https://"))]
    articles, errors = load_articles(allowed, services.settings, typed_by_user=False) if allowed else ([], [])
    try:
        outcomes = ingest_articles(articles, services.store, services.embeddings, services.settings, progress=False) \
            if articles else []
    except IndexBusyError as exc:
        raise OperationError(str(exc)) from None
    report = IngestReport(outcomes=outcomes, errors=refused + errors)
    return {"summary": report.summary(), "errors": report.errors,
            "articles": [{"article_id": o.article_id, "title": o.title, "origin": o.origin, "status": o.status,
                          "chunks": o.chunks} for o in outcomes]}


def list_articles(services, sources: Sequence[str] = (), since: str | None = None, until: str | None = None,
                  limit: int = 50) -> dict:
    """The stored articles, newest first (title, outlet, date, chunks), and how many there are in all."""
    if not 1 <= limit <= 1000:
        raise OperationError(f"limit {limit}: list 1 to 1000 articles")
    filters = filters_from(sources, since, until)
    rows = services.store.list_articles(None if filters.is_empty() else filters)
    return {"total": len(rows), "articles": [{"article_id": r.id, "title": r.title, "source": r.source, "url": r.url,
                                               "published_at": r.published_at, "chunks": r.chunks} for r in rows[:limit]]}
