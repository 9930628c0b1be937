"""A library of sessions in one folder: every routine x side (right, left, both) x shape (teach, the whole session,
and quick, for the later sessions of a day, unless one shape is asked for), an M3U playlist and an index.

Speech is synthesized first: every distinct line of the library once, on all cores (spawned worker processes, each
building the engine from the factory it is handed, with one thread), into the speech cache. Then the sessions are
rendered in parallel worker processes that only read the cache, so the files are the same, byte for byte, whatever
the number of workers: whoever made a line, the cache holds one version of it. A file whose recorded key (routine
text, side, settings, engine, sounds, version) is unchanged, and whose size and SHA-256 are still those recorded,
is left as it is; a run with nothing to do writes nothing at all.

Safety, in the order a run meets it:
- one export at a time in a folder: a lock (flock) on `.coach-export.lock`, held for the run; a second run is
  refused in one sentence;
- temp files of a run that was killed outright are removed, but never one a live process holds a lock on;
- workers write temp files that this process made, and only this process renames them into place (a session's
  audio, lyrics and subtitles together), so nothing is renamed after it has gone; a worker that finds its parent
  gone exits at once, and workers ignore Ctrl-C and SIGHUP, which this process meets by stopping them;
- the manifest is rewritten after each finished session, so an interrupted run keeps what it finished.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import coach.workers
from coach import __version__, signals
from coach.atomic import Transaction, check_writable, reason, remove_leftovers, write_bytes
from coach.catalog import RoutineSource
from coach.defaults import DEFAULT_BITRATE, DEFAULT_CHANNELS, DEFAULT_ENGINE, DEFAULT_PACE, DEFAULT_VOICE
from coach.errors import CoachError, OutputFileError, SilentSpeech, SpeechError
from coach.kinds import Guidance, Shape, Side, Tempo, Tool
from coach.picture.pictures import pictures_key
from coach.placement import PLACEMENT
from coach.quoting import shown
from coach.reading import open_regular, read_json, read_regular
from coach.script import SOUNDS, Options
from coach.signals import held
from coach.speech.cache import CACHE_FORMAT, Speaker, SpeechCache
from coach.speech.engine import EngineFactory
from coach.speech.factory import speech_label
from coach.timefmt import length

MANIFEST = ".coach-export.json"
MANIFEST_FORMAT = 2  # 2: each session's files with their size and SHA-256
LOCK = ".coach-export.lock"
PLAYLIST = "coach.m3u"
INDEX = "index.txt"
LISTS = (MANIFEST, PLAYLIST, INDEX)


@dataclass(frozen=True, kw_only=True)
class Settings:
    strokes: int | None = None
    tempo: Tempo | None = None
    bpm: int | None = None
    guidance: Guidance = Guidance.BRIEF
    intro: bool = True
    engine: str = DEFAULT_ENGINE
    voice: str = DEFAULT_VOICE
    pace: float = DEFAULT_PACE
    suffix: str = ".mp3"
    channels: int = DEFAULT_CHANNELS
    bitrate: int = DEFAULT_BITRATE
    lyrics: bool = False
    srt: bool = False
    shapes: tuple[Shape, ...] = (Shape.TEACH, Shape.QUICK)
    tool: Tool = Tool.HANDS

    def options(self, side: Side, shape: Shape = Shape.TEACH) -> Options:
        return Options(
            side=side, strokes=self.strokes, tempo=self.tempo, bpm=self.bpm, guidance=self.guidance, intro=self.intro,
            shape=shape, short_intro=shape is Shape.QUICK, tool=self.tool,
        )  # fmt: skip

    def speaker(self, engine: EngineFactory, cache: Path, threads: int = 0) -> Speaker:
        return Speaker(engine, self.voice, self.pace, SpeechCache(cache), threads)

    @property
    def speech(self) -> str:
        return speech_label(self.engine, self.voice, self.pace)


@dataclass(frozen=True)
class Job:
    source: RoutineSource
    side: Side
    track: int
    tracks: int
    path: Path
    key: str
    shape: Shape = Shape.TEACH
    lyrics: bool = False
    srt: bool = False

    @property
    def files(self) -> list[Path]:
        """The session's files: its audio, then its lyrics and subtitles if asked."""
        return [
            self.path, *([self.path.with_suffix(".lrc")] if self.lyrics else []),
            *([self.path.with_suffix(".srt")] if self.srt else []),
        ]  # fmt: skip


