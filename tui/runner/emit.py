"""Send events from any process of the observed program to the supervisor.

Events are buffered in memory (a list append, cheap on the hot path) and sent
as datagrams of JSON lines, so the runner and every pool worker can write to
one stream without framing or locks. The runner (and anything forked from it)
writes to a socket it inherited from the supervisor; a fresh interpreter (the
forkserver, a spawned worker) finds the supervisor's socket by path. Every
datagram starts with the run's secret line, which only the runner's tree knows.

A send waits at most ``SEND_TIMEOUT_S`` for room: a supervisor that stops
reading slows the program down (backpressure) but never hangs it. What the runner
could not send it keeps (bounded), and its last flush leaves what still does not go
in the run's private folder, so a run's end is never lost.
"""

from __future__ import annotations

import base64
import contextlib
import os
import socket
import threading
import time
from array import array
from typing import Any

from tui.events import ENDS, PACKED, STARTS, STEPS, Cause, CauseKind, Rows, dumps

SOCKET_ENV = "CONCUR_TUI_SOCKET"
SECRET_ENV = "CONCUR_TUI_SECRET"
MAX_DATAGRAM = 60_000
SEND_TIMEOUT_S = 2.0
# The last flush, with run_end, waits longer: without it a completed run reads as failed,
# and a supervisor slow to read (a busy machine, a UI slow to drain) was seen to need > 2 s.
LAST_SEND_TIMEOUT_S = 20.0
# The runner's last events that the socket did not take (or its run_end alone), in the run's
# private folder: a busy machine was seen to lose run_end, and a completed run read as failed.
LAST_EVENTS_NAME = "last-events.jsonl"
# Characters of lines no send took that the runner keeps for its last flush (or its file).
UNSENT_CHARS = 8 << 20
# Rows per rows event (``steps``, ``starts``, ``ends``): ~55 bytes a step, ~90 a start with
# short names; an event too big for a datagram (long, escaped names) is split in two.
ROWS_PER_EVENT = 200
# Rows per packed event (``tui.events.PACKED``): 43 characters a step, 22 an end.
PACKED_ROWS_PER_EVENT = 1000

now_ns = time.perf_counter_ns


