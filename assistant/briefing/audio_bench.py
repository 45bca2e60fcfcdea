"""`assistant bench audio`: seconds of rendering per minute of read-aloud briefing, on a synthetic briefing of a
chosen length (the issue's bar: a 2-minute briefing renders in at most real time on 2 cores)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

OUTLETS = ["Daily Wire Service", "Metro Herald", "Scottish Ledger", "Pacific Grower"]
POINTS = [
    "The city council approved a budget of 240 million euros for the new tram line on Tuesday",
    "Air traffic controllers walked out over staffing, and about 300 flights were cancelled at the airport",
    "A hailstorm damaged four thousand hectares of vineyards, and growers expect a harvest 30 percent smaller",
    "The start-up raised 40 million euros to build a factory that will employ 300 people",
    "Schools sent pupils home early as temperatures reached 38 degrees in the capital",
    "The orchestra named its first female chief conductor in almost 250 years",
]
WORDS_PER_MINUTE = 120  # the packaged Piper voice with its pauses (measured: 2 min of audio per 240 words)


def synthetic_briefing(minutes: float) -> dict:
    """A stored-briefing dict of about `minutes` of speech: stories of cited key points from four outlets."""
    sources = [{"n": n, "title": f"Report {n}", "source": outlet, "url": "", "published_at": "2024-05-14T08:00:00+00:00",
                "article_id": f"a{n}", "reprint_of": None} for n, outlet in enumerate(OUTLETS, 1)]
    stories, words, k = [], 0, 0
    while words < minutes * WORDS_PER_MINUTE:
        points = []
        for _ in range(3):
            text = f"{POINTS[k % len(POINTS)]} [{k % len(OUTLETS) + 1}][{(k + 1) % len(OUTLETS) + 1}]."
            points.append({"text": text, "supported": True, "support": 1.0})
            words += len(text.split()) + 6  # "according to <outlet> and <outlet>"
            k += 1
        stories.append({"headline": f"Story about {POINTS[k % len(POINTS)].split(',')[0].lower()}", "points": points,
                        "sources": [1, 2], "articles": 2, "outlets": 2, "status": "new"})
    return {"day": "2024-05-14", "timezone": "UTC", "window": ["2024-05-14T00:00:00+00:00", "2024-05-15T00:00:00+00:00"],
            "overview": "", "overview_supported": True, "stories": stories, "sources": sources}


def run_audio_benchmark(settings, minutes: float = 2.0, progress: bool = False) -> list[str]:
    """Render a synthetic briefing of `minutes` into a temporary archive; report render time per audio minute."""
    import json
    import soundfile
    from assistant.briefing.archive import day_path
    from assistant.briefing.audio import load_voice, render_audio
    started = time.perf_counter()
    voice = load_voice(settings.audio_voice)
    load_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="bench-audio-") as folder:
        local = settings.model_copy(update={"index_dir": Path(folder) / "index", "chroma_url": None})
        data = synthetic_briefing(minutes)
        path = day_path(local, data["day"], "json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data), encoding="utf-8")
        started = time.perf_counter()
        audio = render_audio(local, data["day"], progress=progress, voice=voice)
        render_s = time.perf_counter() - started
        info = soundfile.info(str(audio))
        size = audio.stat().st_size
    audio_min = info.duration / 60
    return [f"voice {voice.name}: loaded in {load_s:.1f} s",
            f"rendered {info.duration:.0f} s of audio ({size / 1e6:.1f} MB MP3) in {render_s:.1f} s: "
            f"{render_s / audio_min:.1f} s of rendering per minute of audio ({render_s / info.duration:.2f}x real time)"]
