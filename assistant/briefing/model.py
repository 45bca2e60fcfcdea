"""The briefing as data: stories with cited key points, and the numbered sources they cite."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class KeyPoint:
    text: str  # with global [n] markers
    supported: bool
    support: float


@dataclass
class StoryBrief:
    headline: str
    points: list[KeyPoint]
    sources: list[int]  # global source numbers of the story's articles
    articles: int
    outlets: int
    dropped: int = 0  # key points removed because their citations did not support them
    status: str = "new"  # new | continuing
    centroid: list[float] = field(default_factory=list)
    story_id: int | None = None  # the story in the story memory (docs/stories.md)
    first_day: str = ""  # the day of its first report
    days: int = 1  # days with a report, up to this one
    coverage: dict = field(default_factory=dict)  # covered, independent, missing, first, only_by, basis
    since: list[str] = field(default_factory=list)  # ledger changes since its previous day, with [n] markers
    since_day: str = ""  # that previous day
    extra_sources: list[int] = field(default_factory=list)  # earlier days' reports those lines cite


@dataclass
class Briefing:
    day: str
    timezone: str
    window: tuple[str, str]
    overview: str
    overview_supported: bool
    stories: list[StoryBrief]
    sources: list[dict]  # numbered from 1: title, source, url, published_at, article_id, reprint_of
    timings: dict[str, float] = field(default_factory=dict)
    topics: list[dict] = field(default_factory=list)  # "Your topics": {"topic", "items": [{"text", "n"}]}
    blindspots: list[dict] = field(default_factory=list)  # {"headline", "text", "story_id"}
    feed_problems: list[dict] = field(default_factory=list)  # {"url", "title", "reason", "since"}

    def to_json(self) -> dict:
        from dataclasses import asdict
        return asdict(self)
