"""The speech cache, one file per phrase; `Speaker`, a session's speech (engine, voice, pace) over the cache; and
`synthesize_all`, which fills a session's phrases from the cache (or from the engine, once, where it has none)."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

import numpy as np

from coach.atomic import reason
from coach.audio import SAMPLE_RATE, Clip, Pcm, to_float
from coach.errors import SilentSpeech, SpeechError
from coach.reading import read_regular
from coach.signals import held
from coach.speech.engine import EngineFactory, SpeechEngine
from coach.speech.level import SETTINGS as LOUDNESS

CACHE_FORMAT = 3  # part of every cache key: bump it when the stored audio or its file changes
MAX_ENTRY = 64 * 1024 * 1024  # bytes: over twelve minutes of speech, for a phrase of at most 400 characters

SILENCE = 1e-3  # below this (about -60 dBFS) a sample counts as quiet when trimming
EDGE_MS = 10  # quiet kept around trimmed speech, and the length of its fade in and out
ATTEMPTS = 3  # espeak-ng very rarely returns silence for a phrase it speaks fine the next time


def trim(pcm: Pcm, sample_rate: int) -> Pcm:
    """Cut the quiet around speech, keeping EDGE_MS of it, with a short fade at each end so nothing clicks."""
    loud = np.flatnonzero(np.abs(pcm.astype(np.float32)) > SILENCE * 32768)
    if loud.size == 0:
        return np.zeros(0, dtype=np.int16)
    edge = sample_rate * EDGE_MS // 1000
    out = pcm[max(0, loud[0] - edge) : loud[-1] + 1 + edge].astype(np.float32)
    ramp = np.linspace(0.0, 1.0, min(edge, len(out) // 2), dtype=np.float32)
    out[: len(ramp)] *= ramp
    out[len(out) - len(ramp) :] *= ramp[::-1]
    return np.rint(out).astype(np.int16)


class SpeechCache:
    """Synthesized phrases on disk, one file per (format, engine, voice, pace, loudness settings, text).

    Each file holds a header (magic, sample rate, sample count, SHA-256 of the samples) and the 16-bit samples, so a
    truncated or damaged entry is noticed and made again. An entry is written once: it is created whole under its
    name (a hard link from a finished temp file), and a process that finds another's entry already there uses that
    one, so processes sharing a cache all use the same audio.
    """

    MAGIC = b"COACHPCM"
    HEADER = struct.Struct("<8sII32s")

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, engine: str, voice: str, pace: float, text: str) -> Path:
        """`voice` is the engine's key for the voice (for Piper, its files' digest), `pace` the line's own."""
        key = json.dumps([CACHE_FORMAT, engine, voice, pace, LOUDNESS, text], ensure_ascii=False)
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.directory / f"v{CACHE_FORMAT}" / digest[:2] / f"{digest}.pcm"

    def get(self, engine: str, voice: str, pace: float, text: str, sample_rate: int) -> Pcm | None:
        return self._read(self.path(engine, voice, pace, text), sample_rate)

    def _read(self, path: Path, sample_rate: int) -> Pcm | None:
        try:  # an entry is a regular file, never a link: a FIFO or a link to /dev/zero is a damaged entry
            data = read_regular(path, MAX_ENTRY, follow_links=False)
        except OSError:
            return None
        size = self.HEADER.size
        if len(data) < size:
            return None
        magic, rate_read, count, digest = self.HEADER.unpack(data[:size])
        body = data[size:]
        if magic != self.MAGIC or rate_read != sample_rate or len(body) != 2 * count:
            return None
        if hashlib.sha256(body).digest() != digest:
            return None
        return np.frombuffer(body, dtype="<i2").astype(np.int16)

    def put(self, engine: str, voice: str, pace: float, text: str, pcm: Pcm, sample_rate: int) -> Pcm:
        """Store a phrase unless a good entry is there already; returns the audio the cache now holds."""
        path = self.path(engine, voice, pace, text)
        body = pcm.astype("<i2").tobytes()
        header = self.HEADER.pack(self.MAGIC, sample_rate, len(pcm), hashlib.sha256(body).digest())
        name = ""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                with held():  # made and recorded for removal together
                    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
                with os.fdopen(fd, "wb") as out:
                    out.write(header + body)
                try:
                    os.link(name, path)  # there whole, at once, or not at all
                except FileExistsError:
                    existing = self._read(path, sample_rate)
                    if existing is not None:
                        return existing  # another process got there first: use its audio
                    os.replace(name, path)  # a damaged entry: put the good one in its place
            finally:
                if name:
                    Path(name).unlink(missing_ok=True)
        except OSError as exc:
            raise SpeechError(
                f"The speech cache in {self.directory} cannot be written: {reason(exc, path.parent)}."
            ) from exc
        return pcm


