"""A Piper voice's settings file (NAME.onnx.json), checked field by field before anything uses it: every key that
coach or piper reads has the type and range it needs, or the voice is refused in one sentence naming the file and
the key ("audio.sample_rate is 0: ..."). Read as a regular file of bounded size (coach.reading), so a FIFO, a link
to /dev/zero or JSON nested thousands deep is a sentence too, never a hang, MemoryError or RecursionError."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coach.errors import SpeechError
from coach.quoting import shown
from coach.reading import read_json, why

MAX_SETTINGS = 4 * 1024 * 1024  # bytes: a voice's settings are 5 to 50 KB (the phoneme map is most of it)
RATES = (8000, 96000)  # samples a second a voice may speak at (Piper's are 16000 and 22050)
MOST_SPEAKERS = 10_000
MOST_SYMBOLS = 100_000
PHONEME_TYPES = ("espeak", "text", "pinyin", "hebrew", "japanese", "thai")  # piper.config.PhonemeType's values


class BadSetting(ValueError):
    """One key's problem: `key` is its dotted path, `problem` ends the sentence."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key} {problem}")
        self.key = key


@dataclass(frozen=True)
class Settings:
    """What coach shows of a voice (`coach voices`), and the whole checked mapping, for piper."""

    data: Mapping[str, Any]
    sample_rate: int
    language: str  # the language code ("en_US"), or ""
    label: str  # "English (United States), medium", or ""


def load_settings(path: Path) -> Settings:
    """The checked settings of the voice file at `path`; SpeechError naming the file (and the key) otherwise."""
    try:
        data = read_json(path, MAX_SETTINGS)
    except OSError as exc:
        raise SpeechError(f"The voice settings {shown(path)} cannot be read: {why(exc)}.") from None
    except ValueError as exc:
        raise SpeechError(f"The voice settings {shown(path)} are not JSON ({_first(exc)}).") from None
    try:
        return check_settings(data)
    except BadSetting as exc:
        raise SpeechError(f"The voice settings {shown(path)} are not a Piper voice config: {exc}.") from None


def check_settings(data: object) -> Settings:
    """The settings, checked; BadSetting for the first key that is wrong."""
    top = _table(data, "the file")
    symbols = _whole(top, "num_symbols", 1, MOST_SYMBOLS)
    speakers = _whole(top, "num_speakers", 1, MOST_SPEAKERS)
    audio = _table(top.get("audio", MISSING), "audio")
    rate = _whole(audio, "sample_rate", *RATES, prefix="audio.")
    quality = _text(audio, "quality", "audio.", required=False)
    _text(_table(top.get("espeak", MISSING), "espeak"), "voice", "espeak.")
    _ids(_table(top.get("phoneme_id_map", MISSING), "phoneme_id_map"), "phoneme_id_map", ("num_symbols", symbols))
    _ids(_table(top.get("speaker_id_map", {}), "speaker_id_map"), "speaker_id_map", ("num_speakers", speakers))
    if top.get("phoneme_type", "espeak") not in PHONEME_TYPES:
        raise BadSetting("phoneme_type", f"is {_said(top.get('phoneme_type'))}: it must be one of {PHONEME_TYPES}")
    inference = _table(top.get("inference", {}), "inference")
    for key in ("noise_scale", "length_scale", "noise_w"):
        _number(inference, key, "inference.")
    _whole(top, "hop_length", 1, 1 << 16, required=False)
    _whole(top, "default_speaker_id", 0, speakers - 1, required=False)  # num_speakers sets the most
    _text(top, "piper_version", "", required=False)
    clusters = top.get("vowel_clusters", [])
    if not isinstance(clusters, list) or not all(
        isinstance(c, list) and all(isinstance(p, str) for p in c) for c in clusters
    ):
        raise BadSetting("vowel_clusters", "must be a list of lists of phonemes (text)")
    language = _table(top.get("language", {}), "language")
    code = _text(language, "code", "language.", required=False)
    name = _text(language, "name_english", "language.", required=False)
    country = _text(language, "country_english", "language.", required=False)
    words = f"{name} ({country})" if name and country else name or country
    return Settings(top, rate, code, ", ".join(part for part in (words, quality) if part))


MISSING = object()  # a key the file does not have


def _table(value: object, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadSetting(key, f"is {_said(value)}: it must be a table (a JSON object)")
    return value


def _whole(table: Mapping[str, Any], key: str, least: int, most: int, prefix: str = "", required: bool = True) -> int:
    if key not in table and not required:
        return least
    value = table.get(key, MISSING)
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= most:
        raise BadSetting(prefix + key, f"is {_said(value)}: it must be a whole number from {least} to {most}")
    return value


def _number(table: Mapping[str, Any], key: str, prefix: str) -> None:
    if key not in table:
        return
    value = table[key]
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or not 0 <= value <= 10:
        raise BadSetting(prefix + key, f"is {_said(value)}: it must be a number from 0 to 10")


def _text(table: Mapping[str, Any], key: str, prefix: str, required: bool = True) -> str:
    if key not in table and not required:
        return ""
    value = table.get(key, MISSING)
    if not isinstance(value, str) or not value.isprintable() or len(value) > 200 or (required and not value):
        raise BadSetting(prefix + key, f"is {_said(value)}: it must be text of one line (at most 200 characters)")
    return value


def _ids(table: Mapping[str, Any], key: str, counted: tuple[str, int]) -> None:
    """A map of names to ids, or (the phonemes') to lists of ids; each id from 0 to the count less 1 (`counted`:
    the key holding the count, and the count)."""
    lists = key == "phoneme_id_map"
    size, count = counted
    for name, value in table.items():
        ids = value if lists and isinstance(value, list) else [value]
        if (lists and not isinstance(value, list)) or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 <= i < count for i in ids
        ):
            what = "a list of ids" if lists else "an id"
            raise BadSetting(
                f"{key}[{shown(name)}]",
                f"is {_said(value)}: it must be {what} from 0 to {count - 1} ({size} is {count})",
            )


def _said(value: object) -> str:
    """A value from the file as the message shows it: JSON's words for JSON's values, cut short."""
    if value is MISSING:
        return "missing"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a table"
    text = (
        json.dumps(value) if isinstance(value, list) else repr(value) if isinstance(value, str)
        else f"{value:g}" if isinstance(value, float) else str(value)
    )  # fmt: skip
    return text if len(text) <= 40 else text[:40] + "..."


def _first(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
