"""One run: start the runner in its own session, collect its events, end it cleanly.

Everything the run produces — the runner's and workers' events from the
private socket, the program's stdout/stderr, CPU samples — arrives in one
queue as lists of events; ``drain()`` hands them to whoever feeds the model.
The runner's process group dies with the run: on completion, on cancel
(politely first, then SIGTERM, then SIGKILL) and when this process exits.
"""

from __future__ import annotations

import atexit
import codecs
import contextlib
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from tui.catalog import Scenario
from tui.events import Event
from tui.supervisor.attribution import SWEEP_S, KernelSampler, availability
from tui.supervisor.sampler import TreeSampler

PROJECT_ROOT = str(Path(__file__).resolve().parents[2])
SAMPLE_INTERVAL_S = 0.1
CANCEL_GRACE_S = 2.0
RECV_BYTES = 1 << 17

_live: weakref.WeakSet[RunSession] = weakref.WeakSet()


@atexit.register
def _kill_live_sessions() -> None:
    for session in list(_live):
        session.kill()


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
        self._runner_gone = threading.Event()
        self._dir = tempfile.mkdtemp(prefix="concur-tui-")
        self._socket_path = os.path.join(self._dir, "events")
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(self._socket_path)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self._sock.settimeout(0.05)
        self._control: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._threads: list[threading.Thread] = []
        self._kernel: KernelSampler | None = None

    # -- starting ---------------------------------------------------------------------------
    def command(self, control_fd: int) -> list[str]:
        cmd = [self.python, "-m", "tui.runner", "--name", self.scenario.name]
        if self.scenario.module:
            cmd += ["--module", self.scenario.module]
        else:
            entry = "main" if self.scenario.has_main else "script"
            cmd += ["--path", str(self.scenario.path.resolve()), "--entry", entry]
        cmd += ["--params", json.dumps(self.params), "--socket", self._socket_path]
        return [*cmd, "--control-fd", str(control_fd)]

    def start(self) -> RunSession:
        read_end, write_end = os.pipe()
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (PROJECT_ROOT, env.get("PYTHONPATH")) if p)
        env.pop("CONCUR_TUI_SOCKET", None)
        try:
            self._proc = subprocess.Popen(
                self.command(read_end),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(read_end,),
                start_new_session=True,
                env=env,
            )
        finally:
            os.close(read_end)
        self._control = write_end
        self.pid = self._proc.pid
        self._kernel = KernelSampler(self.pid)
        _live.add(self)
        assert self._proc.stdout is not None and self._proc.stderr is not None
        self._spawn(self._read_socket)
        self._spawn(self._read_stream, self._proc.stdout, "stdout")
        self._spawn(self._read_stream, self._proc.stderr, "stderr")
        self._spawn(self._sample)
        self._spawn(self._sample_kernel)
        self._spawn(self._wait)
        return self

    def _spawn(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(
            target=target, args=args, daemon=True, name=f"session-{target.__name__}"
        )
        thread.start()
        self._threads.append(thread)

    # -- collecting -------------------------------------------------------------------------
    def _read_socket(self) -> None:
        while True:
            try:
                data = self._sock.recv(RECV_BYTES)
            except TimeoutError:
                if self._runner_gone.is_set():
                    return
                continue
            except OSError:
                return
            batch = []
            for line in data.decode("utf-8", errors="replace").splitlines():
                with contextlib.suppress(ValueError):
                    batch.append(json.loads(line))
            for event in batch:
                if event.get("e") == "run_end":
                    self._saw_run_end = True
                elif event.get("e") == "gil_words" and self._kernel is not None:
                    self._kernel.set_words(event.get("pid", 0), event.get("words") or [])
            if batch:
                self.queue.put(batch)

    def _read_stream(self, stream: Any, name: str) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        fd = stream.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            text = decoder.decode(chunk, final=not chunk)
            if text:
                event = {"e": "output", "t": time.perf_counter_ns(), "pid": self.pid}
                self.queue.put([{**event, "stream": name, "text": text}])
            if not chunk:
                return

    def _sample(self) -> None:
        sampler = TreeSampler(self.pid)
        while not self._runner_gone.wait(SAMPLE_INTERVAL_S):
            batch = sampler.sample()
            for event in batch:
                event["pid"] = os.getpid()
            self.queue.put(batch)

    def _sample_kernel(self) -> None:
        """Why each thread is off-CPU, ~100 times a second (or say once why it cannot be known)."""
        mode, reason = availability(self.pid)
        note: Event = {"e": "attribution", "t": time.perf_counter_ns(), "pid": os.getpid()}
        self.queue.put([{**note, "mode": str(mode), "reason": reason}])
        sampler = self._kernel
        if reason is not None or sampler is None:
            return
        try:
            while not self._runner_gone.wait(SWEEP_S):
                event = sampler.sweep()
                if event is not None:
                    self.queue.put([{**event, "pid": os.getpid()}])
            self.queue.put([{**sampler.collect(), "pid": os.getpid()}])
        finally:
            sampler.close()

    def _wait(self) -> None:
        _, status, usage = os.wait4(self.pid, 0)
        assert self._proc is not None
        self.exit_code = os.waitstatus_to_exitcode(status)
        self._proc.returncode = self.exit_code
        self._killpg(signal.SIGKILL)  # anything the program left behind in its group
        self._runner_gone.set()
        for thread in self._threads[:3]:
            thread.join(timeout=2)
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

    def drain(self) -> list[Event]:
        """Every event that arrived since the last call, in arrival order."""
        events: list[Event] = []
        while True:
            try:
                events.extend(self.queue.get_nowait())
            except queue.Empty:
                return events

    def events(self, poll_s: float = 0.05) -> Any:
        """Yield batches of events until the run is over and everything was read."""
        while True:
            try:
                yield self.queue.get(timeout=poll_s)
            except queue.Empty:
                if self.done.is_set() and self.queue.empty():
                    return

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
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    def _close_files(self) -> None:
        if self._control is not None:
            with contextlib.suppress(OSError):
                os.close(self._control)
            self._control = None
        self._sock.close()
        if self._proc is not None:
            for stream in (self._proc.stdout, self._proc.stderr):
                if stream is not None:
                    stream.close()
        shutil.rmtree(self._dir, ignore_errors=True)
        _live.discard(self)


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "the runner did not finish"
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else -code
        return f"the runner was killed by {name}"
    return f"the runner exited with code {code} before reporting an end"
