"""Everything coach writes into another language is written by that language's own rules, or refused in one
sentence (round three): systemd units, the .ics calendar, the library's M3U playlist and index, LRC and SRT, a
notification's body markup, D-Bus strings and the messages' quoting. Hypothesis writes arbitrary paths and names
(newlines, quotes, %, $, backslashes, ;, bytes that are not UTF-8) through each writer, and the format's own reader
takes them back: systemd-analyze verify and a strict reader of systemd.syntax, icalendar and vobject, the srt
package, strict readers of M3U, LRC and the notification markup (tests/formats.py), dbus-fast's marshaller, bash.
docs/reliability.md lists these."""

from __future__ import annotations

import dataclasses
import io
import itertools
import os
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import formats
import icalendar
import pytest
import srt
import vobject
from conftest import deps, run_cli
from desktop_bus import notification_service, private_bus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_desktop import PYTHON, Systemctl, verify

from coach.desktop import systemd
from coach.errors import CoachError
from coach.quoting import quoted, shown

HOSTILE = "\n\r\t\"'%$\\;`&<>[]{}#,: \x1b\x7f\x85\u2028\u202eé\U0001f600"
# a name of a file: any characters the file system takes (no / or NUL), bytes that are not UTF-8 among them
NAME = st.one_of(
    st.text(st.sampled_from(HOSTILE + "ab1"), min_size=1, max_size=12),
    st.text(st.characters(exclude_characters="/\0", exclude_categories=["Cs"]), min_size=1, max_size=12),
    st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b and b"\0" not in b).map(os.fsdecode),
).filter(lambda name: name not in (".", ".."))
TEXT = st.one_of(
    st.text(st.sampled_from(HOSTILE + "ab1"), min_size=1, max_size=20),
    st.text(min_size=1, max_size=20),
)
FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MANY = settings(max_examples=300, deadline=None)
counter = itertools.count()


def one_sentence(exc: BaseException, value: str) -> None:
    text = str(exc)
    assert "\n" not in text and text.isprintable() and shown(value) in text, text


# -- systemd ---------------------------------------------------------------------------------------------------


def analyze_verify_available() -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package; make installs it)")


@FEW
@given(program=NAME, data=NAME, argument=NAME)
def test_fuzz_a_service_reads_back_exactly_as_systemd_reads_it_or_is_refused(tmp_path, program, data, argument):
    """The program's folder, the data folder and an argument are any names: systemd-analyze verify finds the program
    at exactly its path (it exists, and is executable) with nothing to say, and a strict reader of systemd.syntax
    gives back every argument and environment value; or the unit is refused in one sentence naming the value."""
    analyze_verify_available()
    base = tmp_path / f"case{next(counter)}"
    exe = base / program / "coach"
    exe.parent.mkdir(parents=True)
    exe.write_bytes(b"#!/bin/sh\n")
    exe.chmod(0o755)
    command = [str(exe), "remind", "--notify", "psoas", argument]
    environment = {"COACH_CONFIG_DIR": str(base / "config"), "COACH_DATA_DIR": str(base / data)}
    try:
        text = systemd.service_text("psoas", "coach: Psoas release reminder", command, environment)
    except systemd.NotInUnit as exc:
        offending = [v for v in (str(exe), environment["COACH_DATA_DIR"], argument) if shown(v) in str(exc)]
        assert offending, exc
        one_sentence(exc, offending[0])
        return
    values = formats.unit_values(text)
    assert set(values) == {"Description", "Type", "TimeoutStartSec", "Environment", "ExecStart"}
    assert formats.exec_start(values["ExecStart"][0]) == command
    assert formats.environment(values["Environment"]) == environment
    unit = base / "units" / "coach-remind-psoas.service"
    unit.parent.mkdir()
    unit.write_text(text, encoding="utf-8")
    checked = verify(base, unit)
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "")


def test_a_newline_in_the_data_folder_cannot_add_a_line_to_the_service(tmp_path, monkeypatch):
    """The reported case: COACH_DATA_DIR=$'data\\nExecStartPre=/usr/bin/touch pwned' wrote its own ExecStartPre=."""
    analyze_verify_available()
    data = tmp_path / "data\nExecStartPre=/usr/bin/touch pwned"
    monkeypatch.setenv("COACH_DATA_DIR", str(data))
    units = tmp_path / "xdg-config" / "systemd" / "user"
    result = run_cli("remind", "psoas", "--install", deps=deps(run=Systemctl(units), coach=PYTHON))
    assert result.exit_code == 0, result.output
    text = (units / "coach-remind-psoas.service").read_text()
    assert f'Environment="COACH_DATA_DIR={tmp_path}/data\\nExecStartPre=/usr/bin/touch pwned"\n' in text
    values = formats.unit_values(text)
    assert set(values) == {"Description", "Type", "TimeoutStartSec", "Environment", "ExecStart"}
    assert formats.environment(values["Environment"])["COACH_DATA_DIR"] == str(data)
    checked = verify(tmp_path, units / "coach-remind-psoas.timer", units / "coach-remind-psoas.service")
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "")


