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
import threading
import time
from typing import Any

from tui.events import STEP_ROW_LEN, Cause, CauseKind, dumps

SOCKET_ENV = "CONCUR_TUI_SOCKET"
SECRET_ENV = "CONCUR_TUI_SECRET"
MAX_DATAGRAM = 60_000
SEND_TIMEOUT_S = 2.0
# The last flush, with run_end, waits longer: without it a completed run reads as failed,
# and a supervisor slow to read (a busy machine, a UI slow to drain) was seen to need > 2 s.
LAST_SEND_TIMEOUT_S = 20.0
# Steps per ``steps`` event: a step is at most ~270 bytes (an id of MAX_ID characters), so a
# full event fits one datagram whatever the ids; ours are ~15 characters (~55 bytes a step).
STEP_ROWS = 200

now_ns = time.perf_counter_ns


class Emitter:
    def __init__(self, path: str, secret: str, fd: int | None = None) -> None:
        self.path = path
        self.pid = os.getpid()
        self.lost = 0  # events dropped because the supervisor did not take them in time
        self._head = secret.encode() + b"\n"
        self._buffer: list[dict[str, Any]] = []
        # asyncio steps, four values each (id, t0, t, ready; see ``steps`` in tui/events.py)
        # in one flat list: the hot path adds no object the garbage collector must track
        # (a dict or tuple a step made ~160 k of them for 20 000 short tasks, and the
        # collections they set off cost more than the recording).
        self.steps: list[str | int] = []
        self.record_step = self.steps.extend
        # One flush at a time: the runner's last flush (with ``run_end``) waits for the
        # observer's, so nothing buffered before it arrives after it.
        self._flushing = threading.RLock()
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
        self._flushing = threading.RLock()
        del self._buffer[:]
        del self.steps[:]

    def emit(self, type_: str, /, **fields: Any) -> None:
        fields["e"] = type_
        fields.setdefault("t", now_ns())
        fields["pid"] = self.pid
        self._buffer.append(fields)

    def flush(self) -> None:
        """Send what is buffered; drop it (counting it) if the supervisor is gone or stuck."""
        with self._flushing:
            self._flush()

    def flush_last(self) -> None:
        """The runner's last flush (``run_end``), given ``LAST_SEND_TIMEOUT_S`` to get through."""
        if self._sock is not None:
            self._sock.settimeout(LAST_SEND_TIMEOUT_S)
        self.flush()

    def _flush(self) -> None:
        # Neither list is ever swapped for a new one: a thread appending to it now (``emit``,
        # ``record_step``) may hold it already. Taking a prefix loses nothing. Steps are taken
        # before events and sent after them, so a step never arrives before its task's start.
        steps = self.steps
        step_count = len(steps)
        flat = steps[:step_count]
        del steps[:step_count]
        buffer = self._buffer
        count = len(buffer)
        events = buffer[:count]
        del buffer[:count]
        lines = [dumps(event) for event in events]
        for at in range(0, len(flat), STEP_ROWS * STEP_ROW_LEN):
            chunk_rows = flat[at : at + STEP_ROWS * STEP_ROW_LEN]
            t = max(chunk_rows[2::STEP_ROW_LEN])
            lines.append(dumps({"e": "steps", "t": t, "pid": self.pid, "flat": chunk_rows}))
        if not lines:
            return
        chunk: list[str] = []
        size = 0
        for index, line in enumerate(lines):
            if size + len(line) > MAX_DATAGRAM and chunk:
                if not self._send(chunk):
                    self.lost += len(lines) - index
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


USER_CANCEL = "cancelled from concur-tui"


def cancel_cause(
    kind: CauseKind,
    detail: str,
    by: str | None = None,
    where: str | None = None,
    msg: str | None = None,
) -> Cause:
    """What cancelled a task, as ``cancel`` and ``task_end`` events carry it: what kind of
    cause, which task (``by``), in words, where in the program, and the message passed to
    ``cancel()`` if any."""
    cause = Cause(kind=kind, by=by, detail=detail, where=where)
    if msg is not None:
        cause["msg"] = msg
    return cause


_emitter: Emitter | None = None


def emitter() -> Emitter | None:
    return _emitter


def install(path: str, secret: str, fd: int | None = None) -> Emitter:
    global _emitter
    _emitter = Emitter(path, secret, fd)
    return _emitter
