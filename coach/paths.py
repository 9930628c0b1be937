"""Per-user directories. Environment variables override them, which keeps tests hermetic."""

from __future__ import annotations

import os
from pathlib import Path


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable)
    return Path(value) if value else Path.home() / fallback


def cache_dir() -> Path:
    """Where synthesized speech is kept: $COACH_CACHE_DIR, else $XDG_CACHE_HOME/coach."""
    override = os.environ.get("COACH_CACHE_DIR")
    return Path(override) if override else _xdg("XDG_CACHE_HOME", ".cache") / "coach"


def data_dir() -> Path:
    """Where the program log lives: $COACH_DATA_DIR, else $XDG_DATA_HOME/coach."""
    override = os.environ.get("COACH_DATA_DIR")
    return Path(override) if override else _xdg("XDG_DATA_HOME", ".local/share") / "coach"


def log_path() -> Path:
    return data_dir() / "log.sqlite3"


def config_dir() -> Path:
    """Where user routines live (in routines/): $COACH_CONFIG_DIR, else $XDG_CONFIG_HOME/coach."""
    override = os.environ.get("COACH_CONFIG_DIR")
    return Path(override) if override else _xdg("XDG_CONFIG_HOME", ".config") / "coach"
