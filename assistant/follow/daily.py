"""The daily job: fetch the feeds, write the previous day's briefing with "Your topics", archive it, mail it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass
class DailyReport:
    day: str
    lines: list[str] = field(default_factory=list)
    stored: str | None = None


def previous_day(settings, now: datetime | None = None) -> date:
    zone = ZoneInfo(settings.briefing_timezone)
    return ((now or datetime.now(zone)).astimezone(zone) - timedelta(days=1)).date()


def run_daily(services, day: date | None = None, progress: bool = False, update: bool = True) -> DailyReport:
    """Update the feeds, then brief on `day` (default: yesterday in briefing_timezone)."""
    from assistant.briefing.render import to_html, to_markdown
    from assistant.follow.deliver import DeliveryError, send_briefing
    settings = services.settings
    database = services.follow_db
    day = day or previous_day(settings)
    report = DailyReport(day.isoformat())
    if update and database.feeds():
        report.lines.append(services.update_feeds(progress=progress).summary())
    last = database.mark("last_briefing_until")
    since = datetime.fromisoformat(last) if last else None
    try:
        briefing, stored = services.briefing(day, progress=progress, topics_since=since)
    except ValueError as exc:  # nothing to brief on
        report.lines.append(f"no briefing for {day}: {exc}")
        return report
    report.stored = str(stored) if stored else None
    report.lines.append(f"briefing for {day}: {len(briefing.stories)} stories, {sum(len(t['items']) for t in briefing.topics)} "
                        f"topic items; archived at {stored}")
    if since is None or datetime.fromisoformat(briefing.window[1]) > since:
        database.mark("last_briefing_until", briefing.window[1])
    database.mark("last_briefing_day", day.isoformat())
    if settings.smtp_host and settings.mail_to:
        try:
            report.lines.append(send_briefing(settings, briefing.day, to_markdown(briefing), to_html(briefing)))
        except DeliveryError as exc:
            report.lines.append(f"mail failed: {exc}")
    return report
