"""One run: start the runner in its own session, collect its events, end it cleanly.

Everything the run produces — the runner's and workers' events from the
private channel, the program's stdout/stderr, CPU samples — arrives in one
queue as lists of events; ``drain()`` hands them to whoever feeds the model.
The runner's process group dies with the run: on completion, on cancel
(politely first, then SIGTERM, then SIGKILL) and when this process exits.

The program is not trusted. Its events come over a socket the runner inherited
(and, for pool workers that are fresh interpreters, a socket in a 0700 folder),
each datagram carrying the run's secret and sent by a process of the run's
session; every event is checked against ``tui.events``; what fails is dropped and
counted (a ``dropped`` event), never fatal. Output and events are read with a
bound on what waits to be drained (``OUTPUT_HELD_CHARS``, ``EVENTS_IN_FLIGHT``):
past it, the oldest output lines are dropped and counted, and the event reader
stops reading, so the runner's sends wait (backpressure, bounded in the runner).
When the run is over, whatever it left is removed: processes it started that
escaped the group (``setsid``), the semaphores it listed, its private folder.
"""

from __future__ import annotations

import atexit
import codecs
import collections
import contextlib
import hmac
import json
import os
import queue
import secrets
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui.catalog import Scenario
from tui.events import SUPERVISOR_TYPES, DropKind, Event, SchemaError, check, from_wire, loads
from tui.runner import emit, leftovers
from tui.supervisor.attribution import KernelSampler, availability
from tui.supervisor.sampler import TreeSampler

PROJECT_ROOT = str(Path(__file__).resolve().parents[2])
SAMPLE_INTERVAL_S = 0.1
# A tree sample due within this much of a kernel sweep is taken with it (the sweeps' pace,
# 10 or 50 ms, divides the tree's; sleeps end a little late, never early).
TREE_EARLY_S = 0.005
CANCEL_GRACE_S = 2.0
RECV_BYTES = 1 << 17
# Read of the runner's last events file: what it kept unsent, and its last flush.
LAST_EVENTS_BYTES = emit.UNSENT_CHARS + (8 << 20)
EVENTS_DRAIN_S = 60.0  # at most this long to read what the runner sent before it exited
# Bounds on what waits between the readers and whoever drains the session.
OUTPUT_HELD_CHARS = 1 << 20  # per stream: past this, the oldest lines are dropped and counted
OUTPUT_CHUNK_CHARS = 1 << 16  # one output event carries at most this much text
EVENTS_IN_FLIGHT = 200_000  # past this, the event reader waits for a drain
OUTPUT_IN_FLIGHT = 4 << 20  # characters of the runner's output events, likewise
DROPS_EVERY_S = 1.0  # how often what was dropped is reported (one log line each time)

_live: weakref.WeakSet[RunSession] = weakref.WeakSet()


@atexit.register
def end_all_runs() -> None:
    """End every run still going (at exit, or when the terminal is gone), all at once; each
    session's own threads then remove what its run left."""
    sessions = list(_live)
    for session in sessions:
        session.cancel_requested = True
        session._killpg(signal.SIGKILL)
    for session in sessions:
        session.kill()
        if not session.done.is_set() and session._dir:  # its wait thread is still busy
            leftovers.remove_listed(os.path.join(session._dir, leftovers.LEDGER_NAME))
            shutil.rmtree(session._dir, ignore_errors=True)


