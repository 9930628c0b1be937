"""Stereo sessions through the real parts: exported through the CLI (Piper, the MP3 and WAV encoders), decoded by
ffmpeg, measured channel by channel where the --script --json timeline puts each sound; loudness and true peak by
ffmpeg's ebur128; what `coach info` says."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from coach.cli import cli

pytestmark = pytest.mark.e2e

RATE = 22050
ARGS = ["psoas", "--strokes", "2", "--guidance", "minimal"]  # no words on the beats: each sound is heard alone


def ffmpeg_decode(path: Path) -> np.ndarray:
    """The file decoded by ffmpeg to 16-bit PCM as it is (two channels for a stereo file): shape (n, channels)."""
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=channels", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    channels = int(probe.stdout.strip())
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-acodec", "pcm_s16le", "-"],
        capture_output=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype="<i2").reshape(-1, channels)


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP), by ffmpeg's ebur128 filter."""
    done = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    summary = done.stderr.rsplit("Summary:", 1)[1]
    return float(summary.split("I:", 1)[1].split("LUFS", 1)[0]), float(summary.split("Peak:", 1)[1].split("dBFS")[0])


def balance_db(audio: np.ndarray, start: float, end: float) -> float:
    """How much louder the right channel is than the left (RMS, dB) between two times in seconds."""
    a, b = round(start * RATE), round(end * RATE)
    left, right = (np.sqrt(np.mean(audio[a:b, c].astype(np.float64) ** 2)) for c in (0, 1))
    return float(20 * np.log10(right / left))


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """For right, left and both: the stereo MP3 (the default) and its timeline; for right also a WAV, a mono MP3
    and what `coach info` says of the two MP3s."""
    root = tmp_path_factory.mktemp("stereo")
    shared = os.environ.get("COACH_TEST_SPEECH_CACHE")
    env = {
        "COACH_CACHE_DIR": str(Path(shared) / "piper" if shared else root / "cache"),
        "COACH_CONFIG_DIR": str(root / "config"),
        "COACH_DATA_DIR": str(root / "data"),
    }
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, list(args), env=env, prog_name="coach")
        assert result.exit_code == 0, result.output
        return result.stdout

    out = {}
    for side in ("right", "left", "both"):
        timeline = json.loads(run(*ARGS, "--side", side, "--script", "--json"))
        run(*ARGS, "--side", side, "-o", str(root / f"{side}.mp3"))
        out[side] = (timeline, ffmpeg_decode(root / f"{side}.mp3"))
    run("psoas", "--side", "right", "--strokes", "6", "-o", str(root / "s.wav"))
    run("psoas", "--side", "right", "--strokes", "6", "-o", str(root / "s.mp3"))
    run("psoas", "--side", "right", "--strokes", "6", "--mono", "-o", str(root / "mono.mp3"))
    out["files"] = root
    out["info"] = {name: run("info", str(root / name)) for name in ("s.mp3", "mono.mp3")}
    return out


def sounds(timeline: dict, name: str, title: str) -> list[dict]:
    phase = next(p for p in timeline["phases"] if p["title"] == title)
    return [e for e in timeline["events"] if e.get("sound") == name and phase["start"] <= e["start"] < phase["end"]]


def clear(timeline: dict, event: dict) -> bool:
    """No words sound during the event."""
    a, b = event["start"], event["start"] + event["duration"]
    return not any(
        e["kind"] == "speech" and e["start"] < b and a < e["start"] + e["duration"] for e in timeline["events"]
    )


@pytest.mark.parametrize("session", ["right", "left", "both"])
def test_each_accent_and_each_half_of_each_slide_and_release_comes_from_the_side_worked(made, session):
    timeline, audio = made[session]
    assert audio.shape[1] == 2 and abs(len(audio) / RATE - timeline["duration"]) < 0.001
    measured = []
    for side in ("right", "left") if session == "both" else (session,):
        way = 1 if side == "right" else -1
        title = f"Strokes, {side} side"
        accents, rises, falls = (sounds(timeline, name, title) for name in ("accent", "rise", "fall"))
        assert (len(accents), len(rises), len(falls)) == (2, 2, 2)
        for event in [*accents, *rises, *falls]:
            assert clear(timeline, event), event  # each sound alone: its balance is its own
        for accent in accents:
            assert accent["pan"] == [0.6 * way, 0.6 * way]
            level = way * balance_db(audio, accent["start"], accent["start"] + accent["duration"])
            assert 9.0 <= level <= 10.6, (side, level)  # at least 6 dB louder in that ear: 9.8 as placed
            measured.append(("accent", side, round(way * level, 1)))
        for name, events in (("rise", rises), ("fall", falls)):
            for event in events:
                start, half = event["start"], event["duration"] / 2
                first, second = (way * balance_db(audio, a, a + half) for a in (start, start + half))
                measured.append((name, side, round(way * first, 1), round(way * second, 1)))
                assert first >= 6 and second >= 6, (name, side, first, second)
                if name == "rise":  # the slide moves outward as it plays, the release back
                    assert second >= first + 3, (side, first, second)
                else:
                    assert first >= second + 3, (side, first, second)
    print(session, measured)


def test_the_switch_moves_its_chime_from_the_right_to_the_left(made):
    timeline, audio = made["both"]
    (chime,) = sounds(timeline, "chime", "Switching sides")
    assert chime["pan"] == [0.6, -0.6]
    start, third = chime["start"], chime["duration"] / 3
    first, last = balance_db(audio, start, start + third), balance_db(audio, start + 2 * third, start + 3 * third)
    assert first >= 4 and last <= -4, (first, last)


def test_settling_in_and_the_closing_are_centred(made):
    timeline, audio = made["right"]
    for title in ("Settling in", "Closing"):
        phase = next(p for p in timeline["phases"] if p["title"] == title)
        assert {tuple(e["pan"]) for e in timeline["events"] if phase["start"] <= e["start"] < phase["end"]} == {(0, 0)}
        level = balance_db(audio, phase["start"], phase["end"])
        assert abs(level) <= 0.2, (title, level)


def test_a_stereo_session_keeps_podcast_loudness_and_mono_is_as_loud(made):
    """-16 LUFS +/- 1 and at most -1 dBTP (ffmpeg's ebur128), the stereo WAV and MP3 and the mono MP3 alike."""
    figures = {name: ebur128(made["files"] / name) for name in ("s.wav", "s.mp3", "mono.mp3")}
    print(figures)
    for name, (integrated, peak) in figures.items():
        assert -17.0 <= integrated <= -15.0 and peak <= -1.0, (name, integrated, peak)
    assert abs(figures["s.mp3"][0] - figures["mono.mp3"][0]) <= 0.3  # the words centred: the same loudness


def test_coach_info_and_the_tags_say_stereo_or_mono(made):
    stereo, mono = made["info"]["s.mp3"], made["info"]["mono.mp3"]
    assert "96 kbps, 22050 Hz stereo" in stereo.splitlines()[0]
    assert "64 kbps, 22050 Hz mono" in mono.splitlines()[0]
    assert "guidance brief, voice en_US-joe-medium (piper), pace 1, stereo\n" in stereo
    assert "guidance brief, voice en_US-joe-medium (piper), pace 1, mono\n" in mono
