"""Publishing a written briefing: the day's files in the archive, its reading aloud, then the Atom feed.

Apart from archive.py so that the archive (which audio reads) does not import the audio that reads it.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from assistant.briefing.archive import day_lock, day_path, write_atom, write_atomically
from assistant.briefing.audio import audio_after_briefing
from assistant.briefing.model import Briefing
from assistant.briefing.render import to_html, to_markdown


def store_briefing(settings, briefing: Briefing) -> Path:
    """Write the day's JSON, Markdown and HTML (under the day's lock), then refresh the Atom feed."""
    with day_lock(settings, briefing.day):
        data = asdict(briefing)
        data["written_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        write_atomically(day_path(settings, briefing.day, "json"), json.dumps(data, ensure_ascii=False, indent=2))
        write_atomically(day_path(settings, briefing.day, "md"), to_markdown(briefing))
        write_atomically(day_path(settings, briefing.day, "html"), to_html(briefing))
    audio_after_briefing(settings, briefing.day)  # read aloud (briefing_audio), or an older reading kept in step
    write_atom(settings)
    return day_path(settings, briefing.day, "json")
