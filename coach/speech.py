"""Speech: text-to-speech engines behind one interface, and a disk cache so each phrase is synthesized once.

Engines are values passed in, never globals reached for. The one real engine is pyttsx3 driving espeak-ng, whose
library and voice data come from the espeakng-loader package, so no system espeak is needed.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import json
import os
import struct
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from coach.errors import SpeechError
from coach.mixer import SAMPLE_RATE, Clip, Pcm, to_float

CACHE_FORMAT = 2  # part of every cache key: bump it when the stored audio or its file changes

SILENCE = 1e-3  # below this (about -60 dBFS) a sample counts as quiet when trimming
EDGE_MS = 10  # quiet kept around trimmed speech, and the length of its fade in and out


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    languages: tuple[str, ...]


class SpeechEngine(Protocol):
    """What the session needs of a text-to-speech engine."""

    name: str  # stable: part of the cache key
    sample_rate: int

    def voices(self) -> list[Voice]: ...

    def synthesize(self, text: str, voice: str, rate: int) -> Pcm:
        """Mono int16 samples at `sample_rate`."""
        ...


class Pyttsx3Engine:
    """pyttsx3 with its espeak-ng driver (22050 Hz mono)."""

    name = "pyttsx3-espeak"
    sample_rate = 22050

    def __init__(self, scratch: Path) -> None:
        self._scratch = scratch  # where the driver writes each phrase before it is read back
        self._voices: list[Voice] | None = None

    @property
    def _engine(self) -> Any:
        return _load_pyttsx3()  # loaded on first use: a warm cache never needs the engine

    def voices(self) -> list[Voice]:
        if self._voices is None:
            found = []
            for v in self._engine.getProperty("voices"):
                languages = tuple(str(code) for code in (getattr(v, "languages", None) or ()))
                found.append(Voice(str(v.id), str(v.name), languages))
            self._voices = sorted(found, key=lambda v: v.id)
        return self._voices

    def synthesize(self, text: str, voice: str, rate: int) -> Pcm:
        self._scratch.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(suffix=".wav", dir=self._scratch)
        os.close(fd)
        try:
            self._engine.setProperty("voice", voice)
            self._engine.setProperty("rate", rate)
            self._engine.save_to_file(text, name)
            with contextlib.redirect_stdout(io.StringIO()):  # the driver prints "Audio saved to ..."
                self._engine.runAndWait()
                _wait_until_written(self._engine)
            pcm, rate_read = read_wav(Path(name))
        except Exception as exc:  # the engine reports failures in many shapes
            raise SpeechError(f"The speech engine could not say {text!r}: {exc}") from exc
        finally:
            Path(name).unlink(missing_ok=True)
        if rate_read != self.sample_rate:
            raise SpeechError(f"The speech engine gave {rate_read} Hz audio; {self.sample_rate} Hz was expected.")
        return pcm


_PYTTSX3: Any = None
WRITE_TIMEOUT_S = 30.0


def _wait_until_written(engine: Any) -> None:
    """Wait until espeak-ng's own thread has delivered the whole phrase and the driver has written its file.

    pyttsx3 starts espeak-ng in its asynchronous (retrieval) mode, so `runAndWait` can return before the last of
    the audio arrives; the driver clears its `_speaking` flag only after the file is complete.
    """
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    deadline = time.monotonic() + WRITE_TIMEOUT_S
    while getattr(driver, "_speaking", False):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no audio after {WRITE_TIMEOUT_S:g} s")
        time.sleep(0.002)


class _QuickPolls:
    """The time module, except that sleep waits at most half a millisecond."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        time.sleep(min(seconds, 0.0005))


def _poll_faster(driver_module: Any) -> None:
    """pyttsx3's espeak driver checks for the end of each phrase every 10 ms, while espeak-ng takes about one: so
    every phrase cost 11 ms, whatever its length, and a session's ~45 phrases most of a second. Its loop is made to
    check every half millisecond instead (it still waits the same way; only the interval changes)."""
    if driver_module is not None and getattr(driver_module, "time", None) is time:
        driver_module.time = _QuickPolls()


def _release_pyttsx3() -> None:
    """Let pyttsx3 clean up while the interpreter is whole (its clean-up fails noisily during shutdown)."""
    global _PYTTSX3
    _PYTTSX3 = None


