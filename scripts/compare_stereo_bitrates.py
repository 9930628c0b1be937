"""Choose the stereo MP3's default bitrate by measurement: a real session (psoas, both sides, 12 strokes, slow, the
default voice) rendered in stereo and in mono, each encoded by coach's own MP3 writer (joint stereo in stereo) at
every bitrate from 48 to 128 kbps and decoded again (libsndfile).

    .venv/bin/python scripts/compare_stereo_bitrates.py

For each: the words' signal-to-noise ratio (the coding error against the session, over the stretches where only
words sound, in dB: the voice kept clean), the accents' channel balance after decoding against the session's own
(dB, worst accent: the side kept where it was), and the size per minute. The default is the lowest stereo bitrate
whose words are at least as clean as mono's at its default (64 kbps). docs/design/stereo.md records a run.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import soundfile

from coach.catalog import builtin_sources
from coach.cli.deps import Deps
from coach.defaults import DEFAULT_BITRATES, DEFAULT_ENGINE, DEFAULT_PACE, DEFAULT_VOICE
from coach.kinds import Side, Tempo
from coach.mixer import render
from coach.output.files import Encoding, write_file
from coach.script import ACCENT, Options
from coach.session import Session, prepare
from coach.speech.cache import Speaker, SpeechCache
from coach.timeline import SPEECH

RATES = (48, 56, 64, 80, 96, 112, 128)


def words_only(session: Session) -> np.ndarray:
    """A mask of the samples where words sound and no metronome sound does."""
    length = session.timeline.length
    words, sounds = np.zeros(length, bool), np.zeros(length, bool)
    for event in session.timeline.events:
        (words if event.kind == SPEECH else sounds)[event.start : event.end] = True
    return words & ~sounds


def snr_db(source: np.ndarray, decoded: np.ndarray, mask: np.ndarray) -> float:
    signal, error = source[mask].astype(np.float64), (decoded[mask] - source[mask]).astype(np.float64)
    return float(10 * np.log10(np.sum(signal**2) / np.sum(error**2)))


def balance_db(pcm: np.ndarray, start: int, end: int) -> float:
    left, right = (float(np.sqrt(np.mean(pcm[start:end, c].astype(np.float64) ** 2))) for c in (0, 1))
    return 20 * np.log10(right / left)


def main() -> None:
    routine = next(s for s in builtin_sources() if s.name == "psoas").load()
    deps = Deps.from_environment()
    speaker = Speaker(deps.engines(DEFAULT_ENGINE), DEFAULT_VOICE, DEFAULT_PACE, SpeechCache(deps.dirs.cache))
    session = prepare(routine, Options(side=Side.BOTH, strokes=12, tempo=Tempo.SLOW), speaker)
    timeline = session.timeline
    mask = words_only(session)
    accents = [(e.start, e.end) for e in timeline.events if e.name == ACCENT]
    minutes = timeline.length / timeline.sample_rate / 60
    print(f"session: psoas, both sides, 12 strokes, slow: {minutes * 60:.0f} s, {len(accents)} accents")
    print(f"{'channels':<10}{'kbps':>6}{'words SNR dB':>14}{'accent balance error dB (worst)':>33}{'kB/min':>9}")
    with tempfile.TemporaryDirectory() as folder:
        for channels in (1, 2):
            source = np.concatenate(list(render(timeline, session.clips, channels=channels)))
            for kbps in RATES:
                path = Path(folder) / f"{channels}-{kbps}.mp3"
                write_file(path, render(timeline, session.clips, channels=channels), 22050, Encoding(channels, kbps))
                decoded = soundfile.read(path, dtype="int16", always_2d=channels == 2)[0][: len(source)]
                mid = source if channels == 1 else source.astype(np.float64).sum(axis=1)
                heard = decoded if channels == 1 else decoded.astype(np.float64).sum(axis=1)
                worst = "" if channels == 1 else max(
                    abs(balance_db(decoded, a, b) - balance_db(source, a, b)) for a, b in accents
                )  # fmt: skip
                worst_text = f"{worst:.2f}" if worst != "" else "-"
                default = " (default)" if DEFAULT_BITRATES[channels] == kbps else ""
                print(
                    f"{'mono' if channels == 1 else 'stereo':<10}{kbps:>6}{snr_db(mid, heard, mask):>14.1f}"
                    f"{worst_text:>33}{path.stat().st_size / 1024 / minutes:>9.0f}{default}"
                )


if __name__ == "__main__":
    main()
