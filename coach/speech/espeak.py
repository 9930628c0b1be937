"""espeak-ng through pyttsx3 (22050 Hz mono). espeak-ng's library and voice data come from the espeakng-loader
package, so no system espeak is needed. pyttsx3 is loaded on first use: a warm cache never starts it."""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from coach.atomic import reason
from coach.audio import Pcm, read_wav
from coach.errors import SpeechError
from coach.quoting import quoted
from coach.signals import held
from coach.speech.engine import Voice

RATE_AT_PACE_1 = 120  # espeak-ng's rate setting for pace 1.0: about 143 words a minute on this project's lines


def rate_for(pace: float) -> int:
    """espeak-ng's rate setting for a pace (measured words a minute are 1.158 x the setting, from 100 to 160)."""
    return round(RATE_AT_PACE_1 * pace)


class Pyttsx3Engine:
    """pyttsx3 with its espeak-ng driver (22050 Hz mono)."""

    name = "pyttsx3-espeak"
    sample_rate = 22050

    def __init__(self, scratch: Path) -> None:
        self._scratch = scratch  # where the driver writes each phrase before it is read back
        self._voices: list[Voice] | None = None

    @property
    def _engine(self) -> Any:  # pyttsx3's engine (the library has no types)
        return _load_pyttsx3()  # loaded on first use: a warm cache never needs the engine

    def voices(self) -> list[Voice]:
        if self._voices is None:
            found = []
            for v in self._engine.getProperty("voices"):
                languages = tuple(str(code) for code in (getattr(v, "languages", None) or ()))
                found.append(Voice(str(v.id), str(v.name), languages))
            self._voices = sorted(found, key=lambda v: v.id)
        return self._voices

    def synthesize(self, text: str, voice: str, pace: float) -> Pcm:
        if voice not in {v.id for v in self.voices()}:  # espeak-ng would keep the voice it had, silently
            raise SpeechError(f"Unknown voice {quoted(voice)}: 'coach voices' lists the voices you can use.")
        name = ""
        try:
            self._scratch.mkdir(parents=True, exist_ok=True)
            with held():  # made and recorded for removal together
                fd, name = tempfile.mkstemp(suffix=".wav", dir=self._scratch)
            os.close(fd)
            engine = self._engine
            _set_now(engine, voice, rate_for(pace))
            engine.save_to_file(text, name)
            with contextlib.redirect_stdout(io.StringIO()), _GUARD.watching():  # "Audio saved to ..." is swallowed
                engine.runAndWait()
                _wait_until_written(engine)
            pcm, rate_read = read_wav(Path(name))
        except Exception as exc:  # the engine reports failures in many shapes
            written = _os_error(exc)
            if written is not None:
                problem = reason(written, self._scratch)
                raise SpeechError(
                    f"The speech engine could not write its audio to {self._scratch}: {problem}."
                ) from exc
            raise SpeechError(f"The speech engine could not say {text!r}: {exc}") from exc
        finally:
            if name:
                Path(name).unlink(missing_ok=True)
        if rate_read != self.sample_rate:
            raise SpeechError(f"The speech engine gave {rate_read} Hz audio; {self.sample_rate} Hz was expected.")
        return pcm


_PYTTSX3: Any = None
WRITE_TIMEOUT_S = 30.0


def _set_now(engine: object, voice: str, rate: int) -> None:
    """Set the voice and rate in espeak-ng, in effect for the next phrase. pyttsx3 queues `setProperty` behind the
    engine's other commands and runs the queue only while it is not busy, so a new rate took effect a phrase late,
    or not at all (rates 145, 90, 200, 145 in turn gave 3.2, 3.2, 5.15, 5.15 s); and espeak-ng, started
    asynchronously, queues a parameter change of its own. So the driver's setters (which call espeak-ng directly)
    are used, then espeak-ng is synchronized, which applies its queue before the next phrase."""
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    library = sys.modules.get("pyttsx3.drivers._espeak")
    if driver is None or library is None:
        raise RuntimeError("pyttsx3's espeak driver is not where it was expected")
    driver.setProperty("voice", voice)
    driver.setProperty("rate", rate)
    library.Synchronize()