@dataclass(frozen=True)
class Done:
    name: str
    title: str
    seconds: float
    files: Mapping[str, Mapping[str, object]]  # each file's name: its size and SHA-256


def sounds_digest() -> str:
    digest = hashlib.sha256()
    for name in SOUNDS:
        digest.update(resources.files("coach.sounds").joinpath(f"{name}.wav").read_bytes())
    return digest.hexdigest()


def session_file(routine: str, side: Side, shape: Shape, suffix: str = ".mp3", tool: Tool = Tool.HANDS) -> str:
    """The name of a session's file in a library: NAME-SIDE for a teaching session, NAME-SIDE-SHAPE for another
    (psoas-right.mp3, psoas-right-quick.mp3), with the tool after the side when it is not the hands
    (psoas-right-cane.mp3, psoas-right-cane-quick.mp3), so sessions with a tool never replace those without."""
    named = "" if shape is Shape.TEACH else f"-{shape}"
    tool_named = "" if tool is Tool.HANDS else f"-{tool}"
    return f"{routine}-{side}{tool_named}{named}{suffix}"


def plan(sources: list[RoutineSource], settings: Settings, folder: Path, speech: list[str]) -> list[Job]:
    """One job per routine, side and shape, in playlist order, each with the key of what it is made from (`speech`:
    the engine's name and the voice's key, its files' digest for a Piper voice). A teach session is NAME-SIDE,
    another shape NAME-SIDE-SHAPE."""
    made = [__version__, CACHE_FORMAT, speech, sounds_digest(), PLACEMENT, asdict(settings)]
    common = json.dumps(made, sort_keys=True)
    sets = [
        (source, side, shape)
        for source in sorted(sources, key=lambda s: s.name)
        for shape in settings.shapes
        for side in Side
    ]
    jobs = []
    pictures = {source.name: pictures_key(source, source.load()) for source in sources}
    for track, (source, side, shape) in enumerate(sets, start=1):
        text = source.read()
        made_of = [common, text, pictures[source.name], side, shape, track, len(sets)]
        key = hashlib.sha256(json.dumps(made_of).encode()).hexdigest()
        path = folder / session_file(source.name, side, shape, settings.suffix, settings.tool)
        jobs.append(Job(source, side, track, len(sets), path, key, shape, settings.lyrics, settings.srt))
    return jobs


MAX_MANIFEST = 16 * 1024 * 1024  # bytes


