"""A local news site for the follow tests and `assistant bench update`: feeds that gain items day by day,
article pages, ETags (304 on If-None-Match), and feeds that fail the ways real ones do."""

from __future__ import annotations

import hashlib
import http.server
import socket
import threading
import time
from datetime import datetime, timedelta, timezone

WORDS = ("council harbor plant budget river festival ferry library bridge school port tram market museum "
         "storm flood road housing energy water").split()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NewsSite:
    def __init__(self, feeds: int = 3, items_per_day: int = 2, start: datetime = datetime(2024, 6, 3, 8, tzinfo=timezone.utc)):
        self.feeds = feeds
        self.items_per_day = items_per_day
        self.start = start
        self.day = 0  # items published up to this day (0-based) are in the feeds
        self.requests: list[tuple[str, int]] = []
        self.special: dict[str, tuple[int, bytes, str]] = {}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                status, body, kind = site.respond(self.path, self.headers)
                site.requests.append((self.path, status))
                if status == -1:  # hang: a feed that times out
                    time.sleep(10)
                    return
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", body.decode())
                    self.end_headers()
                    return
                self.send_header("Content-Type", kind)
                if status == 200:
                    self.send_header("ETag", '"' + hashlib.md5(body).hexdigest() + '"')
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()

    def when(self, day: int, i: int) -> datetime:
        return self.start + timedelta(days=day, hours=i)

    def story(self, feed: int, day: int, i: int) -> tuple[str, str]:
        topic = WORDS[(feed * 7 + day * 3 + i) % len(WORDS)]
        other = WORDS[(feed + day + 5 * i) % len(WORDS)]
        title = f"Outlet {feed} day {day} story {i}: the {topic} plan moves ahead"
        body = (f"The city said on day {day} that the {topic} plan would move ahead after a vote of {5 + i} to {day % 3}. "
                f"Officials from Outlet {feed} reported that {other} work starts next month and costs {100 + 10 * day + i} "
                f"thousand euros. Residents asked for more details about the {topic} plan at a public meeting. "
                f"The mayor said a decision on the {other} budget is expected next week.")
        if feed == 0 and i == 0 and day in (1, 3, 5):
            title = f"Veridian chip plant hires {day * 100} workers on day {day}"
            body = (f"Veridian Microsystems said on day {day} that its chip plant in Harbor City hired {day * 100} more "
                    f"workers. The company expects the plant to open in 2028. The semiconductor factory was approved "
                    f"by the council last month.")
        return title, body

    def feed_xml(self, feed: int) -> bytes:
        items = []
        for day in range(self.day + 1):
            for i in range(self.items_per_day):
                title, body = self.story(feed, day, i)
                link = f"{self.base}/article/{feed}/{day}/{i}"
                date = self.when(day, i).strftime("%a, %d %b %Y %H:%M:%S GMT")
                items.append(f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
                             f"<pubDate>{date}</pubDate><description>{body[:120]}</description></item>")
        return (f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>Outlet {feed}</title>"
                f"<link>{self.base}/</link><description>News</description>{''.join(reversed(items))}</channel></rss>").encode()

    def respond(self, path: str, headers) -> tuple[int, bytes, str]:
        if path in self.special:
            return self.special[path]
        parts = path.strip("/").split("/")
        if parts[0] == "feed" and len(parts) == 2:
            body = self.feed_xml(int(parts[1]))
            if headers.get("If-None-Match") == '"' + hashlib.md5(body).hexdigest() + '"':
                return 304, b"", "application/rss+xml"
            return 200, body, "application/rss+xml"
        if parts[0] == "article" and len(parts) == 4:
            feed, day, i = (int(x) for x in parts[1:])
            title, body = self.story(feed, day, i)
            when = self.when(day, i).isoformat()
            html = (f"<html><head><title>{title}</title><meta property='article:published_time' content='{when}'></head>"
                    f"<body><article><h1>{title}</h1><p>{body}</p></article></body></html>")
            return 200, html.encode(), "text/html; charset=utf-8"
        return 404, b"missing", "text/plain"