def _os_error(exc: BaseException) -> OSError | None:
    """The OSError behind an exception, if any (the driver wraps a failed write in a RuntimeError)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno is not None:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


class _Guard:
    """Ends a phrase's wait when espeak-ng's thread fails, or after WRITE_TIMEOUT_S.

    The driver writes each phrase's file inside the synthesis callback, on espeak-ng's own thread. An exception
    there (a full disk) was printed by ctypes as "ignored", the driver's loop never heard the phrase end, and
    `runAndWait` waited forever. The callback is wrapped: an exception in it is kept, the synthesis is cancelled
    and the loop ended, and `synthesize` raises it. The driver's loop sleeps through `_QuickPolls`, which also ends
    the loop once the deadline has passed.
    """

    def __init__(self) -> None:
        self.driver: Any = None
        self.error: BaseException | None = None
        self.deadline: float | None = None

    def install(self, driver: Any, espeak: Any) -> None:
        self.driver = driver
        espeak.SetSynthCallback(self.callback)  # the driver's own callback, wrapped

    def callback(self, wav: Any, samples: int, events: Any) -> int:
        try:
            return int(self.driver._onSynth(wav, samples, events))
        except BaseException as exc:  # on espeak-ng's thread: nothing above it would hear it
            self.error = exc
            self.stop()
            return 1  # espeak-ng: abort this synthesis

    def stop(self) -> None:
        driver = self.driver
        driver._speaking = False
        driver._data_buffer = b""
        driver._proxy.setBusy(False)
        driver.endLoop()

    def check_deadline(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline and self.error is None:
            self.error = TimeoutError(f"no audio after {WRITE_TIMEOUT_S:g} s")
            self.stop()

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        self.error, self.deadline = None, time.monotonic() + WRITE_TIMEOUT_S
        try:
            yield
            if self.error is not None:
                raise self.error
        finally:
            self.error = self.deadline = None


_GUARD = _Guard()


def _wait_until_written(engine: object) -> None:
    """Wait until espeak-ng's own thread has delivered the whole phrase and the driver has written its file.

    pyttsx3 starts espeak-ng in its asynchronous (retrieval) mode, so `runAndWait` can return before the last of
    the audio arrives; the driver clears its `_speaking` flag only after the file is complete (or `_GUARD` has
    ended the phrase).
    """
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    while getattr(driver, "_speaking", False):
        _GUARD.check_deadline()
        time.sleep(0.002)


class _QuickPolls:
    """The time module, except that sleep waits at most half a millisecond, and looks at the guard's deadline."""

    def __getattr__(self, name: str) -> object:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        _GUARD.check_deadline()
        time.sleep(min(seconds, 0.0005))


def _poll_faster(driver_module: ModuleType | None) -> None:
    """pyttsx3's espeak driver checks for the end of each phrase every 10 ms, while espeak-ng takes about one: so
    every phrase cost 11 ms, whatever its length, and a session's ~45 phrases most of a second. Its loop is made to
    check every half millisecond instead (it still waits the same way; only the interval changes)."""
    if driver_module is not None and getattr(driver_module, "time", None) is time:
        driver_module.time = _QuickPolls()  # type: ignore[attr-defined]


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

        # RTLD_LOCAL: Piper's espeakbridge carries another espeak-ng with the same symbols; made global, this one
        # took over some of the bridge's calls, and Piper then crashed in the same process. pyttsx3 still finds it
        # by its soname, which is already loaded.
        ctypes.CDLL(espeakng_loader.get_library_path(), mode=ctypes.RTLD_LOCAL)
        os.environ["ESPEAK_DATA_PATH"] = espeakng_loader.get_data_path()
        import pyttsx3

        engine = pyttsx3.init("espeak")
        _poll_faster(sys.modules.get("pyttsx3.drivers.espeak"))
        _GUARD.install(engine.proxy._driver, sys.modules["pyttsx3.drivers._espeak"])
        # A first, empty run settles the driver's queue. Without it, the first phrase's run ends as soon as it
        # starts (its end-of-loop command is queued ahead of the speech), and its file may not be there yet.
        with contextlib.redirect_stdout(io.StringIO()):
            engine.runAndWait()
        _PYTTSX3 = engine
        atexit.register(_release_pyttsx3)
        return _PYTTSX3
    except Exception as exc:
        raise SpeechError(f"The speech engine (espeak-ng through pyttsx3) could not start: {exc}") from exc
