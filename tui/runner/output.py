"""The program's ``sys.stdout`` and ``sys.stderr``, stamped when written.

Text read from the runner's pipes could only be stamped when the supervisor read it, up to a
poll later and in whatever order its two reader threads got there, so output landed among the
events out of order. Written through these streams, each piece of text is an ``output`` event
stamped by the writing thread, on the clock every event shares. Writes below Python (``os.write``
to fd 1, a C extension, a child that is not hooked) still reach the pipes, and the supervisor
stamps those when it reads them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TextIO

from tui.runner import emit

# Past this much unsent text, the writing thread sends it itself (and waits if the supervisor
# is behind), so a program that floods its output cannot fill the runner's memory.
MAX_PENDING_CHARS = 1 << 20
MAX_EVENT_CHARS = 1 << 15  # of one output event: it must fit a datagram and tui.events' bounds


class StampedStream:
    """A text stream that sends what is written as ``output`` events; anything else (``buffer``,
    ``fileno()``, ``encoding``, ...) is the original stream's."""

    def __init__(self, name: str, original: TextIO) -> None:
        self._name = name
        self._original = original
        self._pending = 0

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        em = emit.emitter()
        if em is None:
            return self._original.write(text)
        for start in range(0, len(text), MAX_EVENT_CHARS):  # 50 MB in one write: many events
            piece = text[start : start + MAX_EVENT_CHARS]
            em.emit("output", stream=self._name, text=piece)
            self._pending += len(piece)
            if _send_at_once or self._pending > MAX_PENDING_CHARS:
                self._pending = 0
                em.flush()
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._original.flush()

    def writable(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


_send_at_once = False


def send_each_write() -> None:
    """A process with no observer thread to send its events every 50 ms (a pool worker, a
    forked child) sends each write at once, so none is lost when it ends with ``os._exit``."""
    global _send_at_once
    _send_at_once = True


os.register_at_fork(after_in_child=send_each_write)


def stamped(name: str) -> Callable[[TextIO], StampedStream]:
    """The hook for ``sys.stdout`` or ``sys.stderr`` (installed by ``tui.runner.patches``)."""

    def make(original: TextIO) -> StampedStream:
        return StampedStream(name, original)

    return make