def test_what_a_unit_cannot_hold_is_refused_in_one_sentence(tmp_path, monkeypatch):
    data = tmp_path / os.fsdecode(b"data\xff")
    monkeypatch.setenv("COACH_DATA_DIR", str(data))
    units = tmp_path / "xdg-config" / "systemd" / "user"
    systemctl = Systemctl(units)
    result = run_cli("remind", "psoas", "--install", deps=deps(run=systemctl, coach=PYTHON))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: Desktop reminders cannot be installed here: COACH_DATA_DIR $'{tmp_path}/data\\xff' is not UTF-8, "
        "and systemd's Environment= takes only UTF-8. For a calendar instead: coach remind psoas --ics psoas.ics\n"
    )
    assert not units.exists() and systemctl.calls == []
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    bad = run_cli("remind", "psoas", "--install", deps=deps(run=systemctl, coach=('/opt/co"ach',)))
    assert bad.stderr.startswith(
        "Error: Desktop reminders cannot be installed here: the program's path '/opt/co\"ach' holds a quote, a "
        "backslash or a control character, which systemd does not take in a program's path."
    )


# -- the calendar ------------------------------------------------------------------------------------------------


@MANY
@given(title=TEXT, name=TEXT)
def test_fuzz_the_calendar_reads_back_with_icalendar_and_vobject_or_is_refused(title, name):
    from coach.catalog import builtin_sources
    from coach.kinds import Side
    from coach.output.calendar import CalendarError, calendar_bytes
    from coach.reminders import Window, plan_reminders

    psoas = next(s for s in builtin_sources() if s.name == "psoas").load()
    routine = dataclasses.replace(psoas, title=title)
    plan = plan_reminders(routine, shown(name), [], date(2026, 11, 21), Window(), (Side.RIGHT, Side.LEFT))
    plan = dataclasses.replace(plan, routine=name)
    try:
        # floating times: vobject keeps every VTIMEZONE it reads by its TZID for the whole process, and a zone
        # written for these winter days only would be the Europe/Berlin other tests then read
        data = calendar_bytes(plan, None, datetime(2026, 11, 21, 9, 30))
    except CalendarError as exc:
        assert str(exc).startswith("Cannot write the calendar: ") and "\n" not in str(exc)
        return
    read = icalendar.Calendar.from_ical(data)
    assert str(read["x-wr-calname"]) == f"coach: {title}"
    events = read.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [r.title for r in plan.reminders]
    assert [str(e["uid"]) for e in events] == [f"{name}-20261121-{n}@coach" for n in range(1, 7)]
    again = vobject.readOne(data.decode("utf-8"))
    assert [e.summary.value for e in again.vevent_list] == [r.title for r in plan.reminders]
    assert [e.description.value for e in again.vevent_list] == [str(e["description"]) for e in events]
    assert f"Run coach {shown(name)} --side auto, or" in again.vevent_list[0].description.value


# -- the library's playlist and index; LRC and SRT -------------------------------------------------------------


@MANY
@given(st.lists(st.tuples(TEXT, TEXT, st.floats(0, 10_000)), min_size=1, max_size=4))
def test_fuzz_the_playlist_reads_back_as_m3u_or_is_refused(entries):
    from coach.errors import OutputFileError
    from coach.library import playlist_text

    try:
        text = playlist_text(entries)
    except OutputFileError as exc:
        assert str(exc).startswith("Cannot write coach.m3u: ") and "\n" not in str(exc)
        return
    assert formats.m3u_entries(text) == [(round(s), title, name) for name, title, s in entries]


@MANY
@given(title=TEXT, cues=st.lists(st.tuples(st.integers(0, 359_999), TEXT), min_size=1, max_size=4))
def test_fuzz_lyrics_read_back_as_lrc_or_are_refused(title, cues):
    from coach.report import LyricsError, lrc_document

    cues = sorted(cues, key=lambda cue: cue[0])
    try:
        text = lrc_document(title, 61.0, cues)
    except LyricsError as exc:
        assert str(exc).startswith("Cannot write the lyrics: the line ") and "\n" not in str(exc)
        return
    tags, lines = formats.lrc_lines(text)
    assert tags == {"ti": title, "length": "1:01"}
    assert lines == cues


def test_a_line_that_starts_like_a_time_tag_is_refused_in_lyrics():
    from coach.report import LyricsError, lrc_document

    with pytest.raises(LyricsError) as caught:
        lrc_document("Mini", 1.0, [(0, "[01:00.00] Breathe out.")])
    assert str(caught.value) == "Cannot write the lyrics: the line '[01:00.00] Breathe out.' starts like a time tag."


@MANY
@given(st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 10**4), TEXT), min_size=1, max_size=4))
def test_fuzz_subtitles_read_back_with_the_srt_package_or_are_refused(cues):
    from coach.report import LyricsError, srt_document

    cues = [(start, start + length, text) for start, length, text in cues]
    try:
        text = srt_document(cues)
    except LyricsError as exc:
        assert str(exc).startswith("Cannot write the subtitles: the line ") and "\n" not in str(exc)
        return
    read = list(srt.parse(text))
    assert [(s.index, s.start.total_seconds(), s.end.total_seconds(), s.content) for s in read] == [
        (n, start / 1000, end / 1000, text) for n, (start, end, text) in enumerate(cues, 1)
    ]


