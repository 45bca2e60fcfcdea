"""A simulated week with the real models: feeds that gain items day by day, the daily job each day,
seven archived briefings, a valid Atom feed of them, the watchlist section, and the mail."""

from __future__ import annotations

import json
from datetime import date, timedelta
from email import message_from_bytes

import feedparser
import pytest
from typer.testing import CliRunner

from assistant.cli.__main__ import app
from assistant.evals.feedsite import NewsSite, free_port

pytestmark = pytest.mark.llm
runner = CliRunner()


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def test_a_simulated_week(tmp_path):
    from aiosmtpd.controller import Controller
    site = NewsSite(feeds=1, items_per_day=1)
    inbox = Inbox()
    smtp_port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    index = tmp_path / "index"
    base = ["--index", str(index), "--set", "allow_private_urls=true", "--set", f"smtp_port={smtp_port}",
            "--set", "smtp_host=127.0.0.1", "--set", "mail_to=reader@example.com"]
    try:
        for feed in range(1):
            assert runner.invoke(app, [*base, "feeds", "add", f"{site.base}/feed/{feed}"]).exit_code == 0
        for topic in ("chip plant", "Veridian"):
            assert runner.invoke(app, [*base, "topics", "add", topic]).exit_code == 0
        first = date(2024, 6, 3)
        for offset in range(7):
            site.day = offset
            day = first + timedelta(days=offset)
            result = runner.invoke(app, [*base, "daily", "--date", day.isoformat(), "-q"])
            assert result.exit_code == 0, result.output
            assert f"briefing for {day}" in result.stdout and "mailed" in result.stdout, result.stdout
        folder = index / "briefings"
        days = sorted(p.stem for p in folder.glob("*/*/*.json"))
        assert days == [(first + timedelta(days=i)).isoformat() for i in range(7)]
        assert all((folder / d[:4] / d[5:7] / f"{d}.{suffix}").is_file() for d in days for suffix in ("md", "html"))
        atom = feedparser.parse((folder / "atom.xml").read_bytes())
        assert not atom.bozo and atom.version == "atom10" and len(atom.entries) == 7
        assert len({e.id for e in atom.entries}) == 7
        assert all(any(link.get("rel") == "related" and link["href"].startswith(site.base) for link in e.links)
                   for e in atom.entries)
        # the hand-made expectation: Veridian stories are published on days 1, 3 and 5 only
        for offset, day in enumerate(days):
            data = json.loads((folder / day[:4] / day[5:7] / f"{day}.json").read_text())
            by_n = {s["n"]: s for s in data["sources"]}
            for topic in data["topics"]:
                titles = {by_n[item["markers"][0]]["title"] for item in topic["items"]}
                veridian = {t for t in titles if "Veridian" in t}
                if offset in (1, 3, 5):
                    assert veridian and all(f"day {offset}" in t for t in veridian), (day, topic)
                else:
                    assert not veridian, (day, topic)
        assert len(inbox.messages) == 7
        message = inbox.messages[-1]
        kinds = [part.get_content_type() for part in message.walk()]
        assert "text/plain" in kinds and "text/html" in kinds and message["To"] == "reader@example.com"
    finally:
        controller.stop()
        site.close()
