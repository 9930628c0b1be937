"""Speech made ahead of the playhead: a live session starts at once, and its lines are synthesized in a background
thread, in the order it asks (`prefer` changes it for the lines still to come), while the near-silent lead-in and the
first lines play.

The thread builds the engine itself (loading a neural voice takes most of a second) and gives each line to the
cache as it is made; the player's side takes the finished lines with `take`. ONNX Runtime releases the GIL while it
runs, and the speaker is made with one thread, so playback keeps its share of the CPU.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Sequence

from coach.audio import Pcm
from coach.speech.cache import Speaker

JOIN_S = 0.1  # on leaving, how often the wait for the line being made looks up


class Ahead:
    """Synthesizes `lines` (text, said on a beat) with `speaker` in a thread of its own, one after another."""

    def __init__(self, speaker: Speaker, lines: Sequence[tuple[str, bool]]) -> None:
        self.speaker = speaker
        self.lines = list(lines)
        self._waiting = deque(self.lines)  # still to be made, in order
        self._lock = threading.Lock()
        self._made: queue.SimpleQueue[tuple[str, Pcm] | BaseException | None] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._done = threading.Event()  # set as the thread ends
        self._thread = threading.Thread(target=self._run, name="coach-speech", daemon=True)
        self.finished = not self.lines

    def start(self) -> Ahead:
        if self.lines:
            self._thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                with self._lock:
                    if not self._waiting:
                        break
                    text, beat = self._waiting.popleft()
                self._made.put((text, self.speaker.clip(text, beat)))
        except BaseException as exc:  # handed to the player's side, which raises it there
            self._made.put(exc)
        finally:
            self._made.put(None)
            self._done.set()

    def prefer(self, texts: Sequence[str]) -> None:
        """Make these first, in this order, of the lines still waiting (the line being made is finished first); the
        others after them, in their order."""
        with self._lock:
            waiting = {line[0]: line for line in self._waiting}
            first = [waiting[text] for text in dict.fromkeys(texts) if text in waiting]
            chosen = {line[0] for line in first}
            self._waiting = deque([*first, *(line for line in self._waiting if line[0] not in chosen)])

    def take(self) -> dict[str, Pcm]:
        """The lines made since the last call (empty if none); raises the error that stopped the thread."""
        made: dict[str, Pcm] = {}
        while True:
            try:
                item = self._made.get_nowait()
            except queue.Empty:
                return made
            if item is None:
                self.finished = True
            elif isinstance(item, BaseException):
                raise item
            else:
                made[item[0]] = item[1]

    def close(self) -> None:
        """Stop after the line being made (it is kept in the cache for next time), and wait for it: the process
        must not end while the engine runs in this thread (ONNX Runtime then ends it with SIGSEGV or SIGABRT,
        "terminate called without an active exception"). A line takes a fraction of a second, loading the voice
        about one; on a loaded machine both took over 5 s, once the limit here. A Ctrl-C that comes meanwhile is
        raised once the thread is done."""
        interrupted: BaseException | None = None
        while True:  # on its own event: Thread.join interrupted by Ctrl-C marks a running thread as ended
            try:
                self._stop.set()
                if not self._thread.is_alive() or self._done.wait(JOIN_S):
                    break
            except KeyboardInterrupt as exc:
                interrupted = exc
        if interrupted is not None:
            raise interrupted
