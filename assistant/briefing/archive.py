"""The briefing archive: each briefing as JSON, Markdown and HTML under a dated path, and an Atom feed of them.

briefings/2024/05/2024-05-14.{json,md,html} and briefings/atom.xml, beside the index. Writing
one day's briefing holds that day's lock, so two processes (a scheduled job and a person) never
write the same briefing at once.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from pathlib import Path

from filelock import FileLock


AUDIO_SUFFIX, AUDIO_MIME = "mp3", "audio/mpeg"  # the read-aloud briefing beside the day's files
from assistant.rendering import render, safe_url


def archive_folder(settings) -> Path:
    if settings.chroma_url:
        return settings.cache_dir / "briefings"
    return settings.index_dir / "briefings"


def day_path(settings, day: str, suffix: str) -> Path:
    return archive_folder(settings) / day[:4] / day[5:7] / f"{day}.{suffix}"


def day_lock(settings, day: str) -> FileLock:
    folder = archive_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    return FileLock(str(folder / f".{day}.lock"), timeout=settings.write_wait_s)


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)


def archived_days(settings) -> list[str]:
    folder = archive_folder(settings)
    return sorted(p.stem for p in folder.glob("*/*/*.json")) if folder.is_dir() else []


def load_day(settings, day: str) -> dict | None:
    path = day_path(settings, day, "json")
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def previous_briefing(settings, day: date) -> dict | None:
    """The most recent stored briefing before `day` (the 'previous day' when there is one)."""
    earlier = [d for d in archived_days(settings) if d < day.isoformat()]
    return load_day(settings, earlier[-1]) if earlier else None


def changes_since_previous(settings, day: str) -> dict:
    """What changed since the briefing before: stories that are new, continuing, and no longer in the news."""
    today = load_day(settings, day)
    if today is None:
        return {}
    earlier = [d for d in archived_days(settings) if d < day]
    before = load_day(settings, earlier[-1]) if earlier else None
    new = [s["headline"] for s in today["stories"] if s["status"] == "new"]
    continuing = [s["headline"] for s in today["stories"] if s["status"] == "continuing"]
    gone = []
    if before:
        import numpy as np
        centroids = [np.asarray(s["centroid"]) for s in today["stories"] if s.get("centroid")]
        for story in before["stories"]:
            if story.get("centroid") and not any(float(np.asarray(story["centroid"]) @ c) >= settings.story_similarity
                                                 for c in centroids):
                gone.append(story["headline"])
    return {"day": day, "previous": earlier[-1] if earlier else None, "new": new, "continuing": continuing, "gone": gone}


def write_atom(settings, most: int = 60) -> Path:
    """An Atom feed of the archived briefings (one entry per day, newest first), valid for feed readers.

    Written from a template: feedgen 1.0.0 drops the rel, type and title of entry links, and the cited
    article links (rel="related") are the point of the feed.
    """
    folder = archive_folder(settings)
    entries = []
    latest = "2000-01-01T00:00:00+00:00"
    for day in reversed(archived_days(settings)[-most:]):
        data = load_day(settings, day) or {}
        written = data.get("written_at") or f"{day}T00:00:00+00:00"
        latest = max(latest, written)
        html_path = day_path(settings, day, "html")
        body = html_path.read_text(encoding="utf-8") if html_path.is_file() else ""
        audio = day_path(settings, day, AUDIO_SUFFIX)
        entries.append({
            "id": f"tag:news-assistant,2024:{settings.collection}:briefing:{day}",
            "title": f"Briefing for {day}: " + "; ".join(s["headline"] for s in data.get("stories", [])[:3]),
            "updated": written, "href": html_path.resolve().as_uri(),
            "related": [{"href": safe_url(s.get("url")), "title": s.get("title", "")[:200]}
                        for s in data.get("sources", [])[:20] if safe_url(s.get("url"))],
            "content": body.split("<body>", 1)[-1].split("</body>", 1)[0] or "No stories.",
            # the read-aloud briefing as a podcast enclosure (assistant/briefing/audio.py)
            "audio": {"href": audio.resolve().as_uri(), "type": AUDIO_MIME, "length": audio.stat().st_size}
            if audio.is_file() else None})
    path = folder / "atom.xml"
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(path, render("atom.xml", feed_id=f"tag:news-assistant,2024:{settings.collection}:briefings",
                                  updated=latest, self_href=path.resolve().as_uri(), entries=entries))
    return path
