"""MP3 sessions for phones: tags, chapters, lyrics and subtitles, and whole libraries (coach export).

Speech comes from a pre-filled cache (the mini routine); encoding, tagging and decoding are the real ones."""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pytest
import soundfile
from conftest import install_routine, run_cli
from mutagen import id3
from mutagen.mp3 import MP3

from coach.session import load_sounds

RATE = 22050


@pytest.fixture
def mini_home(tmp_path):
    install_routine(tmp_path)
    return tmp_path


run = run_cli


def timeline_json(side="right", *extra):
    return json.loads(run("mini", "--side", side, *extra, "--script", "--json").stdout)


def test_mp3_tags_and_chapters_read_back_exactly(mini_home):
    target = mini_home / "mini-right.mp3"
    result = run("mini", "--side", "right", "-o", str(target))
    assert result.exit_code == 0, result.output
    data = timeline_json()
    tags = id3.ID3(target)
    assert str(tags["TIT2"]) == "Mini, right side"
    assert str(tags["TALB"]) == "coach sessions"
    assert str(tags["TPE1"]) == "coach"
    assert str(tags["TRCK"]) == "1/1"
    assert str(tags["TLEN"]) == str(round(data["duration"] * 1000))
    assert (
        str(tags.getall("COMM")[0])
        == "strokes 2, tempo medium (60 bpm), guidance brief, voice en_US-joe-medium (piper), pace 1, stereo"
    )
    chapters = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [(str(c.sub_frames["TIT2"]), c.start_time, c.end_time) for c in chapters] == [
        (p["title"], round(p["start"] * 1000), round(p["end"] * 1000)) for p in data["phases"]
    ]
    (toc,) = tags.getall("CTOC")
    assert toc.child_element_ids == [c.element_id for c in chapters]
    assert toc.flags & id3.CTOCFlags.TOP_LEVEL and toc.flags & id3.CTOCFlags.ORDERED
    assert tags.version[:2] == (2, 3)
    info = MP3(target).info
    assert (info.bitrate, info.channels, info.sample_rate) == (96000, 2, RATE)  # stereo by default, at 96 kbps


def test_decoded_mp3_matches_the_timeline_within_5_ms(mini_home):
    # minimal guidance: no words start on a beat, so each sound can be found on its own (the fake engine's "speech"
    # is a flat tone, which would pull the match off a sound that starts with it)
    target = mini_home / "s.mp3"
    assert run("mini", "--side", "both", "--guidance", "minimal", "-o", str(target)).exit_code == 0
    data = timeline_json("both", "--guidance", "minimal")
    decoded, rate = soundfile.read(target, dtype="float32")
    decoded = decoded.sum(axis=1)  # both ears: every sound is in both, wherever it is placed
    assert rate == RATE
    assert len(decoded) == round(data["duration"] * RATE)  # exact: the encoder delay and padding are trimmed
    sounds = load_sounds()
    reach = RATE // 50
    checked = 0
    for event in data["events"]:
        if event["kind"] == "sound" and event["sound"] in ("accent", "chime", "tick"):
            at = round(event["start"] * RATE)
            template = sounds[event["sound"]]
            lo = max(0, at - reach)
            window = decoded[lo : at + reach + len(template)].astype(np.float64)
            energy = np.sqrt(np.convolve(window**2, np.ones(len(template)), mode="valid")) + 1e-12
            score = np.correlate(window, template.astype(np.float64), mode="valid") / energy
            lag = int(np.argmax(score)) + lo - at  # normalized: louder speech does not pull it off the mark
            assert abs(lag) / RATE < 0.005, (event, lag)
            checked += 1
    assert checked == sum(e["kind"] == "sound" and e["sound"] != "lead-in" for e in data["events"])
    # chapter starts: every phase starts where its first event does, in the decoded audio too
    for phase in data["phases"][1:]:
        first = min(e["start"] for e in data["events"] if e["start"] >= phase["start"])
        assert abs(first - phase["start"]) < 0.005


def test_bitrate_and_stereo(mini_home):
    target = mini_home / "s.mp3"
    assert run("mini", "--side", "left", "-o", str(target), "--bitrate", "96", "--stereo").exit_code == 0
    info = MP3(target).info
    assert (info.bitrate, info.channels) == (96000, 2)
    left, right = soundfile.read(target, dtype="float32")[0].T
    # the left side's session: its strokes' sounds on the left, the words in the middle
    assert 1.0 < 10 * np.log10(np.sum(left.astype(np.float64) ** 2) / np.sum(right.astype(np.float64) ** 2)) < 6.0
    assert run("mini", "--side", "left", "-o", str(target), "--mono").exit_code == 0
    assert (MP3(target).info.bitrate, MP3(target).info.channels) == (64000, 1)  # mono's own default bitrate


