"""The one error hierarchy. Only the CLI turns these into messages and exit codes."""

from __future__ import annotations


class CoachError(Exception):
    """A foreseeable fault, with a message fit to show a user as it is."""

    exit_code = 1


class RoutineError(CoachError):
    """A routine file that cannot be used: names the file, the line where known, the key and the problem."""

    def __init__(self, file: str, problem: str, key: str | None = None, line: int | None = None) -> None:
        self.file = file
        self.problem = problem
        self.key = key
        self.line = line
        where = file if line is None else f"{file}, line {line}"
        what = problem if key is None else f"{key}: {problem}"
        super().__init__(f"{where}: {what}")


class SpeechError(CoachError):
    """The speech engine could not be loaded or could not speak a phrase."""


class SilentSpeech(SpeechError):
    """The speech engine gave silence for a text, every time it was asked."""

    def __init__(self, text: str, attempts: int) -> None:
        self.text, self.attempts = text, attempts
        self.problem = f"the speech engine says nothing for {text!r} ({attempts} tries); give it words it can speak"
        super().__init__(f"The speech engine says nothing for {text!r} ({attempts} tries).")

    def __reduce__(self) -> tuple[type[SilentSpeech], tuple[str, int]]:  # from a worker process, whole
        return (SilentSpeech, (self.text, self.attempts))


class AudioOutputError(CoachError):
    """No audio output could be opened for live playback."""

    exit_code = 3


class OutputFileError(CoachError):
    """A session could not be written to a file."""


class LogBusy(CoachError):
    """The program log is held locked by another program for longer than a write would wait."""