class Emitter:
    def __init__(self, path: str, secret: str, fd: int | None = None, last: bool = False) -> None:
        """``last``: this process ends the run (the runner): lines no send took are kept
        (up to ``UNSENT_CHARS``) for its last flush, rather than dropped."""
        self.path = path
        self.pid = os.getpid()
        self.lost = 0  # events dropped because the supervisor did not take them in time
        self._unsent: list[str] = []
        self._unsent_chars = 0
        self._unsent_limit = UNSENT_CHARS if last else 0
        self._head = secret.encode() + b"\n"
        self._buffer: list[dict[str, Any]] = []
        # asyncio tasks' steps, starts and plain ends, as rows (``Rows`` in tui/events.py): each
        # in one flat list, so the hot path adds no object the garbage collector must track
        # (a dict or tuple a step made ~160 k of them for 20 000 short tasks, and the
        # collections they set off cost more than the recording), and a flush encodes a few
        # long lists rather than a dict an event.
        self.steps: list[Any] = []
        self.starts: list[Any] = []
        self.ends: list[Any] = []
        self.record_step = self.steps.extend
        self.record_start = self.starts.extend
        self.record_end = self.ends.extend
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
        self._unsent, self._unsent_chars, self._unsent_limit = [], 0, 0
        del self._buffer[:]
        del self.steps[:]
        del self.starts[:]
        del self.ends[:]

    def emit(self, type_: str, /, **fields: Any) -> None:
        fields["e"] = type_
        fields.setdefault("t", now_ns())
        fields["pid"] = self.pid
        self._buffer.append(fields)

    def flush(self) -> None:
        """Send what is buffered; what the supervisor, gone or stuck, does not take is kept for
        the last flush (the runner's) or dropped and counted (a worker's)."""
        with self._flushing:
            self._flush()

    def flush_last(self, run_end: dict[str, Any], folder: str | None) -> None:
        """The runner's last flush, with ``run_end``, given ``LAST_SEND_TIMEOUT_S`` to get
        through; what did not (or ``run_end`` alone) is also left in ``folder`` (the run's
        private folder) as ``LAST_EVENTS_NAME``, for the supervisor to read if the socket
        lost it."""
        if self._sock is not None:
            with contextlib.suppress(OSError):  # (a program may have closed it)
                self._sock.settimeout(LAST_SEND_TIMEOUT_S)
        self._buffer.append(run_end)
        with self._flushing:
            unsent = self._flush(last=True)
        if folder is None:
            return
        with contextlib.suppress(OSError):
            fd = os.open(
                os.path.join(folder, LAST_EVENTS_NAME), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
            )
            with open(fd, "w", encoding="ascii", errors="replace") as f:
                f.write("\n".join(unsent or [dumps(run_end)]) + "\n")

    def _flush(self, last: bool = False) -> list[str]:
        """Send what earlier sends did not take, then what is buffered; keep what cannot be
        sent (or drop and count it; the last flush returns it instead), and return it."""
        # No list is ever swapped for a new one: a thread appending to it now (``emit``,
        # ``record_step``) may hold it already. Taking a prefix loses nothing. The lists are
        # taken in the reverse of a task's order (ends, steps, events, starts) and sent in its
        # order, so whatever is sent of a task, its start is sent with it or before it.
        ends = _take(self.ends)
        steps = _take(self.steps)
        events = _take(self._buffer)
        starts = _take(self.starts)
        lines = self._row_lines("starts", STARTS, starts)
        lines += [dumps(event) for event in events]
        lines += self._row_lines("steps", STEPS, steps)
        lines += self._row_lines("ends", ENDS, ends)
        # What earlier sends did not take goes first: a task's end sent before its start
        # (kept) would be read as the end of a task nobody started.
        lines[:0], self._unsent, self._unsent_chars = self._unsent, [], 0
        chunk: list[str] = []
        size = sent = 0
        for line in lines:
            if size + len(line) > MAX_DATAGRAM and chunk:
                if not self._send(chunk):
                    break
                sent += len(chunk)
                chunk, size = [], 0
            chunk.append(line)
            size += len(line) + 1
        else:
            if not chunk or self._send(chunk):
                return []
        unsent = lines[sent:]
        if not last:
            self._keep(unsent)
        return unsent

    def _keep(self, lines: list[str]) -> None:
        for line in lines:
            if self._unsent_chars + len(line) > self._unsent_limit:
                self.lost += 1
            else:
                self._unsent.append(line)
                self._unsent_chars += len(line)

    def _row_lines(self, kind: str, rows: Rows, flat: list[Any]) -> list[str]:
        """``flat``'s rows as ``kind`` events of at most ``ROWS_PER_EVENT`` rows each
        (``PACKED_ROWS_PER_EVENT`` for the kinds sent packed)."""
        lines: list[str] = []
        per_event = PACKED_ROWS_PER_EVENT if kind in PACKED else ROWS_PER_EVENT
        batch = per_event * len(rows.columns)
        for at in range(0, len(flat), batch):
            self._encode_rows(kind, rows, flat[at : at + batch], lines)
        return lines

    def _encode_rows(self, kind: str, rows: Rows, values: list[Any], lines: list[str]) -> None:
        width = len(rows.columns)
        t = max(values[rows.t_column :: width])
        packed = None
        if kind in PACKED:
            with contextlib.suppress(TypeError, OverflowError):  # not numbers only
                packed = base64.b64encode(array("q", values)).decode()
        if packed is not None:  # (base64 needs no escaping: not worth dumps' scan of it)
            line = f'{{"e":"{kind}","t":{t},"pid":{self.pid},"packed":"{packed}"}}'
        else:
            line = dumps({"e": kind, "t": t, "pid": self.pid, "flat": values})
        if len(line) > MAX_DATAGRAM and len(values) > width:  # (ASCII: a character a byte)
            half = len(values) // width // 2 * width
            self._encode_rows(kind, rows, values[:half], lines)
            self._encode_rows(kind, rows, values[half:], lines)
        else:
            lines.append(line)

    def _send(self, lines: list[str]) -> bool:
        if self._sock is None:
            return False
        try:
            self._sock.send(self._head + "\n".join(lines).encode(errors="replace"))
        except OSError:  # gone, or no room within SEND_TIMEOUT_S (TimeoutError)
            return False
        return True

    def close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()


def _take(items: list[Any]) -> list[Any]:
    """What ``items`` holds now, removed from it (other threads may append meanwhile)."""
    count = len(items)
    taken = items[:count]
    del items[:count]
    return taken


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


def install(path: str, secret: str, fd: int | None = None, last: bool = False) -> Emitter:
    global _emitter
    _emitter = Emitter(path, secret, fd, last)
    return _emitter