def _load_pyttsx3() -> Any:
    """Make espeak-ng from espeakng-loader visible to pyttsx3, then start pyttsx3's espeak driver.

    espeak-ng can be initialized only once in a process, and pyttsx3 keeps one engine per driver in a weak
    dictionary. If that engine were collected, its driver's clean-up could unhook the synthesis callback of a newer
    engine, which then gives silence; so the one engine is held here for the life of the process.
    """
    global _PYTTSX3
    if _PYTTSX3 is not None:
        return _PYTTSX3
    import ctypes

    try:
        import espeakng_loader

        ctypes.CDLL(espeakng_loader.get_library_path(), mode=ctypes.RTLD_GLOBAL)
        os.environ["ESPEAK_DATA_PATH"] = espeakng_loader.get_data_path()
        import pyttsx3

        engine = pyttsx3.init("espeak")
        _poll_faster(sys.modules.get("pyttsx3.drivers.espeak"))
        # A first, empty run settles the driver's queue. Without it, the first phrase's run ends as soon as it
        # starts (its end-of-loop command is queued ahead of the speech), and its file may not be there yet.
        with contextlib.redirect_stdout(io.StringIO()):
            engine.runAndWait()
        _PYTTSX3 = engine
        atexit.register(_release_pyttsx3)
        return _PYTTSX3
    except Exception as exc:
        raise SpeechError(f"The speech engine (espeak-ng through pyttsx3) could not start: {exc}") from exc


def read_wav(path: Path) -> tuple[Pcm, int]:
    with wave.open(str(path), "rb") as f:
        if f.getnchannels() != 1 or f.getsampwidth() != 2:
            raise ValueError(f"{path.name}: expected mono 16-bit audio")
        data = f.readframes(f.getnframes())
        return np.frombuffer(data, dtype="<i2").astype(np.int16), f.getframerate()


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
    """Synthesized phrases on disk, one file per (format, engine, voice, rate, text).

    Each file holds a header (magic, sample rate, sample count, SHA-256 of the samples) and the 16-bit samples, so a
    truncated or damaged entry is noticed and made again. An entry is written once: it is created whole under its
    name (a hard link from a finished temp file), and a process that finds another's entry already there uses that
    one, so processes sharing a cache all use the same audio.
    """

    MAGIC = b"COACHPCM"
    HEADER = struct.Struct("<8sII32s")

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, engine: str, voice: str, rate: int, text: str) -> Path:
        key = json.dumps([CACHE_FORMAT, engine, voice, rate, text], ensure_ascii=False)
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.directory / f"v{CACHE_FORMAT}" / digest[:2] / f"{digest}.pcm"

    def get(self, engine: str, voice: str, rate: int, text: str, sample_rate: int) -> Pcm | None:
        return self._read(self.path(engine, voice, rate, text), sample_rate)

    def _read(self, path: Path, sample_rate: int) -> Pcm | None:
        try:
            data = path.read_bytes()
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

    def put(self, engine: str, voice: str, rate: int, text: str, pcm: Pcm, sample_rate: int) -> Pcm:
        """Store a phrase unless a good entry is there already; returns the audio the cache now holds."""
        path = self.path(engine, voice, rate, text)
        body = pcm.astype("<i2").tobytes()
        header = self.HEADER.pack(self.MAGIC, sample_rate, len(pcm), hashlib.sha256(body).digest())
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
            try:
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
                Path(name).unlink(missing_ok=True)
        except OSError as exc:
            raise SpeechError(f"The speech cache in {self.directory} cannot be written ({exc.strerror}).") from exc
        return pcm


def check_voice(engine: SpeechEngine, voice: str) -> None:
    if voice not in {v.id for v in engine.voices()}:
        raise SpeechError(f"Unknown voice {voice!r}: 'coach voices' lists the voices you can use.")


ATTEMPTS = 3  # espeak-ng very rarely returns silence for a phrase it speaks fine the next time


def _speak(engine: SpeechEngine, text: str, voice: str, rate: int) -> Pcm:
    """One phrase, trimmed; silence is retried, since a cached silence would be kept for good."""
    for _ in range(ATTEMPTS):
        pcm = trim(engine.synthesize(text, voice, rate), SAMPLE_RATE)
        if pcm.size:
            return pcm
    raise SpeechError(f"The speech engine gave silence for {text!r}, {ATTEMPTS} times.")


def synthesize_all(
    texts: Iterable[str],
    engine: SpeechEngine,
    cache: SpeechCache,
    voice: str,
    rate: int,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Clip]:
    """Every distinct text as a trimmed clip at the session's rate, from the cache where it can be."""
    if engine.sample_rate != SAMPLE_RATE:
        raise SpeechError(f"The speech engine speaks at {engine.sample_rate} Hz; sessions are {SAMPLE_RATE} Hz.")
    unique = list(dict.fromkeys(texts))
    clips: dict[str, Clip] = {}
    checked = False
    for done, text in enumerate(unique, start=1):
        pcm = cache.get(engine.name, voice, rate, text, SAMPLE_RATE)
        if pcm is None:
            if not checked:
                check_voice(engine, voice)
                checked = True
            pcm = cache.put(engine.name, voice, rate, text, _speak(engine, text, voice, rate), SAMPLE_RATE)
        clips[text] = to_float(pcm)
        if progress is not None:
            progress(done, len(unique))
    return clips
