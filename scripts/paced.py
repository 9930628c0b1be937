"""Play a whole session in real time through a private, paced sound server, and measure what a listener got.

    .venv/bin/python scripts/paced.py                      # coach psoas --side right
    .venv/bin/python scripts/paced.py iliacus --side left --strokes 10

The session is first written to a WAV (with the same speech cache, so the samples are the same), then played live
by the real `coach` command, with its default audio output, into a PulseAudio null sink of its own (started here,
with a D-Bus session bus of its own, and ended afterwards) while the sink's monitor is recorded and the position
the session shows on the bus is read every 20 ms, as a media widget would. It prints how the recording accounts
for the session, every grid's beat-to-beat error against the timeline, and the position shown against the audio
at each beat. Needs pulseaudio, parec and ALSA's pulse plugin (make installs them where no sound server is).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import numpy as np  # noqa: E402
import soundfile  # noqa: E402
from desktop_bus import PositionLog, private_bus  # noqa: E402
from sound_server import RATE, Positions, Recorder, account, measure_grids, private_pulse  # noqa: E402

from coach.desktop.mpris import BUS_NAME  # noqa: E402
from coach.timefmt import length  # noqa: E402


def main() -> None:
    args = sys.argv[1:] or ["psoas", "--side", "right"]
    coach = [sys.executable, "-m", "coach", *args, "--no-log"]
    with tempfile.TemporaryDirectory(prefix="coach-paced-") as folder:
        work = Path(folder)
        env = dict(os.environ)
        subprocess.run([*coach, "-o", str(work / "session.wav")], env=env, check=True, stderr=subprocess.DEVNULL)
        export = soundfile.read(work / "session.wav", dtype="int16")[0]
        timeline = json.loads(subprocess.run([*coach, "--script", "--json"], env=env, check=True,
                                             capture_output=True, text=True).stdout)  # fmt: skip
        with private_bus() as bus, private_pulse(work / "pulse") as pulse:
            recorder = Recorder(pulse)
            live = {**env, **pulse.env(), "DBUS_SESSION_BUS_ADDRESS": bus}
            began = time.monotonic()
            done = subprocess.Popen(coach, env=live, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            log = PositionLog(bus, BUS_NAME, RATE)
            print(f"Playing {' '.join(['coach', *args])} in real time ({length(len(export) / RATE)})...", flush=True)
            _, err = done.communicate()
            took = time.monotonic() - began
            time.sleep(0.3)
            entries = log.stop()
            heard, times = recorder.stop()
        if done.returncode != 0:
            raise SystemExit(err)
    if os.environ.get("COACH_PACED_KEEP"):  # the raw material, to look at again (an .npz file)
        np.savez(os.environ["COACH_PACED_KEEP"], export=export, heard=heard, times=times, log=np.array(entries,
                 dtype=object), timeline=json.dumps(timeline), took=took)  # fmt: skip
    report(export, timeline, heard, times, entries, took)


BEATS = ("tick", "accent")


def report(
    export: np.ndarray, timeline: dict[str, Any], heard: np.ndarray, times: np.ndarray, entries: list, took: float
) -> None:
    positions = Positions(entries)
    pieces, _, unknown = account(heard, export, {}, lambda at: positions.at(float(times[at])))
    covered = sum(p.length for p in pieces)
    audible = len(export) - int(np.flatnonzero(export)[0])  # from the session's first sound to its end
    print(f"Session {length(len(export) / RATE)}; the command took {took:.1f} s; the recording is "
          f"{len(heard) / RATE:.1f} s.")  # fmt: skip
    print(
        f"Heard as {len(pieces)} piece(s) of the session, equal to the WAV sample for sample: {covered} of the "
        f"{audible} samples from its first sound to its end ({covered / audible:.2%}); sounds not accounted for: "
        f"{len(unknown)}."
    )
    seams = []  # where one piece ends and the next goes on: how much later the rest sounds, and where it was
    for before, after in itertools.pairwise(pieces):
        seam = before.start + before.length  # where the sound came back late: the break was in the quiet before it
        sounding = np.flatnonzero(export[:seam])
        quiet_from = int(sounding[-1]) + 1 if len(sounding) else 0
        phase = next(p["title"] for p in timeline["phases"] if p["start"] * RATE <= seam < p["end"] * RATE)
        span = next((p["start"] * RATE, p["end"] * RATE) for p in timeline["phases"] if p["title"] == phase)
        beats = [e["start"] * RATE for e in timeline["events"] if e["kind"] == "sound" and e["sound"] in BEATS]
        beats = [b for b in beats if span[0] <= b < span[1]]
        inside = bool(beats) and beats[0] < quiet_from and seam <= beats[-1]  # between two beats, wherever it was
        late_by = ((after.at - after.start) - (before.at - before.start)) / RATE * 1000
        seams.append((late_by, phase, inside, after.start - seam))
    if seams:
        inside = [s for s in seams if s[2]]
        print(f"{len(seams)} seam(s) where the sound broke off and went on later, everything after it late by: "
              f"{min(s[0] for s in seams):.1f} to {max(s[0] for s in seams):.1f} ms (and {max(s[3] for s in seams)} "
              f"samples of the session lost at most); {len(inside)} inside a metronome grid "
              f"({', '.join(f'{s[0]:.1f} ms in {s[1]}' for s in inside) or 'none'}).")  # fmt: skip
    else:
        print("No seam: the sound never broke off.")
    late = []
    for grid in measure_grids(timeline, heard, times, pieces, positions):
        late += grid.late
        print(f"{grid.title}: {grid.beats} beats, {grid.heard} heard within one piece. Beat-to-beat error against "
              f"the timeline: max {max(grid.exact, default=0):.2f} ms over {len(grid.exact)} intervals (the "
              f"recording is the session there, exactly); by the sound alone, between the {grid.clear} beats with "
              f"no words on them: max {max(grid.detected, default=0):.2f} ms.")  # fmt: skip
    if late:
        print(
            f"Position shown on the bus minus the audio, at {len(late)} beats: {min(late):+.1f} to {max(late):+.1f} "
            f"ms (median {float(np.median(late)):+.1f} ms; the recorder itself hears a few milliseconds late)."
        )


if __name__ == "__main__":
    main()
