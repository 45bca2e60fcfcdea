"""The schedule that runs without the user: feeds every N minutes, the briefing at a set local time.

APScheduler runs the jobs; a job missed while the machine slept runs once when it wakes
(coalesced, with a grace period), and a process started after the day's briefing time writes the
missed briefing once at start. Two processes never write the same briefing at once: the archive
holds a lock per day. cron/systemd can do the same with `assistant daily` (see docs/follow.md).
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from assistant.follow.daily import previous_day, run_daily

log = logging.getLogger("assistant.schedule")
GRACE_S = 12 * 3600  # a run missed by up to 12 hours (sleep, suspend) still happens once on wake


def update_job(services) -> None:
    try:
        log.info(services.update_feeds().summary())
    except Exception as exc:  # a bad night must not stop tomorrow's run
        log.warning("update failed: %s", exc)


def briefing_job(services) -> None:
    try:
        for line in run_daily(services, update=True).lines:
            log.info(line)
    except Exception as exc:
        log.warning("daily briefing failed: %s", exc)


def briefing_is_due(services, now: datetime | None = None) -> bool:
    """Past today's briefing time and yesterday's briefing not written yet (the machine was off or asleep)."""
    settings = services.settings
    zone = ZoneInfo(settings.briefing_timezone)
    now = (now or datetime.now(zone)).astimezone(zone)
    hour, minute = (int(x) for x in settings.briefing_time.split(":"))
    passed = (now.hour, now.minute) >= (hour, minute)
    return passed and services.follow_db.mark("last_briefing_day") != previous_day(settings, now).isoformat()


def make_scheduler(services, blocking: bool):
    settings = services.settings
    zone = ZoneInfo(settings.briefing_timezone)
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(
        timezone=zone, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": GRACE_S})
    scheduler.add_job(update_job, IntervalTrigger(minutes=settings.update_every_minutes), args=[services], id="update")
    hour, minute = (int(x) for x in settings.briefing_time.split(":"))
    scheduler.add_job(briefing_job, CronTrigger(hour=hour, minute=minute, timezone=zone), args=[services], id="briefing")
    if briefing_is_due(services):
        scheduler.add_job(briefing_job, args=[services], id="catch-up")  # runs once, now
    return scheduler