@pytest.mark.parametrize("bitrate", ["32", "40", "48"])
def test_the_lowest_bitrates_write_whole_files_and_libraries(mini_home, bitrate):
    """A frame at these bitrates is smaller than the Info tag (tests/test_mp3.py covers every bitrate)."""
    target = mini_home / "s.mp3"
    result = run("mini", "--side", "both", "-o", str(target), "--bitrate", bitrate, "--stereo")
    assert (result.exit_code, result.stderr.split(":")[0]) == (0, f"Wrote {target}")
    assert soundfile.info(str(target)).frames == round(timeline_json("both")["duration"] * RATE)
    info = MP3(target).info
    assert (info.sample_rate, info.channels) == (RATE, 2) and abs(info.bitrate - int(bitrate) * 1000) <= 500
    folder = mini_home / "lib"
    assert export(folder, "--bitrate", bitrate, "--workers", "1", "--shape", "teach").stderr == (
        f"Wrote 3 sessions to {folder} (0 already up to date), with coach.m3u and index.txt.\n"
    )
    assert f"mp3 {bitrate} kbps stereo" in (folder / "index.txt").read_text()
    assert soundfile.info(str(folder / "mini-left.mp3")).frames == round(timeline_json("left")["duration"] * RATE)


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg"])
def test_other_formats_by_suffix(mini_home, suffix):
    target = mini_home / f"s{suffix}"
    assert run("mini", "--side", "right", "-o", str(target)).exit_code == 0
    info = soundfile.info(str(target))
    assert (info.format, info.samplerate, info.channels) == (
        {".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG"}[suffix],
        RATE,
        2,  # stereo by default
    )
    assert abs(info.frames / RATE - timeline_json()["duration"]) < 1e-5


def test_lyrics_and_subtitles_follow_the_speech(mini_home):
    target = mini_home / "s.mp3"
    result = run("mini", "--side", "right", "-o", str(target), "--lyrics", "--srt")
    assert result.exit_code == 0
    assert result.stderr.startswith(f"Wrote {target}, s.lrc, s.srt: Mini, right side")
    speech = [e for e in timeline_json()["events"] if e["kind"] == "speech"]
    lrc = (mini_home / "s.lrc").read_text().splitlines()
    assert lrc[:2] == ["[ti:Mini, right side]", "[length:0:25]"]
    assert lrc[2:] == [
        f"[{int(e['start'] // 60):02d}:{int(e['start'] % 60):02d}.{round(e['start'] * 100) % 100:02d}]{e['text']}"
        for e in speech
    ]
    blocks = (mini_home / "s.srt").read_text().split("\n\n")
    assert len(blocks) == len(speech)
    for n, (block, event) in enumerate(zip(blocks, speech, strict=True), start=1):
        number, times, text = block.strip().split("\n")
        start, end = (
            int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000
            for h, m, s, ms in re.findall(r"(\d\d):(\d\d):(\d\d),(\d\d\d)", times)
        )
        assert (int(number), text) == (n, event["text"])
        assert abs(start - event["start"]) <= 0.0005 and abs(end - event["start"] - event["duration"]) <= 0.0005
    tags = id3.ID3(target)
    (sylt,) = tags.getall("SYLT")
    assert [(text, ms) for text, ms in sylt.text] == [(e["text"], round(e["start"] * 1000)) for e in speech]
    assert str(tags.getall("USLT")[0]) == "\n".join(e["text"] for e in speech)
    assert f"Lyrics:   {len(speech)} timed lines\n" in run("info", str(target)).stdout


def test_info_lists_tags_chapters_and_pictures(mini_home):
    target = mini_home / "mini-right.mp3"
    run("mini", "--side", "right", "-o", str(target))
    card = mini_home / "card.png"
    assert run("show", "mini", "--side", "right", "--picture", str(card)).exit_code == 0
    picture = f"PNG 1000 x 1000, {round(card.stat().st_size / 1024)} KB"
    result = run("info", str(target))
    assert result.stdout == (
        "mini-right.mp3: 0:25, 96 kbps, 22050 Hz stereo\n"
        "Title:    Mini, right side\n"
        "Album:    coach sessions\n"
        "Artist:   coach\n"
        "Track:    1/1\n"
        "Length:   0:25\n"
        "Comment:  strokes 2, tempo medium (60 bpm), guidance brief, voice en_US-joe-medium (piper), pace 1, stereo\n"
        f"Cover:    {picture}\n"
        "Chapters:\n"
        f"  00:00.0  Start (picture: {picture})\n"
        f"  00:05.1  Place, right (picture: {picture})\n"
        f"  00:07.7  Work, right (picture: {picture})\n"
        f"  00:18.3  End (picture: {picture})\n"
    )
    flac = mini_home / "mini-right.flac"
    run("mini", "--side", "right", "-o", str(flac))
    shown = run("info", str(flac)).stdout
    assert shown == f"mini-right.flac: 0:25, 58 kbps, 22050 Hz stereo\nNo ID3 tags.\nCover:    {picture}\n"
    missing = run("info", str(mini_home / "nope.mp3"))
    assert (missing.exit_code, missing.stderr) == (1, f"Error: {mini_home / 'nope.mp3'}: no such file.\n")


def export(folder, *extra):
    return run("export", str(folder), "--routine", "mini", *extra)


