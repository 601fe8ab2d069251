"""Send events from any process of the observed program to the supervisor.

Events are buffered in memory (a list append, cheap on the hot path) and sent
as datagrams of JSON lines, so the runner and every pool worker can write to
one stream without framing or locks. The runner (and anything forked from it)
writes to a socket it inherited from the supervisor; a fresh interpreter (the
forkserver, a spawned worker) finds the supervisor's socket by path. Every
datagram starts with the run's secret line, which only the runner's tree knows.

A send waits at most ``SEND_TIMEOUT_S`` for room: a supervisor that stops
reading slows the program down (backpressure) but never hangs it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from typing import Any

from tui.events import dumps

SOCKET_ENV = "CONCUR_TUI_SOCKET"
SECRET_ENV = "CONCUR_TUI_SECRET"
MAX_DATAGRAM = 60_000
SEND_TIMEOUT_S = 2.0

now_ns = time.perf_counter_ns


class Emitter:
    def __init__(self, path: str, secret: str, fd: int | None = None) -> None:
        self.path = path
        self.pid = os.getpid()
        self.lost = 0  # events dropped because the supervisor did not take them in time
        self._head = secret.encode() + b"\n"
        self._buffer: list[dict[str, Any]] = []
        self._sock = self._inherited(fd) if fd is not None else self._by_path()
        os.register_at_fork(after_in_child=self._after_fork)

    @staticmethod
    def _inherited(fd: int) -> socket.socket:
        sock = socket.socket(fileno=fd)
        sock.settimeout(SEND_TIMEOUT_S)
        return sock

    def _by_path(self) -> socket.socket | None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.settimeout(SEND_TIMEOUT_S)
        try:
            # Connected, so waiting for room waits on the supervisor's queue, not a busy loop.
            sock.connect(self.path)
        except OSError:
            sock.close()
            return None
        return sock

    def _after_fork(self) -> None:
        # A forked child keeps the inherited socket (datagrams are atomic); it only needs
        # an empty buffer and its own pid.
        self.pid = os.getpid()
        self._buffer = []

    def emit(self, type_: str, /, **fields: Any) -> None:
        fields["e"] = type_
        fields.setdefault("t", now_ns())
        fields["pid"] = self.pid
        self._buffer.append(fields)

    def flush(self) -> None:
        """Send what is buffered; drop it (counting it) if the supervisor is gone or stuck."""
        events, self._buffer = self._buffer, []
        if not events:
            return
        chunk: list[str] = []
        size = 0
        for index, event in enumerate(events):
            line = dumps(event)
            if size + len(line) > MAX_DATAGRAM and chunk:
                if not self._send(chunk):
                    self.lost += len(events) - index
                    return
                chunk, size = [], 0
            chunk.append(line)
            size += len(line) + 1
        self._send(chunk)

    def _send(self, lines: list[str]) -> bool:
        if self._sock is None:
            self.lost += len(lines)
            return False
        try:
            self._sock.send(self._head + "\n".join(lines).encode(errors="replace"))
        except OSError:  # gone, or no room within SEND_TIMEOUT_S (TimeoutError)
            self.lost += len(lines)
            return False
        return True

    def close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()


_emitter: Emitter | None = None


def emitter() -> Emitter | None:
    return _emitter


def install(path: str, secret: str, fd: int | None = None) -> Emitter:
    global _emitter
    _emitter = Emitter(path, secret, fd)
    return _emitter
