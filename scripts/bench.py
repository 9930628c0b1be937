"""Benchmark: export speed against the bare encoder, time to first audio, help, and peak memory.

    make bench            # or: .venv/bin/python scripts/bench.py

Every figure is taken in one run on this machine, and every ratio compares figures from that run. Sessions:
psoas, both sides, 12 strokes, slow (about 10 minutes), and the same routine with its strokes phase repeated so
the session lasts about an hour. Exports run as real `coach` processes; the floor is lameenc encoding the same
PCM at the same settings as libsndfile's LAME (64 kbps constant, mono, 22050 Hz, quality 2).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TEN = ["--side", "both", "--strokes", "12", "--tempo", "slow"]

TARGETS = {
    "warm export / floor": 1.3,
    "cold export / floor": 1.6,
    "first audio, warm (s)": 0.3,
    "first audio, cold (s)": 0.8,
    "coach --help (s)": 0.15,
    "peak RSS, 60 min (MB)": 120,
}


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a process; returns (wall seconds, its peak RSS in MB, stdout)."""
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        began = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=out_file, stderr=err_file, text=True)
        _, status, usage = os.wait4(process.pid, 0)  # files, not pipes: a long output cannot block the child
        took = time.perf_counter() - began
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{err}")
    return took, usage.ru_maxrss / 1024, out


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


FIRST_AUDIO = """
import sys, time
from dataclasses import replace
stamp = sys.argv.pop(1)
class First:
    def play(self, pcm, rate):
        with open(stamp, "w") as f:
            f.write(repr(time.time()))
        import os
        os._exit(0)
from coach.cli import cli
from coach.cli.deps import Deps
cli(sys.argv[1:], prog_name="coach", obj=replace(Deps.from_environment(), audio=First))
"""


def first_audio(env: dict[str, str], folder: Path) -> float:
    stamp = folder / "first-audio"
    began = time.time()
    subprocess.run([PYTHON, "-c", FIRST_AUDIO, str(stamp), "psoas", "--side", "right"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return float(stamp.read_text()) - began


def floor_encode(env: dict[str, str], routine: str, args: list[str]) -> tuple[float, float]:
    """Seconds for lameenc alone to encode the session's PCM (rendered beforehand), and the session's seconds."""
    code = f"""
import sys, time, json, lameenc
from coach.catalog import all_sources
from coach.mixer import render_all
from coach.cli.deps import Deps
from coach.script import Options
from coach.session import prepare
from coach.speech.cache import SpeechCache
deps = Deps.from_environment()
routine = all_sources(deps.dirs.config)[{routine!r}].load()
engine, cache = deps.engine.build(), SpeechCache(deps.dirs.cache)
session = prepare(routine, Options("both", 12, "slow"), engine, cache, "gmw/en-us", 145)
pcm = render_all(session.timeline, session.clips).tobytes()
best = None
for _ in range(3):
    began = time.perf_counter()
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(64)
    encoder.set_in_sample_rate(22050)
    encoder.set_channels(1)
    encoder.set_quality(2)
    data = encoder.encode(pcm) + encoder.flush()
    took = time.perf_counter() - began
    best = took if best is None else min(best, took)
print(json.dumps([best, session.timeline.length / 22050]))
"""
    _, _, out = run([PYTHON, "-c", code], env)
    took, seconds = json.loads(out)
    return float(took), float(seconds)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="coach-bench-"))
    base = {**os.environ, "COACH_CONFIG_DIR": str(work / "config"), "COACH_DATA_DIR": str(work / "data")}
    rows: dict[str, float] = {}
    scaling: dict[str, tuple[float, float, float]] = {}
    print(f"coach benchmark on {platform.node()}: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.platform()}")  # fmt: skip

    # the sessions
    warm_env = {**base, "COACH_CACHE_DIR": str(work / "warm-cache")}
    _, _, out = run(coach("psoas", *TEN, "--script", "--json"), warm_env)
    ten = json.loads(out)
    long_routine(work / "config", 60, ten)
    _, _, out = run(coach("psoas-hour", *TEN, "--script", "--json"), warm_env)
    hour = json.loads(out)
    print(f"sessions: {ten['duration'] / 60:.1f} min (psoas, both sides, 12 strokes, slow) and "
          f"{hour['duration'] / 60:.1f} min (the same, strokes repeated)")  # fmt: skip
    print()
    print(f"{'export to MP3':<28}{'cold s':>8}{'warm s':>8}{'floor s':>9}{'cold/floor':>11}{'warm/floor':>11}"
          f"{'x realtime':>11}{'RSS cold MB':>12}{'RSS warm MB':>12}")  # fmt: skip
    for name, routine in (("10 minutes", "psoas"), ("60 minutes", "psoas-hour")):
        cold_env = {**base, "COACH_CACHE_DIR": str(work / f"cold-{routine}")}
        target = work / f"{routine}.mp3"
        cold, cold_rss, _ = run(coach(routine, *TEN, "-o", str(target)), cold_env)
        warm, warm_rss, _ = run(coach(routine, *TEN, "-o", str(target)), cold_env)
        floor, seconds = floor_encode(cold_env, routine, TEN)
        print(f"{name:<28}{cold:>8.2f}{warm:>8.2f}{floor:>9.2f}{cold / floor:>11.2f}{warm / floor:>11.2f}"
              f"{seconds / warm:>11.0f}{cold_rss:>12.0f}{warm_rss:>12.0f}")  # fmt: skip
        scaling[name] = (warm, floor, seconds)
        if routine == "psoas":
            rows["warm export / floor"], rows["cold export / floor"] = warm / floor, cold / floor
            rows["peak RSS, 10 min (MB)"] = max(cold_rss, warm_rss)
        else:
            rows["peak RSS, 60 min (MB)"] = max(cold_rss, warm_rss)

    print()
    cold_env = {**base, "COACH_CACHE_DIR": str(work / "first-cold")}
    rows["first audio, cold (s)"] = first_audio(cold_env, work)
    rows["first audio, warm (s)"] = min(first_audio(cold_env, work) for _ in range(3))
    helps = []
    for _ in range(5):
        took, _, _ = run(coach("--help"), base)
        helps.append(took)
    rows["coach --help (s)"] = min(helps)
    rss_growth = rows["peak RSS, 60 min (MB)"] / rows["peak RSS, 10 min (MB)"] - 1
    print(f"{'figure':<34}{'measured':>10}{'target':>10}  result")
    for key in ("warm export / floor", "cold export / floor", "first audio, warm (s)", "first audio, cold (s)",
                "coach --help (s)", "peak RSS, 60 min (MB)"):  # fmt: skip
        value, target = rows[key], TARGETS[key]
        print(f"{key:<34}{value:>10.2f}{target:>10.2f}  {'met' if value <= target else 'MISSED'}")
    print(f"{'peak RSS, 60 min vs 10 min':<34}{rss_growth * 100:>9.1f}%{'10.0%':>10}  "
          f"{'met' if rss_growth <= 0.10 else 'MISSED'}")  # fmt: skip
    print()
    print("how it scales (seconds of work per minute of session, warm):")
    for name, (warm, floor, seconds) in scaling.items():
        print(f"  {name:<12} export {60 * warm / seconds:.3f}   bare encode {60 * floor / seconds:.3f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