def test_a_voice_path_with_a_newline_keeps_the_index_to_its_lines():
    from coach.library import Settings, describe

    line = describe(Settings(voice="/voices/a\nb.onnx"))
    assert line == (
        "the routine's strokes, the routine's tempo, brief guidance, teach and quick sessions, voice $'a\\nb' "
        "(piper), pace 1, mp3 96 kbps stereo"
    )


# -- notifications and D-Bus -------------------------------------------------------------------------------------


@MANY
@given(TEXT)
def test_fuzz_a_notification_body_reads_back_as_its_text_through_the_specs_markup(text):
    from coach.desktop.notify import NotShown, _check, markup

    try:
        _check(text)
    except NotShown as exc:
        one_sentence(exc, text)
        return
    assert formats.body_text(markup(text)) == text


@pytest.mark.parametrize("capabilities", [["body"], ["body", "body-markup"]])
def test_a_notification_body_is_markup_only_for_a_server_that_reads_markup(tmp_path, capabilities):
    from coach.desktop.notify import notify

    body = "coach '/tmp/<b>a & b</b>.toml' --side auto, or the MP3."
    with private_bus() as address, notification_service(address) as service:
        service.capabilities = capabilities
        notify(address, "Psoas <release>", body)
    sent = service.received[0]
    assert sent["summary"] == "Psoas <release>"  # the summary is plain text for every server
    if "body-markup" in capabilities:
        assert sent["body"] == "coach '/tmp/&lt;b&gt;a &amp; b&lt;/b&gt;.toml' --side auto, or the MP3."
        assert formats.body_text(sent["body"]) == body
    else:
        assert sent["body"] == body


@MANY
@given(st.text(max_size=30))
def test_fuzz_any_routine_title_is_refused_or_a_valid_dbus_string(title):
    """What MPRIS and the notification send on the bus comes from a routine's text: either the routine is refused
    at load, or the text marshals as a D-Bus string and reads back the same."""
    from dbus_fast import Message
    from dbus_fast._private.unmarshaller import Unmarshaller

    from coach.errors import RoutineError
    from coach.routine import parse_routine

    source = Path(__file__).parent.parent / "coach" / "routines" / "psoas.toml"
    text = source.read_text().replace('title = "Psoas release"', f"title = {_toml_string(title)}", 1)
    try:
        routine = parse_routine(text, "psoas.toml", "psoas")
    except RoutineError:
        return
    message = Message(path="/a", interface="a.b", member="C", signature="s", body=[routine.title])
    unmarshaller = Unmarshaller(_stream(message._marshall(False)))
    assert unmarshaller.unmarshall().body == [routine.title]


def _toml_string(text: str) -> str:
    return '"' + "".join(c if c.isalnum() or c in " .,-" else f"\\U{ord(c):08x}" for c in text) + '"'


def _stream(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def test_what_dbus_cannot_carry_is_not_sent():
    from coach.desktop.notify import NotShown, notify

    with pytest.raises(NotShown) as caught:
        notify("unix:path=/nowhere", "Psoas", os.fsdecode(b"coach /tmp/\xff.toml"))
    assert str(caught.value) == (
        "$'coach /tmp/\\xff.toml' cannot be sent on the bus (D-Bus strings are UTF-8, without NUL)"
    )


# -- the messages' quoting ----------------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(NAME, TEXT.filter(lambda t: "\0" not in t)), min_size=1, max_size=20))
def test_fuzz_a_value_shown_in_a_message_is_what_bash_reads_back(values):
    """shown and quoted give a value as bash takes it back, byte for byte, on one printable line."""
    script = "".join(f"printf '%s\\0' {shown(v)} {quoted(v)}\n" for v in values)
    done = subprocess.run(["bash", "-c", script], capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr
    expected = b"".join(os.fsencode(v) + b"\0" + os.fsencode(v) + b"\0" for v in values)
    assert done.stdout == expected
    assert all(shown(v).isprintable() and quoted(v).startswith(("'", "$'")) for v in values)


def test_shown_and_quoted_by_example():
    cases = {
        "gmw/en-us; rm -rf /": ("'gmw/en-us; rm -rf /'", "'gmw/en-us; rm -rf /'"),
        "/tmp/s.mp3": ("/tmp/s.mp3", "'/tmp/s.mp3'"),
        "it's": ("'it'\"'\"'s'", "'it'\"'\"'s'"),
        "a\nb": ("$'a\\nb'", "$'a\\nb'"),
        "\x1b[2J": ("$'\\E[2J'", "$'\\E[2J'"),
        os.fsdecode(b"a\xffb"): ("$'a\\xffb'", "$'a\\xffb'"),
    }
    assert {value: (shown(value), quoted(value)) for value in cases} == cases
    assert "\n" not in str(CoachError(f"Cannot write {shown(chr(10))}."))
