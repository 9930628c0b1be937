"""Per-user directories. Environment variables override them, which keeps tests hermetic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Dirs:
    cache: Path  # synthesized speech: $COACH_CACHE_DIR, else $XDG_CACHE_HOME/coach (~/.cache/coach)
    config: Path  # the user's routines, in routines/: $COACH_CONFIG_DIR, else $XDG_CONFIG_HOME/coach
    data: Path  # the program log: $COACH_DATA_DIR, else $XDG_DATA_HOME/coach (~/.local/share/coach)
    units: Path  # the user's systemd units, for reminders: $XDG_CONFIG_HOME/systemd/user (~/.config/systemd/user)

    @property
    def log(self) -> Path:
        return self.data / "log.sqlite3"

    @property
    def voices(self) -> Path:
        """The user's own Piper voices: NAME.onnx with NAME.onnx.json beside it."""
        return self.data / "voices"

    @property
    def scratch(self) -> Path:
        """Where a speech engine may write the files it makes on the way (it removes them)."""
        return self.cache / "scratch"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Dirs:
        home = Path(environ["HOME"]) if environ.get("HOME") else Path.home()

        def xdg(name: str, fallback: str) -> Path:
            return Path(environ[name]) if environ.get(name) else home / fallback

        def place(override: str, name: str, fallback: str) -> Path:
            return Path(environ[override]) if environ.get(override) else xdg(name, fallback) / "coach"

        return cls(
            cache=place("COACH_CACHE_DIR", "XDG_CACHE_HOME", ".cache"),
            config=place("COACH_CONFIG_DIR", "XDG_CONFIG_HOME", ".config"),
            data=place("COACH_DATA_DIR", "XDG_DATA_HOME", ".local/share"),
            units=xdg("XDG_CONFIG_HOME", ".config") / "systemd" / "user",
        )
