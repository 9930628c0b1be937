"""Finding routines: the ones shipped in the package and the user's own (config dir, or a path)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from coach.errors import RoutineError, SilentSpeech
from coach.quoting import shown
from coach.reading import NotRegular, TooLarge, read_regular
from coach.routine import MAX_FILE, Routine, parse_routine
from coach.template import locate


@dataclass(frozen=True)
class RoutineSource:
    """Where a routine comes from: its command name, a label for messages and a way to read its text."""

    name: str
    label: str
    path: Path | None = None
    by_path: bool = False  # given on the command line by the path of its file
    refused: str = ""  # why it cannot be used whatever it holds (a user routine named like a built-in command)

    @property
    def command(self) -> str:
        """How the routine is named on the command line: its name, or the path it was given by."""
        return shown(self.path) if self.by_path and self.path is not None else self.name

    def read(self) -> str:
        if self.refused:
            raise RoutineError(self.label, self.refused)
        try:
            if self.path is None:
                return resources.files("coach.routines").joinpath(f"{self.name}.toml").read_text("utf-8")
            return read_regular(self.path, 4 * MAX_FILE).decode("utf-8")
        except FileNotFoundError:
            raise RoutineError(self.label, "file not found") from None
        except UnicodeDecodeError:
            raise RoutineError(self.label, "not UTF-8 text") from None
        except NotRegular as exc:
            if exc.kind == "a folder":
                raise RoutineError(self.label, "is a folder, not a routine file") from None
            raise RoutineError(self.label, str(exc)) from None
        except TooLarge as exc:
            raise RoutineError(self.label, f"too large ({exc.size} bytes)") from None
        except OSError as exc:
            raise RoutineError(self.label, f"cannot be read ({exc.strerror})") from None

    def load(self) -> Routine:
        return parse_routine(self.read(), self.label, self.name)

    @contextmanager
    def naming_silent_lines(self) -> Iterator[None]:
        """Silence from the speech engine for one of this routine's texts becomes an error at that text's line."""
        try:
            yield
        except SilentSpeech as exc:
            raise locate(self.read(), self.label, exc.text, exc.problem) from None


def builtin_sources() -> list[RoutineSource]:
    files = resources.files("coach.routines").iterdir()
    names = sorted(f.name[: -len(".toml")] for f in files if f.name.endswith(".toml"))
    return [RoutineSource(name, f"{name}.toml (built in)") for name in names]


def user_sources(config_dir: Path) -> list[RoutineSource]:
    folder = config_dir / "routines"
    if not folder.is_dir():
        return []
    return [RoutineSource(p.stem, shown(p), p) for p in sorted(folder.glob("*.toml"))]


def all_sources(config_dir: Path, commands: Collection[str] = ()) -> dict[str, RoutineSource]:
    """Every routine by command name; a user routine of the same name replaces the built-in one. A user routine
    named like one of `commands` (the built-in commands) could never be run by its name: it is refused, by name."""
    sources = {s.name: s for s in builtin_sources()}
    for source in user_sources(config_dir):
        if source.name in commands:
            problem = (
                f"{source.name!r} is the name of a coach command, so this routine could never run: rename the file"
            )
            source = replace(source, refused=problem)
        sources[source.name] = source
    return sources


def path_source(path: Path) -> RoutineSource:
    """A routine given by the path of its file."""
    return RoutineSource(path.stem, shown(path), path, by_path=True)