def test_library_with_one_and_two_workers_is_identical_and_a_second_run_writes_nothing(mini_home):
    one, two = mini_home / "one", mini_home / "two"
    first = export(one, "--workers", "1", "--lyrics", "--shape", "teach")
    assert first.exit_code == 0, first.output
    assert first.stderr == f"Wrote 3 sessions to {one} (0 already up to date), with coach.m3u and index.txt.\n"
    assert export(two, "--workers", "2", "--lyrics", "--shape", "teach").exit_code == 0
    names = sorted(os.listdir(one))
    assert (
        names
        == sorted(os.listdir(two))
        == [
            ".coach-export.json",
            ".coach-export.lock",
            "coach.m3u",
            "index.txt",
            "mini-both.lrc",
            "mini-both.mp3",
            "mini-left.lrc",
            "mini-left.mp3",
            "mini-right.lrc",
            "mini-right.mp3",
        ]
    )
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    assert (one / "coach.m3u").read_text() == (
        "#EXTM3U\n"
        "#EXTINF:25,Mini, right side\nmini-right.mp3\n"
        "#EXTINF:25,Mini, left side\nmini-left.mp3\n"
        "#EXTINF:42,Mini, both sides\nmini-both.mp3\n"
    )
    assert (one / "index.txt").read_text() == (
        "coach sessions: 3 files, 1:33 in all\n"
        "Settings: the routine's strokes, the routine's tempo, brief guidance, teach sessions, voice "
        "en_US-joe-medium (piper), pace 1, mp3 96 kbps stereo\n"
        "\n"
        "  1  mini-right.mp3  Mini, right side    0:25\n"
        "  2  mini-left.mp3   Mini, left side     0:25\n"
        "  3  mini-both.mp3   Mini, both sides    0:42\n"
    )
    assert [str(id3.ID3(one / n)["TRCK"]) for n in ("mini-right.mp3", "mini-left.mp3", "mini-both.mp3")] == [
        "1/3",
        "2/3",
        "3/3",
    ]
    stamps = {name: (one / name).stat().st_mtime_ns for name in names}
    again = export(one, "--workers", "2", "--lyrics", "--shape", "teach")
    assert again.stderr == f"All 3 sessions in {one} are up to date.\n"
    assert {name: (one / name).stat().st_mtime_ns for name in names if name.endswith(".mp3")} == {
        name: stamp for name, stamp in stamps.items() if name.endswith(".mp3")
    }
    # a change of settings makes them again
    changed = export(one, "--workers", "1", "--lyrics", "--guidance", "full", "--shape", "teach")
    assert changed.stderr.startswith(f"Wrote 3 sessions to {one}")


def test_a_library_holds_the_teach_and_the_quick_sessions(mini_home):
    folder = mini_home / "lib"
    result = export(folder, "--workers", "1")
    assert result.stderr == f"Wrote 6 sessions to {folder} (0 already up to date), with coach.m3u and index.txt.\n"
    assert sorted(p.name for p in folder.glob("*.mp3")) == [
        "mini-both-quick.mp3", "mini-both.mp3", "mini-left-quick.mp3", "mini-left.mp3", "mini-right-quick.mp3",
        "mini-right.mp3",
    ]  # fmt: skip
    playlist = (folder / "coach.m3u").read_text().splitlines()
    assert playlist[1::2] == [
        "#EXTINF:25,Mini, right side",
        "#EXTINF:25,Mini, left side",
        "#EXTINF:42,Mini, both sides",
        "#EXTINF:24,Mini, right side, quick",
        "#EXTINF:24,Mini, left side, quick",
        "#EXTINF:41,Mini, both sides, quick",
    ]  # fmt: skip  (mini has no shapes of its own: its quick session is its teach one, 1 s less after the summary)
    assert "teach and quick sessions" in (folder / "index.txt").read_text().splitlines()[1]


def test_an_interrupted_export_leaves_nothing_at_the_target_path(mini_home, monkeypatch):
    import coach.output.export

    real_render = coach.output.export.render
    calls = []

    def render_then_stop(timeline, clips, channels):
        calls.append(1)
        for index, block in enumerate(real_render(timeline, clips, channels=channels)):
            if len(calls) == 2 and index == 3:  # a few blocks into the second session
                raise KeyboardInterrupt
            yield block

    monkeypatch.setattr(coach.output.export, "render", render_then_stop)
    folder = mini_home / "lib"
    result = export(folder, "--workers", "1", "--shape", "teach")
    assert result.exit_code == 130
    assert result.stderr == (f"Stopped: the sessions written so far in {folder} are complete; run again to finish.\n")
    # no part file, no mini-left
    assert sorted(os.listdir(folder)) == [".coach-export.json", ".coach-export.lock", "mini-right.mp3"]
    manifest = json.loads((folder / ".coach-export.json").read_text())
    assert list(manifest["files"]) == ["mini-right.mp3"]
    monkeypatch.setattr(coach.output.export, "render", real_render)
    (folder / ".mini-left.mp3.x1y2z3.part").write_bytes(b"left by a killed run")
    finish = export(folder, "--workers", "1", "--shape", "teach")
    assert not list(folder.glob("*.part")) and not list(folder.glob(".*.part"))
    assert finish.stderr == f"Wrote 2 sessions to {folder} (1 already up to date), with coach.m3u and index.txt.\n"