BEAT_PACE = 1.25  # words said on a metronome beat are said this much quicker, so they are crisp and fit the beat


def line_pace(pace: float, beat: bool) -> float:
    """The pace a line is said at: the session's, or quicker for words on a beat (rounded: it is in the cache key)."""
    return round(pace * BEAT_PACE if beat else pace, 4)


class Speaker:
    """The speech of a session: an engine (built from its factory the first time a line is not in the cache), a
    voice, a pace, and the cache. A session whose lines are all cached never builds the engine."""

    def __init__(self, factory: EngineFactory, voice: str, pace: float, cache: SpeechCache, threads: int = 0) -> None:
        self.factory, self.voice, self.pace, self.cache, self.threads = factory, voice, pace, cache, threads
        self.engine_name = factory.name
        self.voice_key = factory.voice_key(voice)  # a voice that cannot be used is refused here, before anything
        self._engine: SpeechEngine | None = None

    @property
    def built(self) -> bool:
        return self._engine is not None

    @property
    def engine(self) -> SpeechEngine:
        if self._engine is None:
            engine = self.factory.build(self.threads)
            if engine.sample_rate != SAMPLE_RATE:
                raise SpeechError(
                    f"The speech engine speaks at {engine.sample_rate} Hz; sessions are {SAMPLE_RATE} Hz."
                )
            self._engine = engine
        return self._engine

    def path(self, text: str, beat: bool = False) -> Path:
        return self.cache.path(self.engine_name, self.voice_key, line_pace(self.pace, beat), text)

    def cached(self, text: str, beat: bool = False) -> Pcm | None:
        return self.cache.get(self.engine_name, self.voice_key, line_pace(self.pace, beat), text, SAMPLE_RATE)

    def make(self, text: str, beat: bool = False) -> Pcm:
        """Synthesize a line, trimmed and at the session's loudness, and keep it in the cache; returns the audio the
        cache holds (another process's, if it got there first)."""
        pace = line_pace(self.pace, beat)
        pcm = _speak(self.engine, text, self.voice, pace)
        return self.cache.put(self.engine_name, self.voice_key, pace, text, pcm, SAMPLE_RATE)

    def clip(self, text: str, beat: bool = False) -> Pcm:
        pcm = self.cached(text, beat)
        return self.make(text, beat) if pcm is None else pcm


def _speak(engine: SpeechEngine, text: str, voice: str, pace: float) -> Pcm:
    """One phrase, trimmed and normalized; silence is retried, since a cached silence would be kept for good."""
    from coach.speech.level import normalize

    for _ in range(ATTEMPTS):
        pcm = trim(engine.synthesize(text, voice, pace), SAMPLE_RATE)
        if pcm.size:
            return normalize(pcm, SAMPLE_RATE)
    raise SilentSpeech(text, ATTEMPTS)


def synthesize_all(
    texts: Iterable[str],
    speaker: Speaker,
    beat: Collection[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Clip]:
    """Every distinct text as a clip, from the cache where it can be; the texts in `beat` are said on a beat."""
    unique = list(dict.fromkeys(texts))
    clips: dict[str, Clip] = {}
    for done, text in enumerate(unique, start=1):
        clips[text] = to_float(speaker.clip(text, text in beat))
        if progress is not None:
            progress(done, len(unique))
    return clips