class RunSession:
    def __init__(
        self, scenario: Scenario, params: dict[str, Any], python: str | None = None
    ) -> None:
        self.scenario = scenario
        self.params = params
        self.python = python or sys.executable
        self.queue: queue.Queue[list[Event]] = queue.Queue()
        self.pid = 0
        self.done = threading.Event()
        self.exit_code: int | None = None
        self.cancel_requested = False
        self._saw_run_end = False
        self.received = collections.Counter[str]()
        """Datagrams read, by outcome ("taken", "refused", "failed"): what a run whose
        events went missing did get (a test's failure message shows it)."""
        self._reader_error: str | None = None  # why the event reader stopped early, if it did
        self._runner_gone = threading.Event()
        self._secret = secrets.token_hex(16)
        # The private folder and the sockets exist from start() until the run is over (a
        # session that is made and never started leaves nothing).
        self._dir = ""
        self._socket_path = ""
        self._sock: socket.socket | None = None
        self._pair: tuple[socket.socket, socket.socket] | None = None
        # A pipe ``_wait`` writes to once the runner has exited, so the event reader, which
        # waits long while the run is quiet, knows at once that the runner is gone.
        self._wake: tuple[int, int] | None = None
        self._control: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._held_output = 0  # characters of output put in the queue and not drained yet
        self._held_events = 0  # events put in the queue and not drained yet
        self._drops: collections.Counter[DropKind] = collections.Counter()
        self._seen: dict[int, int] = {}  # every pid of the run's tree seen: its start time
        self._kernel: KernelSampler | None = None

    # -- starting ---------------------------------------------------------------------------
    def command(self, control_fd: int, events_fd: int | None = None) -> list[str]:
        cmd = [self.python, "-m", "tui.runner", "--name", self.scenario.name]
        if self.scenario.module:
            cmd += ["--module", self.scenario.module]
        else:
            entry = "main" if self.scenario.has_main else "script"
            cmd += ["--path", str(self.scenario.path.resolve()), "--entry", entry]
        cmd += ["--params", json.dumps(self.params), "--socket", self._socket_path]
        cmd += ["--control-fd", str(control_fd)]
        return cmd if events_fd is None else [*cmd, "--events-fd", str(events_fd)]

    def _open_channel(self) -> tuple[socket.socket, socket.socket]:
        """The run's private folder, its socket by path (for fresh interpreters) and the
        socket pair whose one end the runner inherits."""
        self._dir = tempfile.mkdtemp(prefix="concur-tui-")
        self._socket_path = os.path.join(self._dir, "events")
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(self._socket_path)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)  # who sent it
        self._pair = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._wake = os.pipe()
        for sock in (self._sock, self._pair[0]):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
            sock.setblocking(False)
        return self._sock, self._pair[0]

    def start(self) -> RunSession:
        try:
            return self._start()
        except BaseException:  # the runner could not be started: leave nothing behind
            self._close_files()
            raise

    def _start(self) -> RunSession:
        self._open_channel()
        assert self._pair is not None
        read_end, write_end = os.pipe()
        events_fd = self._pair[1].fileno()
        tmp = os.path.join(self._dir, "tmp")  # the program's temporary files (and pymp-*)
        os.mkdir(tmp, 0o700)
        env = dict(os.environ, PYTHONUNBUFFERED="1", TMPDIR=tmp)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (PROJECT_ROOT, env.get("PYTHONPATH")) if p)
        env[emit.SECRET_ENV] = self._secret
        env.pop(emit.SOCKET_ENV, None)
        env.pop(leftovers.LEDGER_ENV, None)
        try:
            self._proc = subprocess.Popen(
                self.command(read_end, events_fd),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(read_end, events_fd),
                start_new_session=True,
                env=env,
            )
        finally:
            os.close(read_end)
            self._pair[1].close()
        self._control = write_end
        self.pid = self._proc.pid
        self._kernel = KernelSampler(self.pid)
        _live.add(self)
        assert self._proc.stdout is not None and self._proc.stderr is not None
        self._spawn(self._read_socket)
        self._spawn(self._read_stream, self._proc.stdout, "stdout")
        self._spawn(self._read_stream, self._proc.stderr, "stderr")
        self._spawn(self._sample)
        self._spawn(self._wait)
        return self

    def _spawn(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(
            target=target, args=args, daemon=True, name=f"session-{target.__name__}"
        )
        thread.start()
        self._threads.append(thread)

    # -- collecting -------------------------------------------------------------------------
    def _put(self, batch: list[Event], output_chars: int = 0) -> None:
        with self._lock:
            self._held_output += output_chars
            self._held_events += len(batch)
        self.queue.put(batch)

    def _took(self, batch: list[Event]) -> None:
        """A drained batch no longer counts against the bounds."""
        chars = sum(len(e["text"]) for e in batch if e.get("e") == "output")
        with self._lock:
            self._held_output -= chars
            self._held_events -= len(batch)

    def _drop(self, kind: DropKind, count: int = 1) -> None:
        with self._lock:
            self._drops[kind] += count

    def _put_drops(self) -> None:
        """Say what was dropped since the last call, as ``dropped`` events."""
        with self._lock:
            drops, self._drops = self._drops, collections.Counter()
        now = time.perf_counter_ns()
        batch = [
            {"e": "dropped", "t": now, "pid": os.getpid(), "what": kind, "count": count}
            for kind, count in drops.items()
            if count
        ]
        if batch:
            self._put(batch)

    def _read_socket(self) -> None:
        """Read both event sockets until the runner is gone; nothing a datagram holds can end
        this thread."""
        assert self._pair is not None and self._sock is not None and self._wake is not None
        # poll, not select: select refuses a descriptor numbered 1024 or more, and a process
        # that has opened many files would lose every event of its next run.
        by_fd = {sock.fileno(): sock for sock in (self._pair[0], self._sock)}
        wake = self._wake[0]  # (kept: the files are closed, and _wake unset, after the run)
        poller = select.poll()
        for fd in [*by_fd, wake]:
            poller.register(fd, select.POLLIN)
        while True:
            behind = self._held_events > EVENTS_IN_FLIGHT or self._held_output > OUTPUT_IN_FLIGHT
            # Once the run is being cancelled, the runner must not wait to say it ended:
            # read on, and drop output past the bound instead (_receive).
            if behind and not self.cancel_requested and not self._runner_gone.is_set():
                time.sleep(0.01)  # backpressure: the runner's sends wait (a bounded time)
                continue
            # Whether the runner was gone is read before the poll, never after: a poll that
            # found nothing proves the socket empty only of what was sent before it began. Read
            # after, a reader starved for a while (a busy machine) took a poll older than the
            # runner's last sends for the end, and a completed run lost its last events.
            gone = self._runner_gone.is_set()
            try:
                # Awake when a datagram comes, or the runner is gone (``_wake``), or at the
                # latest once a second; once it is gone, until the socket is quiet for 50 ms.
                polled = poller.poll(50 if gone else 1000)
                if any(fd == wake for fd, _ in polled):
                    os.read(wake, 64)  # (read, so the next poll waits again)
                ready = [by_fd[fd] for fd, _ in polled if fd in by_fd]
            except OSError as exc:
                self._reader_error = f"waiting for events: {exc}"
                return
            if not ready:
                if gone:
                    return
                continue
            for sock in ready:
                try:
                    self._receive(sock)
                except BlockingIOError:
                    continue
                except OSError as exc:
                    self._reader_error = f"reading events: {exc}"
                    return
                except Exception:  # a bug here must not end the run's only event reader
                    self.received["failed"] += 1
                    self._drop("invalid_event")

    def _receive(self, sock: socket.socket) -> None:
        data, ancillary, _, _ = sock.recvmsg(RECV_BYTES, socket.CMSG_SPACE(12))
        head, _, body = data.partition(b"\n")
        if not hmac.compare_digest(head, self._secret.encode()) or not self._from_run(ancillary):
            self.received["refused"] += 1
            self._drop("invalid_event", max(1, body.count(b"\n") + 1))
            return
        self.received["taken"] += 1
        self._take_lines(body.split(b"\n"))

    def _take_lines(self, lines: list[bytes]) -> None:
        """The runner's side's events, each checked; what fails is dropped and counted."""
        batch = []
        chars = 0
        for line in lines:
            try:
                event = check(from_wire(loads(line)), deep=False)  # a datagram bounds its size
                if event["e"] in SUPERVISOR_TYPES:
                    raise SchemaError(f"{event['e']} events come from the supervisor")
            except (ValueError, RecursionError):  # not JSON, or not an event (SchemaError)
                self._drop("invalid_event")
                continue
            if event["e"] == "output":  # written by the program through sys.stdout/stderr
                if self.cancel_requested and self._held_output + chars > OUTPUT_IN_FLIGHT:
                    self._drop("output_line", max(1, event["text"].count("\n")))
                    continue
                chars += len(event["text"])
            batch.append(event)
            if event["e"] == "run_end":
                self._saw_run_end = True
            elif event["e"] == "gil_words" and self._kernel is not None:
                with contextlib.suppress(OSError):  # only a process of this run is sampled
                    if os.getsid(event["pid"]) == self.pid:
                        self._kernel.set_words(event["pid"], event["words"])
        if batch:
            self._put(batch, chars)

    def _from_run(self, ancillary: list[tuple[int, int, bytes]]) -> bool:
        """Whether the kernel says a datagram came from a live process of the run's session
        (or one that has already exited: its secret vouches for it)."""
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("iii", data[:12])[0]
                if pid in (self.pid, 0) or pid in self._seen:
                    return True
                try:
                    return os.getsid(pid) == self.pid
                except ProcessLookupError:
                    return True
                except OSError:
                    return False
        return True  # from the inherited socket, which has no credentials attached

    def _read_stream(self, stream: Any, name: str) -> None:
        """Read one output stream to its end, keeping at most ``OUTPUT_HELD_CHARS`` that are
        not drained yet: past that, the oldest whole lines are dropped (and counted)."""
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        try:
            fd = stream.fileno()
        except ValueError:  # the run was over and tidied before this thread got to run
            return
        held: collections.deque[str] = collections.deque()
        held_chars = 0
        ended = False
        while not ended:
            try:
                # Awake only to put what is held (the queue was full): a quiet stream costs
                # a wake-up a second, not ten.
                readable = select.select([fd], [], [], 0.1 if held else 1.0)[0]
                chunk = os.read(fd, 65536) if readable else None
            except (OSError, ValueError):
                chunk = b""
            if chunk is not None:
                ended = not chunk
                text = decoder.decode(chunk, final=ended)
                if text:
                    held.append(text)
                    held_chars += len(text)
                    held_chars -= self._trim(held, held_chars)
            if held and (ended or self._held_output < OUTPUT_HELD_CHARS):
                held_chars = self._put_output(held, name)

    def _trim(self, held: collections.deque[str], chars: int) -> int:
        """Drop the oldest whole lines of ``held`` until it fits; return the characters removed."""
        removed = 0
        while chars - removed > OUTPUT_HELD_CHARS and len(held) > 1:
            text = held.popleft()
            removed += len(text)
            self._drop("output_line", text.count("\n"))
        if chars - removed > OUTPUT_HELD_CHARS:  # one huge piece: keep its last lines
            text = held.popleft()
            cut = text.find("\n", len(text) - OUTPUT_HELD_CHARS)
            cut = len(text) - OUTPUT_HELD_CHARS if cut < 0 else cut + 1
            self._drop("output_line", max(1, text.count("\n", 0, cut)))
            held.appendleft(text[cut:])
            removed += cut
        return removed

    def _put_output(self, held: collections.deque[str], name: str) -> int:
        """Put everything held in the queue, in chunks; return what is still held (0)."""
        text = "".join(held)
        held.clear()
        now = time.perf_counter_ns()
        for i in range(0, len(text), OUTPUT_CHUNK_CHARS):
            piece = text[i : i + OUTPUT_CHUNK_CHARS]
            event = {"e": "output", "t": now, "pid": self.pid, "stream": name, "text": piece}
            self._put([event], len(piece))
        return 0

    def _sample(self) -> None:
        """The process tree and the cores every ``SAMPLE_INTERVAL_S``, and why each thread is
        off-CPU at the kernel sampler's pace (or, once, why that cannot be known). One thread
        for both: a wake-up costs more than the reading it wakes for (~0.25 ms of CPU here
        against 0.03 for a sweep), so the tree is sampled on the kernel's wake-ups."""
        mode, reason = availability(self.pid)
        note: Event = {"e": "attribution", "t": time.perf_counter_ns(), "pid": os.getpid()}
        self._put([{**note, "mode": str(mode), "reason": reason}])
        kernel = self._kernel if reason is None else None
        tree = TreeSampler(self.pid)
        reported = time.monotonic()
        next_tree = reported + SAMPLE_INTERVAL_S
        try:
            while not self._runner_gone.is_set():
                # A plain sleep: Event.wait makes and drops a lock each time, and at 100 wake-ups
                # a second that doubled the sampler's cost (110 against 50 us of CPU a wake-up).
                now = time.monotonic()
                time.sleep(max(0.0, kernel.interval() if kernel else next_tree - now))
                if kernel is not None:
                    event = kernel.sweep()
                    if event is not None:
                        self._put([{**event, "pid": os.getpid()}])
                now = time.monotonic()
                if now < next_tree - TREE_EARLY_S:
                    continue
                next_tree = max(next_tree + SAMPLE_INTERVAL_S, now)
                self._sample_tree(tree)
                if now - reported >= DROPS_EVERY_S:
                    reported = now
                    self._put_drops()
            if kernel is not None:
                self._put([{**kernel.collect(), "pid": os.getpid()}])
        finally:
            tree.close()
            if kernel is not None:
                kernel.close()

    def _sample_tree(self, sampler: TreeSampler) -> None:
        batch = sampler.sample()
        for event in batch:
            event["pid"] = os.getpid()
            if event.get("e") == "procs":
                self._note_pids(row[0] for row in event["rows"])
        self._put(batch)

    def _note_pids(self, pids: Any) -> None:
        """Remember every process of the run's tree, so one that escapes the group (setsid)
        is still ended with the run."""
        for pid in pids:
            if pid not in self._seen and pid != self.pid:
                started = _start_time(pid)
                if started is not None:
                    self._seen[pid] = started

    def _end_escaped(self) -> None:
        for pid, started in list(self._seen.items()):
            if _start_time(pid) == started:  # the same process, not a new one with its pid
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)

    def _wait(self) -> None:
        _, status, usage = os.wait4(self.pid, 0)
        assert self._proc is not None
        self.exit_code = os.waitstatus_to_exitcode(status)
        self._proc.returncode = self.exit_code
        self._killpg(signal.SIGKILL)  # anything the program left behind in its group
        self._end_escaped()
        self._runner_gone.set()
        if self._wake is not None:
            with contextlib.suppress(OSError):
                os.write(self._wake[1], b"!")
        # The event reader for as long as it has datagrams to read (it returns once the
        # socket has been quiet for 50 ms): on a busy machine the run's last events, its
        # run_end among them, took longer than 2 s, and a completed run read as failed.
        reader, *others = [t for t in self._threads if t is not threading.current_thread()]
        reader.join(timeout=EVENTS_DRAIN_S)
        # The output streams' last lines, and the samplers' last samples (the kernel's account
        # of the run comes after its loop): all before supervisor_end. A sampler also closes
        # its /proc files as it stops, so a finished session holds none.
        for thread in others:
            thread.join(timeout=2)
        if not self._saw_run_end:
            self._take_last_events()
        if self._reader_error is not None:
            self._note(f"concur-tui stopped reading the run's events ({self._reader_error})")
        leftovers.remove_listed(os.path.join(self._dir, leftovers.LEDGER_NAME))
        self._put_drops()
        end: Event = {
            "e": "supervisor_end",
            "t": time.perf_counter_ns(),
            "pid": os.getpid(),
            "exit_code": self.exit_code,
            # The kernel's own account: the runner plus every descendant it (transitively) reaped.
            "kernel_cpu_s": usage.ru_utime + usage.ru_stime,
        }
        if not self._saw_run_end:
            end["outcome"] = "cancelled" if self.cancel_requested else "failed"
            end["error"] = _describe_exit(self.exit_code)
        self.queue.put([end])
        self._close_files()
        self.done.set()

    def _take_last_events(self) -> None:
        """The runner's last events, as it left them in the run's folder when the socket did
        not take them (``tui.runner.emit.LAST_EVENTS_NAME``)."""
        try:
            with open(os.path.join(self._dir, emit.LAST_EVENTS_NAME), "rb") as f:
                data = f.read(LAST_EVENTS_BYTES)
        except OSError:
            return
        self._note(
            "the run's last events came through its folder, not its socket (the socket lost"
            " them, or the program closed it)"
        )
        lines = [line for line in data.split(b"\n") if line]
        self._take_lines([line for line in lines if len(line) <= RECV_BYTES])  # as a datagram
        if too_long := sum(len(line) > RECV_BYTES for line in lines):
            self._drop("invalid_event", too_long)

    def _note(self, text: str) -> None:
        """A note from the supervisor about the run itself (shown and logged)."""
        self._put([{"e": "note", "t": time.perf_counter_ns(), "pid": os.getpid(), "text": text}])

    def drain(self, limit: int | None = None) -> list[Event]:
        """The events that arrived since the last call, in arrival order: all of them, or
        batches up to about ``limit`` events (the rest wait for the next call)."""
        events: list[Event] = []
        while limit is None or len(events) < limit:
            try:
                batch = self.queue.get_nowait()
            except queue.Empty:
                return events
            self._took(batch)
            events.extend(batch)
        return events

    def events(self, poll_s: float = 0.05, until: Callable[[], bool] | None = None) -> Any:
        """Yield batches of events until the run is over and everything was read, or until
        ``until()`` says to stop (checked at least every ``poll_s``)."""
        while until is None or not until():
            try:
                batch = self.queue.get(timeout=poll_s)
            except queue.Empty:
                if self.done.is_set() and self.queue.empty():
                    return
                continue
            self._took(batch)
            yield batch

    # -- ending -----------------------------------------------------------------------------
    def send(self, command: str) -> None:
        if self._control is not None and not self.done.is_set():
            with contextlib.suppress(OSError):
                os.write(self._control, (command + "\n").encode())

    def cancel(self, grace_s: float = CANCEL_GRACE_S) -> None:
        """Ask the program to stop; if it does not within ``grace_s``, end its process group."""
        if self.done.is_set():
            return
        self.cancel_requested = True
        self.send("cancel")
        threading.Thread(target=self._escalate, args=(grace_s,), daemon=True).start()

    def _escalate(self, grace_s: float) -> None:
        if self.done.wait(grace_s):
            return
        self._killpg(signal.SIGTERM)
        if not self.done.wait(1.0):
            self._killpg(signal.SIGKILL)

    def cancel_task(self, task_id: str) -> None:
        self.send(f"cancel_task {task_id}")

    def kill(self) -> None:
        """End the run now: the whole process group, no questions."""
        if self.pid and not self.done.is_set():
            self.cancel_requested = True
            self._killpg(signal.SIGKILL)
            self.done.wait(3)

    def _killpg(self, sig: int) -> None:
        if self.pid <= 0:  # never started: killpg(0) would signal our own group
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    def _close_files(self) -> None:
        if self._control is not None:
            with contextlib.suppress(OSError):
                os.close(self._control)
            self._control = None
        for sock in (self._sock, *(self._pair or ())):
            if sock is not None:
                sock.close()
        for fd in self._wake or ():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._wake = None
        if self._proc is not None:
            for stream in (self._proc.stdout, self._proc.stderr):
                if stream is not None:
                    stream.close()
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
        _live.discard(self)


def _start_time(pid: int) -> int | None:
    """A process's start time (clock ticks after boot), which tells it from a later one with
    the same pid; None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return int(f.read().rpartition(b")")[2].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "the runner did not finish"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:  # a signal number Python has no name for
            name = str(-code)
        return f"the runner was killed by {name}"
    return f"the runner exited with code {code} before reporting an end"
