"""A signal at every place of a command's ending where Python can meet it, deterministically. Run as a process:

    python tests/ending_driver.py RESULTS SIGNAL FOLDER FILE FUNCTION EVENT -- ARGUMENTS...

It runs `coach ARGUMENTS` as the console script does (coach.__main__ imported first, then main()). From the first
EVENT ("call" or "return") of FUNCTION in the file whose name ends in FILE until main() has ended, it stops at every
place where Python may run a signal handler in the main thread: as a Python function starts, and as a call to a
built-in function returns (found with sys.setprofile; a call to a class and a loop's jump back, the other places,
are not stopped at). At each such step it forks: the child sends itself SIGNAL, which its handler meets right
there, and runs on to its end; the parent waits for it, writes how it ended as one JSON line to RESULTS (the step,
where it was, the exit status, all it printed on standard output and error, and the names in FOLDER, where the
command writes), puts back the files the child renamed or removed there, and goes on. So every child is the command
met by the signal at one step, whatever the speed of the machine.

From the first step the parent prints into files beside RESULTS (`parent.out`, `parent.err`), and each child's
output is the parent's so far followed by its own. A child leaves with os._exit as main() ends, its status as main()
gave it: the interpreter's exit after that (threading's and atexit's callbacks) is not stepped through, since a
child forked while logging or threading hold a lock finds it broken.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import sys
from pathlib import Path
from types import FrameType
from typing import Any


def main() -> None:
    results, signum, folder, start_file, start_function, start_event, dash, *args = sys.argv[1:]
    assert dash == "--"
    ending = Ending(Path(results), int(signum), Path(folder))

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        code = frame.f_code
        if ending.child or ending.over:
            return
        if not ending.started and code.co_filename.endswith(start_file):
            ending.started = (code.co_name, event) == (start_function, start_event)
            if ending.started:
                ending.begin()
        if ending.started and event in ("call", "c_return"):
            called = f" {getattr(arg, '__qualname__', arg)}" if event == "c_return" else ""
            ending.step(f"{code.co_filename}:{frame.f_lineno} {code.co_name} {event}{called}")

    from coach.__main__ import main as coach_main  # as the console script: its first lines take the signals

    sys.argv = ["coach", *args]
    sys.setprofile(profile)
    try:
        coach_main()
    except SystemExit as exc:
        ending.over = True
        if ending.child:
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
            os._exit(exc.code if isinstance(exc.code, int) else 1)
        raise


class Ending:
    def __init__(self, results: Path, signum: int, folder: Path) -> None:
        self.results = results
        self.signum = signum
        self.folder = folder
        self.kept = folder.with_name(folder.name + "-kept")  # hard links to the folder's files, to put them back
        self.seen: dict[str, int] = {}
        self.started = False
        self.over = False
        self.child = False
        self.count = 0

    def printed(self, name: str, who: str = "parent") -> Path:
        return self.results.with_name(f"{who}.{name}")

    def begin(self) -> None:
        gc.freeze()  # a child's exit then leaves the parent's objects alone
        self.redirect("parent")

    def redirect(self, who: str) -> None:
        for fd, name, stream in ((1, "out", sys.stdout), (2, "err", sys.stderr)):
            stream.flush()
            if who != "parent":
                shutil.copyfile(self.printed(name), self.printed(name, who))
            opened = os.open(self.printed(name, who), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            os.dup2(opened, fd)
            os.close(opened)

    def step(self, where: str) -> None:
        self.keep()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        self.count += 1
        pid = os.fork()
        if pid == 0:
            self.child = True
            sys.setprofile(None)
            self.redirect("child")
            os.kill(os.getpid(), self.signum)  # its handler runs as this call returns
            return
        _, status = os.waitpid(pid, 0)
        outcome = {
            "step": self.count,
            "where": where,
            "status": os.waitstatus_to_exitcode(status),
            "out": self.printed("out", "child").read_text(errors="replace"),
            "err": self.printed("err", "child").read_text(errors="replace"),
            "files": sorted(os.listdir(self.folder)),
        }
        with self.results.open("a") as lines:
            lines.write(json.dumps(outcome) + "\n")
        self.put_back()

    def listing(self) -> dict[str, int]:
        return {entry.name: entry.inode() for entry in os.scandir(self.folder)}

    def keep(self) -> None:
        """Hard links to the folder's files as they are now (made again only when the folder has changed)."""
        now = self.listing()
        if now == self.seen:
            return
        shutil.rmtree(self.kept, ignore_errors=True)
        self.kept.mkdir()
        for name in now:
            os.link(self.folder / name, self.kept / name)
        self.seen = now

    def put_back(self) -> None:
        """The folder as it was before the child: what it added removed, what it renamed or removed linked again."""
        for name, inode in self.listing().items():
            if self.seen.get(name) != inode:
                os.unlink(self.folder / name)
        for name in self.seen:
            if not (self.folder / name).exists():
                os.link(self.kept / name, self.folder / name)


if __name__ == "__main__":
    main()
