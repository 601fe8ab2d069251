"""Send events from any process of the observed program to the supervisor.

Events are buffered in memory (a list append, cheap on the hot path) and sent
as datagrams of JSON lines to the supervisor's private Unix socket, so the
runner and every pool worker can write to one stream without framing or locks.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from typing import Any

from tui.events import dumps

SOCKET_ENV = "CONCUR_TUI_SOCKET"
MAX_DATAGRAM = 60_000

now_ns = time.perf_counter_ns


class Emitter:
    def __init__(self, path: str) -> None:
        self.path = path
        self.pid = os.getpid()
        self._buffer: list[dict[str, Any]] = []
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        os.register_at_fork(after_in_child=self._after_fork)

    def _after_fork(self) -> None:
        self.pid = os.getpid()
        self._buffer = []
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)

    def emit(self, type_: str, /, **fields: Any) -> None:
        fields["e"] = type_
        fields.setdefault("t", now_ns())
        fields["pid"] = self.pid
        self._buffer.append(fields)

    def flush(self) -> None:
        """Send what is buffered; drop it quietly if the supervisor is gone."""
        events, self._buffer = self._buffer, []
        if not events:
            return
        chunk: list[str] = []
        size = 0
        for event in events:
            line = dumps(event)
            if size + len(line) > MAX_DATAGRAM:
                self._send(chunk)
                chunk, size = [], 0
            chunk.append(line)
            size += len(line) + 1
        self._send(chunk)

    def _send(self, lines: list[str]) -> None:
        if not lines:
            return
        with contextlib.suppress(OSError):
            self._sock.sendto("\n".join(lines).encode(), self.path)


_emitter: Emitter | None = None


def emitter() -> Emitter | None:
    return _emitter


def install(path: str) -> Emitter:
    global _emitter
    _emitter = Emitter(path)
    return _emitter
