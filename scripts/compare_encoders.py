"""Compare the two MP3 encoders at hand on a real session: speed, size and where onsets land after decoding.

    .venv/bin/python scripts/compare_encoders.py            # psoas, both sides, 12 strokes, slow

soundfile (libsndfile with LAME inside its wheels) writes block by block and puts a Xing/LAME header in front,
so decoders trim the encoder delay. lameenc is faster but writes no such header, so its decoded audio starts late
by the encoder delay; coach's writer (coach.output.mp3) adds the header to lameenc's frames. All at 64 kbps
constant, mono, LAME quality 2 (what libsndfile sets). Figures are printed; docs/performance.md records a run.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile

from coach.catalog import builtin_sources
from coach.cli.deps import Deps
from coach.defaults import DEFAULT_ENGINE, DEFAULT_PACE, DEFAULT_VOICE
from coach.kinds import Side, Tempo
from coach.mixer import render, render_all
from coach.output.files import Encoding, write_file
from coach.script import Options
from coach.session import load_sounds, prepare
from coach.speech.cache import Speaker, SpeechCache


def onset_offsets_ms(decoded: np.ndarray, session, template: np.ndarray) -> list[float]:
    rate = session.timeline.sample_rate
    out = []
    for event in session.timeline.events:
        if event.name == "accent":
            lo = event.start - rate // 10
            window = decoded[max(lo, 0) : event.start + rate // 10 + len(template)]
            lag = int(np.argmax(np.correlate(window, template, mode="valid"))) + max(lo, 0) - event.start
            out.append(1000 * lag / rate)
    return out


def main() -> None:
    routine = next(s for s in builtin_sources() if s.name == "psoas").load()
    deps = Deps.from_environment()
    session = prepare(
        routine,
        Options(side=Side.BOTH, strokes=12, tempo=Tempo.SLOW),
        Speaker(deps.engines(DEFAULT_ENGINE), DEFAULT_VOICE, DEFAULT_PACE, SpeechCache(deps.dirs.cache)),
    )
    timeline = session.timeline
    seconds = timeline.length / timeline.sample_rate
    pcm = render_all(timeline, session.clips)
    accent = load_sounds()["accent"]
    print(f"session: psoas, both sides, 12 strokes, slow: {seconds:.1f} s at {timeline.sample_rate} Hz mono")
    print(f"{'encoder':<34}{'encode s':>10}{'x realtime':>12}{'size kB':>10}{'onset ms (median, max)':>26}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "soundfile.mp3"
        began = time.perf_counter()
        with soundfile.SoundFile(
            path, "w", timeline.sample_rate, 1, "MPEG_LAYER_III", format="MP3",
            compression_level=(160 - 64) / 152, bitrate_mode="CONSTANT",
        ) as f:  # fmt: skip
            for block in render(timeline, session.clips):
                f.write(block)
        took = time.perf_counter() - began
        report("soundfile (libsndfile+LAME)", took, seconds, path, session, accent)

        path = Path(folder) / "coach.mp3"
        began = time.perf_counter()
        write_file(path, render(timeline, session.clips), timeline.sample_rate, Encoding(1, 64))
        took = time.perf_counter() - began
        report("coach (lameenc + its LAME tag)", took, seconds, path, session, accent)

        import lameenc

        for quality, kbps in [(2, 64), (7, 64)]:
            path = Path(folder) / f"lameenc-{quality}.mp3"
            began = time.perf_counter()
            encoder = lameenc.Encoder()
            encoder.set_bit_rate(kbps)
            encoder.set_in_sample_rate(timeline.sample_rate)
            encoder.set_channels(1)
            encoder.set_quality(quality)
            data = encoder.encode(pcm.tobytes()) + encoder.flush()
            path.write_bytes(data)
            took = time.perf_counter() - began
            report(f"lameenc alone (quality {quality})", took, seconds, path, session, accent)


def report(name: str, took: float, seconds: float, path: Path, session, accent: np.ndarray) -> None:
    decoded = soundfile.read(path, dtype="float32")[0]
    offsets = onset_offsets_ms(decoded, session, accent)
    print(
        f"{name:<34}{took:>10.2f}{seconds / took:>12.0f}{path.stat().st_size / 1000:>10.0f}"
        f"{statistics.median(offsets):>16.2f}, {max(offsets, key=abs):.2f}"
    )


if __name__ == "__main__":
    main()