def read_manifest(folder: Path) -> dict[str, dict[str, object]]:
    try:  # a regular file of a bounded size: a FIFO or a link to /dev/zero is unreadable, and replaced
        data: Any = read_json(folder / MANIFEST, MAX_MANIFEST, follow_links=False)
        files = data["files"] if data.get("format") == MANIFEST_FORMAT else {}
        return {name: dict(entry) for name, entry in files.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # none yet, unreadable or of an earlier format: everything is made again


def fingerprint(path: Path) -> dict[str, object]:
    """A file's size and SHA-256, read as a regular file (never through a link)."""
    digest = hashlib.sha256()
    with open_regular(path, None, follow_links=False) as file:
        size = 0
        while chunk := file.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def intact(job: Job, entry: Mapping[str, object]) -> bool:
    """Whether every file of the job is there with the size and content recorded: the size first (a stat), the
    SHA-256 only when the size is right."""
    files = entry.get("files")
    if entry.get("key") != job.key or not isinstance(files, dict) or set(files) != {p.name for p in job.files}:
        return False
    if not _listable(entry.get("title"), entry.get("seconds")):  # what the playlist and index show of it
        return False
    for path in job.files:
        recorded = files[path.name]
        try:
            if not isinstance(recorded, dict) or path.lstat().st_size != recorded.get("size"):
                return False
            if fingerprint(path) != recorded:
                return False
        except OSError:
            return False
    return True


def _listable(title: object, seconds: object) -> bool:
    """Whether a manifest's title and length can be listed: one line of text, and a finite, sensible length."""
    if not isinstance(title, str) or not 0 < len(title) <= 1000 or not title.isprintable():
        return False
    return isinstance(seconds, int | float) and not isinstance(seconds, bool) and 0 <= seconds < 1e6


def stale(jobs: list[Job], manifest: Mapping[str, Mapping[str, object]]) -> list[Job]:
    return [job for job in jobs if not intact(job, manifest.get(job.path.name, {}))]


def render_job(job: Job, temps: Mapping[Path, Path], settings: Settings, engine: EngineFactory, cache: Path) -> Done:
    """Render one session into its temp files, made by the main process, which renames them (in a worker process:
    speech comes from the cache)."""
    from coach.output.export import write_session
    from coach.output.files import Encoding
    from coach.output.tags import session_title
    from coach.picture.pictures import routine_pictures, session_pictures
    from coach.session import prepare

    routine = job.source.load()
    session = prepare(routine, settings.options(job.side, job.shape), settings.speaker(engine, cache))
    encoding = Encoding(settings.channels, settings.bitrate)
    pictures = None
    if settings.suffix != ".wav":
        pictures = session_pictures(session.timeline.script, job.source, routine_pictures(job.source, routine))
    write_session(session, temps, settings.speech, encoding, job.track, job.tracks, pictures=pictures)
    files = {target.name: fingerprint(temp) for target, temp in temps.items()}
    timeline = session.timeline
    return Done(job.path.name, session_title(timeline), timeline.seconds(timeline.length), files)


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """One export at a time in a folder: an exclusive flock on its lock file, for as long as the run lasts (the
    file stays, empty; removing it would let two runs lock two different files)."""
    try:
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise OutputFileError(f"Cannot write to {shown(folder)}: {reason(exc, folder)}.") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CoachError(
                f"Another coach export is writing to {shown(folder)}: wait for it to finish (or stop it), then run "
                "this again."
            ) from None
        yield
    finally:
        os.close(fd)


def export_library(
    sources: list[RoutineSource],
    folder: Path,
    settings: Settings,
    engine: EngineFactory,
    cache: Path,
    workers: int,
    on_speech: Callable[[int, int], None] | None = None,
    on_done: Callable[[Done, int, int], None] | None = None,
) -> tuple[list[Job], list[Job]]:
    """Bring the folder up to date; returns (all jobs, the jobs that were written)."""
    folder.mkdir(parents=True, exist_ok=True)
    with folder_lock(folder):
        speaker = settings.speaker(engine, cache)  # a voice that cannot be used is refused here
        jobs = plan(sources, settings, folder, [speaker.engine_name, speaker.voice_key])
        for path in [*(path for job in jobs for path in job.files), *(folder / name for name in LISTS)]:
            remove_leftovers(path)  # temp files of a run that was killed outright (nothing could remove them then)
            check_writable(path)  # before any work: a FIFO or a device in the folder is never replaced
        manifest = read_manifest(folder)
        todo = stale(jobs, manifest)
        if todo:
            _synthesize(todo, settings, speaker, workers, on_speech)
        by_name = {job.path.name: job for job in todo}

        def record(done: Done, count: int) -> None:
            manifest[done.name] = {
                "key": by_name[done.name].key, "title": done.title, "seconds": round(done.seconds, 3),
                "files": dict(done.files),
            }  # fmt: skip
            text = json.dumps({"format": MANIFEST_FORMAT, "files": manifest}, indent=1, sort_keys=True) + "\n"
            write_if_changed(folder / MANIFEST, text)
            if on_done is not None:
                on_done(done, count, len(todo))

        if workers <= 1 or len(todo) <= 1:
            for count, job in enumerate(todo, start=1):
                with Transaction() as transaction:
                    temps = {path: transaction.temp(path) for path in job.files}
                    done = render_job(job, temps, settings, engine, cache)
                record(done, count)
        else:
            _in_parallel(todo, settings, engine, cache, workers, record)
        _write_lists(folder, jobs, manifest, settings)
    return jobs, todo


PARALLEL_LINES = 8  # fewer lines than this to make are made in this process (starting workers costs a second)


def write_if_changed(path: Path, text: str) -> None:
    """Write a file unless it holds these bytes already: a run with nothing to do writes nothing."""
    data = text.encode("utf-8")
    with contextlib.suppress(OSError):
        if read_regular(path, len(data), follow_links=False) == data:
            return
    write_bytes(path, data)


def _synthesize(
    jobs: list[Job], settings: Settings, speaker: Speaker, workers: int, progress: Callable[[int, int], None] | None
) -> None:
    """Every distinct line of the jobs' sessions into the cache, once: the missing ones on `workers` processes."""
    from coach.script import build_script

    lines: dict[tuple[str, bool], None] = {}
    said_by: dict[str, RoutineSource] = {}  # each text, and the first routine that says it
    for job in jobs:
        script = build_script(job.source.load(), settings.options(job.side, job.shape))
        beats = script.beat_texts()
        lines.update(dict.fromkeys((text, text in beats) for text in script.texts()))
        for text in script.texts():
            said_by.setdefault(text, job.source)
    try:
        _make_lines(list(lines), speaker, workers, progress)
    except SilentSpeech as exc:  # named by the file, line and key of the routine's text that says it
        with said_by[exc.text].naming_silent_lines():
            raise


def _make_lines(
    lines: list[tuple[str, bool]], speaker: Speaker, workers: int, progress: Callable[[int, int], None] | None
) -> None:
    missing = [line for line in lines if speaker.cached(*line) is None]
    done = len(lines) - len(missing)
    if progress is not None:
        progress(done, len(lines))
    if workers <= 1 or len(missing) < PARALLEL_LINES:
        for text, beat in missing:
            speaker.make(text, beat)
            done += 1
            if progress is not None:
                progress(done, len(lines))
        return
    longest_first = sorted(missing, key=lambda line: -len(line[0]))
    start = (speaker.factory, speaker.voice, speaker.pace, speaker.cache.directory)
    pool = coach.workers.start(min(workers, len(missing)), _start_speaker, start)
    try:
        with signals.starting_workers():
            pending = {pool.submit(_make_line, text, beat) for text, beat in longest_first}
        while pending:  # woken often: a signal may come to another thread, and only this one acts on it
            finished, pending = wait(pending, timeout=coach.workers.WATCH_S, return_when=FIRST_COMPLETED)
            for future in finished:
                future.result()
                done += 1
                if progress is not None:
                    progress(done, len(lines))
    except BaseException as exc:  # the workers are stopped at once, however this ends
        coach.workers.stop(pool)
        if isinstance(exc, BrokenProcessPool):
            raise SpeechError(
                "A process making the speech ended unexpectedly (was it killed, or out of memory?); the lines made "
                "so far are kept: run again to finish."
            ) from None
        raise
    pool.shutdown(wait=True)


_SPEAKER: Speaker | None = None  # a synthesis worker's own speaker (one per worker process, made at its start)


def _start_speaker(engine: EngineFactory, voice: str, pace: float, cache: Path) -> None:
    global _SPEAKER
    _SPEAKER = Speaker(engine, voice, pace, SpeechCache(cache), threads=1)


def _make_line(text: str, beat: bool) -> None:
    assert _SPEAKER is not None, "the worker's speaker is made when the worker starts"
    _SPEAKER.make(text, beat)


def _in_parallel(
    jobs: list[Job],
    settings: Settings,
    engine: EngineFactory,
    cache: Path,
    workers: int,
    record: Callable[[Done, int], None],
) -> None:
    """Render the jobs in worker processes, each session's files renamed into place here as it finishes. However
    this ends (an error, Ctrl-C, SIGTERM, SIGHUP, a worker that died), the workers are stopped at once and the temp
    files of unfinished sessions removed."""
    pool = coach.workers.start(min(workers, len(jobs)))
    running: dict[Future[Done], Transaction] = {}
    try:
        with signals.starting_workers(), held():  # every worker started is recorded before an interrupt is met
            for job in jobs:
                transaction = Transaction()
                temps = {path: transaction.temp(path) for path in job.files}
                running[pool.submit(render_job, job, temps, settings, engine, cache)] = transaction
        count = 0
        while running:  # woken often: a signal may come to another thread, and only this one acts on it
            finished, _ = wait(running, timeout=coach.workers.WATCH_S, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: f.result().name):
                with running.pop(future) as transaction:  # renamed into place here, and only here
                    done = future.result()
                count += 1
                record(done, count)
    except BaseException as exc:
        coach.workers.stop(pool)
        for transaction in running.values():
            transaction.discard()
        if isinstance(exc, BrokenProcessPool):
            raise OutputFileError(
                "A process rendering the sessions ended unexpectedly (was it killed, or out of memory?); the "
                f"sessions written so far in {jobs[0].path.parent} are complete: run again to finish."
            ) from None
        raise
    pool.shutdown(wait=True)


def _write_lists(folder: Path, jobs: list[Job], manifest: dict[str, dict[str, object]], settings: Settings) -> None:
    entries = []
    for job in jobs:
        entry = manifest.get(job.path.name)
        if entry is None:
            raise OutputFileError(f"{job.path.name} was not written.")
        entries.append((job, str(entry["title"]), float(str(entry["seconds"]))))
    write_if_changed(folder / PLAYLIST, playlist_text([(job.path.name, title, s) for job, title, s in entries]))
    total = sum(seconds for _, _, seconds in entries)
    name_width = max(len(job.path.name) for job, _, _ in entries) + 2
    title_width = max(len(title) for _, title, _ in entries) + 2
    index = [
        f"coach sessions: {len(entries)} files, {length(total)} in all",
        f"Settings: {describe(settings)}",
        "",
        *(
            f"{job.track:>3}  {job.path.name:<{name_width}}{title:<{title_width}}{length(seconds):>6}"
            for job, title, seconds in entries
        ),
    ]
    for line in index:
        _one_line(line, INDEX)
    write_if_changed(folder / INDEX, "\n".join(index) + "\n")


def playlist_text(entries: Sequence[tuple[str, str, float]]) -> str:
    """An extended M3U playlist (RFC 8216, 4.1: #EXTM3U, then #EXTINF:<seconds>,<title> before each file's name).
    M3U has no escapes: a title or name that would not stay on its line, or a name that would read as a comment
    (#...), is refused."""
    lines = ["#EXTM3U"]
    for name, title, seconds in entries:
        _one_line(title, PLAYLIST)
        _one_line(name, PLAYLIST)
        if name.startswith("#") or name != name.strip():
            raise OutputFileError(f"Cannot write {PLAYLIST}: the file name {shown(name)} would not read as a file.")
        lines += [f"#EXTINF:{round(seconds)},{title}", name]
    return "\n".join(lines) + "\n"


def _one_line(text: str, file: str) -> None:
    if not text.isprintable() or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise OutputFileError(f"Cannot write {file}: {shown(text)} would not stay on one line of it.")


def describe(settings: Settings) -> str:
    strokes = "the routine's strokes" if settings.strokes is None else f"{settings.strokes} strokes"
    tempo = f"{settings.bpm} bpm" if settings.bpm else (settings.tempo or "the routine's tempo")
    sound = settings.suffix.lstrip(".")
    if settings.suffix == ".mp3":
        sound += f" {settings.bitrate} kbps"
    sound += " mono" if settings.channels == 1 else " stereo"
    intro = "" if settings.intro else ", no intro"
    intro += f", {' and '.join(settings.shapes)} sessions"
    intro += f", {settings.tool.named}" if settings.tool is not Tool.HANDS else ""
    return f"{strokes}, {tempo}, {settings.guidance} guidance{intro}, {settings.speech}, {sound}"
