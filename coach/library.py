"""A library of sessions in one folder: every routine x side (right, left, both) x shape (teach, the whole session,
and quick, for the later sessions of a day, unless one shape is asked for), an M3U playlist and an index.

Speech is synthesized first: every distinct line of the library once, on all cores (spawned worker processes, each
building the engine from the factory it is handed, with one thread), into the speech cache. Then the sessions are
rendered in parallel worker processes that only read the cache, so the files are the same, byte for byte, whatever
the number of workers: whoever made a line, the cache holds one version of it. A file whose recorded key (routine
text, side, settings, engine, sounds, version) is unchanged is left as it is.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

from coach import __version__
from coach.atomic import write_text
from coach.catalog import RoutineSource
from coach.defaults import DEFAULT_BITRATE, DEFAULT_ENGINE, DEFAULT_PACE, DEFAULT_VOICE
from coach.errors import OutputFileError
from coach.kinds import Guidance, Shape, Side, Tempo
from coach.script import SOUNDS, Options
from coach.speech.cache import CACHE_FORMAT, Speaker, SpeechCache
from coach.speech.engine import EngineFactory
from coach.speech.factory import speech_label
from coach.timefmt import length

MANIFEST = ".coach-export.json"
PLAYLIST = "coach.m3u"
INDEX = "index.txt"


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
    channels: int = 1
    bitrate: int = DEFAULT_BITRATE
    lyrics: bool = False
    srt: bool = False
    shapes: tuple[Shape, ...] = (Shape.TEACH, Shape.QUICK)

    def options(self, side: Side, shape: Shape = Shape.TEACH) -> Options:
        return Options(
            side, strokes=self.strokes, tempo=self.tempo, bpm=self.bpm, guidance=self.guidance, intro=self.intro,
            shape=shape, short_intro=shape is Shape.QUICK,
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


@dataclass(frozen=True)
class Done:
    name: str
    title: str
    seconds: float


def sounds_digest() -> str:
    digest = hashlib.sha256()
    for name in SOUNDS:
        digest.update(resources.files("coach.sounds").joinpath(f"{name}.wav").read_bytes())
    return digest.hexdigest()


def plan(sources: list[RoutineSource], settings: Settings, folder: Path, speech: list[str]) -> list[Job]:
    """One job per routine, side and shape, in playlist order, each with the key of what it is made from (`speech`:
    the engine's name and the voice's key, its files' digest for a Piper voice). A teach session is NAME-SIDE,
    another shape NAME-SIDE-SHAPE."""
    common = json.dumps([__version__, CACHE_FORMAT, speech, sounds_digest(), asdict(settings)], sort_keys=True)
    sets = [
        (source, side, shape)
        for source in sorted(sources, key=lambda s: s.name)
        for shape in settings.shapes
        for side in Side
    ]
    jobs = []
    for track, (source, side, shape) in enumerate(sets, start=1):
        text = source.read()
        key = hashlib.sha256(json.dumps([common, text, side, shape, track, len(sets)]).encode()).hexdigest()
        named = "" if shape is Shape.TEACH else f"-{shape}"
        path = folder / f"{source.name}-{side}{named}{settings.suffix}"
        jobs.append(Job(source, side, track, len(sets), path, key, shape))
    return jobs


def read_manifest(folder: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
        files = data["files"] if data.get("format") == 1 else {}
        return {name: dict(entry) for name, entry in files.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # none yet, or unreadable: everything is made again


def stale(jobs: list[Job], manifest: dict[str, dict[str, object]]) -> list[Job]:
    return [j for j in jobs if not j.path.exists() or manifest.get(j.path.name, {}).get("key") != j.key]


def render_job(job: Job, settings: Settings, engine: EngineFactory, cache: Path) -> Done:
    """Render and write one session (in a worker process: speech comes from the cache)."""
    from coach.output.export import export_session
    from coach.output.files import Encoding
    from coach.output.tags import session_title
    from coach.session import prepare

    routine = job.source.load()
    session = prepare(routine, settings.options(job.side, job.shape), settings.speaker(engine, cache))
    encoding = Encoding(settings.channels, settings.bitrate)
    export_session(session, job.path, settings.speech, encoding, settings.lyrics, settings.srt, job.track, job.tracks)
    return Done(job.path.name, session_title(session.timeline), session.timeline.seconds(session.timeline.length))


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
    speaker = settings.speaker(engine, cache)  # a voice that cannot be used is refused here
    jobs = plan(sources, settings, folder, [speaker.engine_name, speaker.voice_key])
    for job in jobs:  # temp files of a run that was killed outright (nothing could remove them then)
        for leftover in folder.glob(f".{job.path.name}.*.part"):
            leftover.unlink(missing_ok=True)
    manifest = read_manifest(folder)
    todo = stale(jobs, manifest)
    if todo:
        _synthesize(todo, settings, speaker, workers, on_speech)

    def record(done: Done, count: int) -> None:
        job = next(j for j in todo if j.path.name == done.name)
        manifest[done.name] = {"key": job.key, "title": done.title, "seconds": round(done.seconds, 3)}
        write_text(folder / MANIFEST, json.dumps({"format": 1, "files": manifest}, indent=1, sort_keys=True) + "\n")
        if on_done is not None:
            on_done(done, count, len(todo))

    if workers <= 1 or len(todo) <= 1:
        for count, job in enumerate(todo, start=1):
            record(render_job(job, settings, engine, cache), count)
    else:
        _in_parallel(todo, settings, engine, cache, workers, record)
    _write_lists(folder, jobs, manifest, settings)
    return jobs, todo


PARALLEL_LINES = 8  # fewer lines than this to make are made in this process (starting workers costs a second)


def _synthesize(
    jobs: list[Job], settings: Settings, speaker: Speaker, workers: int, progress: Callable[[int, int], None] | None
) -> None:
    """Every distinct line of the jobs' sessions into the cache, once: the missing ones on `workers` processes."""
    from coach.script import build_script

    lines: dict[tuple[str, bool], None] = {}
    for job in jobs:
        script = build_script(job.source.load(), settings.options(job.side, job.shape))
        beats = script.beat_texts()
        lines.update(dict.fromkeys((text, text in beats) for text in script.texts()))
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
    context = multiprocessing.get_context("spawn")
    longest_first = sorted(missing, key=lambda line: -len(line[0]))
    start = (speaker.factory, speaker.voice, speaker.pace, speaker.cache.directory)
    count = min(workers, len(missing))
    with ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_start_speaker, initargs=start) as pool:
        pending = {pool.submit(_make_line, text, beat) for text, beat in longest_first}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    future.result()
                    done += 1
                    if progress is not None:
                        progress(done, len(lines))
        except BaseException:
            for future in pending:
                future.cancel()
            raise


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
    context = multiprocessing.get_context("spawn")  # no fork of a process that has espeak-ng's thread running
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        pending: set[Future[Done]] = {pool.submit(render_job, job, settings, engine, cache) for job in jobs}
        count = 0
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=lambda f: f.result().name):
                    count += 1
                    record(future.result(), count)
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def _write_lists(folder: Path, jobs: list[Job], manifest: dict[str, dict[str, object]], settings: Settings) -> None:
    entries = []
    for job in jobs:
        entry = manifest.get(job.path.name)
        if entry is None:
            raise OutputFileError(f"{job.path.name} was not written.")
        entries.append((job, str(entry["title"]), float(str(entry["seconds"]))))
    playlist = ["#EXTM3U"]
    for job, title, seconds in entries:
        playlist += [f"#EXTINF:{round(seconds)},{title}", job.path.name]
    write_text(folder / PLAYLIST, "\n".join(playlist) + "\n")
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
    write_text(folder / INDEX, "\n".join(index) + "\n")


def describe(settings: Settings) -> str:
    strokes = "the routine's strokes" if settings.strokes is None else f"{settings.strokes} strokes"
    tempo = f"{settings.bpm} bpm" if settings.bpm else (settings.tempo or "the routine's tempo")
    sound = settings.suffix.lstrip(".")
    if settings.suffix == ".mp3":
        sound += f" {settings.bitrate} kbps"
    sound += " mono" if settings.channels == 1 else " stereo"
    intro = "" if settings.intro else ", no intro"
    intro += f", {' and '.join(settings.shapes)} sessions"
    return f"{strokes}, {tempo}, {settings.guidance} guidance{intro}, {settings.speech}, {sound}"
