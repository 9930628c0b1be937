"""What `make run` and `make setup` show: the project's own lines, not setuptools' box about editable installs, while
an install's errors and any other warning from the build still show."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What pip 26 prints from setuptools 80+ on `pip install -e .` of this project, as pip raises it: a
# BuildBackendWarning (a UserWarning) with setuptools' message, in the pip process.
EDITABLE = (
    "Editable installation.\n!!\n\n        " + "*" * 80 + "\n        Please be careful with folders in your working "
    "directory with the same\n        name as your package as they may take precedence during imports.\n        "
    + "*" * 80
    + "\n\n!!"
)
RAISE = """
import sys, warnings
from pip._vendor.pyproject_hooks import BuildBackendWarning
for message in sys.argv[1:]:
    warnings.warn_explicit(message=message, category=BuildBackendWarning, filename="editable_wheel.py", lineno=354)
"""


def install_interpreter_options() -> list[str]:
    """The options the Makefile gives the Python that runs pip (the words between `python` and `-m pip`)."""
    shown = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", "show-install: ; $(info $(INSTALL))", "show-install"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    words = shlex.split(shown.stdout)
    assert words[0] == "python" and words[words.index("-m") + 1 : words.index("-m") + 3] == ["pip", "install"]
    return words[1 : words.index("-m")]


def test_the_install_hides_setuptools_editable_box_and_nothing_else():
    other = "License classifiers are deprecated."
    done = subprocess.run(
        [sys.executable, *install_interpreter_options(), "-c", RAISE, EDITABLE, other],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == f"editable_wheel.py:354: BuildBackendWarning: {other}\n"
