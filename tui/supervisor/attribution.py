"""Why each thread of the run is off-CPU, asked of the kernel about 100 times a second
(20 while the run's threads hardly run, or run without pause, or only take turns with the
GIL: nothing to tell apart).

Hooks know the calls they patch; for everything else the kernel knows better
(DESIGN.md, "Why a thread is off-CPU: ask the kernel"). Each sweep reads, for
every thread of the runner's process tree, ``schedstat`` — CPU time, run-queue
wait, times scheduled — and, only when the thread ran since the last sweep (a
thread that did not run is still in the same call), its ``syscall`` line.
Between two sweeps a thread's CPU time is *running*, its run-queue wait
*waiting for a core*, and the rest goes to the call it is in: a futex wait on
its process's GIL words (``gil_words``, calibrated by each process) is *GIL*,
any other futex *blocked*, reads/polls/child waits *I/O*, clock sleeps
*sleeping*. Files stay open and are read with ``pread`` (DESIGN.md: 2-4 us a
read), so 20 threads cost about 1 % of a core.
"""

from __future__ import annotations

import contextlib
import os
import platform
import threading
import time

from tui.events import Attribution, Event, TaskState
from tui.procfs import descendants
from tui.runner import schedstat
from tui.runner.threads import OWN_THREAD_PREFIX

SWEEP_S = 0.01
# Sweep every QUIET_SWEEP_S once, for QUIET_AFTER sweeps in a row, the run's threads have
# together run less than QUIET_SHARE of one core (they sleep or wait, waking now and then:
# an event loop's timer, the runner's own lag beat), or none that ran was then seen in a
# call other than a wait for the GIL (CPU-bound threads, alone or taking turns with the GIL:
# schedstat counts their running and core waits exactly, and the rest of their time is the
# GIL's at any pace). Only threads that go in and out of other calls need the finer sweeps
# (a queue, a lock, I/O between computing): one that starts to is swept finely again at most
# QUIET_SWEEP_S later.
QUIET_AFTER = 5
QUIET_SWEEP_S = 0.05
QUIET_SHARE = 0.05
EVENT_NS = 100_000_000  # one ``offcpu`` event every 100 ms
PIDS_EVERY = 50  # sweeps between walks of the process tree (each new process also says hello)
THREADS_EVERY = 5  # sweeps between looks for new threads (ended ones drop out when read)
# A thread that has not run for IDLE_AFTER sweeps is read every IDLE_EVERY sweeps: it is still
# in the same call, and schedstat's totals lose nothing between reads (only timing detail).
IDLE_AFTER = 10
IDLE_EVERY = 5
GIL_MARGIN = 256  # bytes around a calibrated word still counted as the GIL's (DESIGN.md)
FORCE_ENV = "CONCUR_TUI_ATTRIBUTION"  # "hooks-only" turns the kernel's view off
FUTEX = 202
CARRY_MAX_NS = 50_000_000

CHILD = "waiting for a child process"
# x86-64 syscall numbers: what a thread blocked in each is doing.
SYSCALLS: dict[int, tuple[TaskState, str]] = {
    0: (TaskState.IO, "read"),
    1: (TaskState.IO, "write"),
    7: (TaskState.IO, "poll"),
    17: (TaskState.IO, "pread64"),
    19: (TaskState.IO, "readv"),
    23: (TaskState.IO, "select"),
    35: (TaskState.SLEEPING, "nanosleep"),
    42: (TaskState.IO, "connect"),
    43: (TaskState.IO, "accept"),
    44: (TaskState.IO, "sendto"),
    45: (TaskState.IO, "recvfrom"),
    46: (TaskState.IO, "sendmsg"),
    47: (TaskState.IO, "recvmsg"),
    61: (TaskState.IO, f"{CHILD} (wait4)"),
    230: (TaskState.SLEEPING, "clock_nanosleep"),
    232: (TaskState.IO, "epoll_wait"),
    247: (TaskState.IO, f"{CHILD} (waitid)"),
    270: (TaskState.IO, "pselect6"),
    271: (TaskState.IO, "ppoll"),
    281: (TaskState.IO, "epoll_pwait"),
    288: (TaskState.IO, "accept4"),
    441: (TaskState.IO, "epoll_pwait2"),
}
OTHER_FUTEX = "a lock, queue, condition or join (futex)"
_GIL = TaskState.GIL  # (a member read from its class costs ~70 ns on 3.11)


def classify(line: bytes, words: list[int]) -> tuple[TaskState, str] | None:
    """A thread's ``syscall`` line as a state; None while it is runnable (``running``)."""
    fields = line.split()
    if not fields or fields[0] == b"running":
        return None
    try:
        number = int(fields[0])
    except ValueError:
        return None
    if number == FUTEX and len(fields) > 1:
        address = int(fields[1], 16)
        if any(abs(address - word) <= GIL_MARGIN for word in words):
            return (TaskState.GIL, "the GIL")
        return (TaskState.BLOCKED, OTHER_FUTEX)
    if number < 0:
        return (TaskState.WAITING, "off-CPU outside a system call")
    return SYSCALLS.get(number, (TaskState.BLOCKED, f"system call {number}"))


class _Thread:
    __slots__ = (
        "acc",
        "carry",
        "count",
        "delay",
        "exec",
        "idle",
        "last",
        "pid",
        "sched",
        "seen",
        "sys",
        "tid",
        "whats",
    )

    def __init__(self, pid: int, tid: int, sched: int, sys_fd: int) -> None:
        self.pid, self.tid, self.sched, self.sys = pid, tid, sched, sys_fd
        self.exec = self.delay = self.count = -1
        self.seen = 0
        self.carry = 0  # off-CPU ns not yet placed (see ``sweep``)
        self.idle = 0  # sweeps in a row it did not run
        self.last: tuple[TaskState, str] | None = None  # the call it was last seen in
        self.acc: dict[str, int] = {}  # state -> ns since the last event
        self.whats: dict[str, str] = {}  # state -> the call it was last seen in

    def add(self, state: TaskState, ns: int, what: str = "") -> None:
        self.acc[state] = self.acc.get(state, 0) + ns
        if what:
            self.whats[state] = what

    def close(self) -> None:
        for fd in (self.sched, self.sys):
            with contextlib.suppress(OSError):
                os.close(fd)


def _os_name(pid: int, tid: int) -> str:
    try:
        with open(f"/proc/{pid}/task/{tid}/comm", "rb") as f:
            return f.read().decode(errors="replace").rstrip("\n")
    except OSError:
        return ""


def availability(pid: int) -> tuple[Attribution, str | None]:
    """Whether this process may read the run's ``syscall`` files, and why not."""
    if os.environ.get(FORCE_ENV) == Attribution.HOOKS_ONLY:
        return Attribution.HOOKS_ONLY, f"{FORCE_ENV}=hooks-only"
    if platform.machine() != "x86_64":
        return Attribution.HOOKS_ONLY, f"system call numbers of {platform.machine()} not known"
    try:
        with open(f"/proc/{pid}/task/{pid}/syscall", "rb") as f:
            f.read()
        with open(f"/proc/{pid}/task/{pid}/schedstat", "rb") as f:
            f.read()
    except OSError as exc:
        return Attribution.HOOKS_ONLY, f"/proc/{pid}/task/*/syscall unreadable: {exc.strerror}"
    return Attribution.KERNEL, None


class KernelSampler:
    """Sweeps the runner's process tree; ``sweep()`` returns an ``offcpu`` event every 100 ms."""

    def __init__(self, root_pid: int) -> None:
        self.root_pid = root_pid
        self.words: dict[int, list[int]] = {}
        self._threads: dict[int, _Thread] = {}
        self._pids: list[int] = [root_pid]
        self._new_pids: list[int] = []
        self._sweeps = 0
        self._flushed_sweeps = 0  # sweeps counted in the events already out
        self._late = 0  # sweeps since the last event that came more than their interval late
        self._planned_ns = 0  # when the next sweep is due (0: not yet known)
        self._quiet = 0  # sweeps in a row with nothing to tell apart finely (QUIET_SWEEP_S)
        self._swept_ns = time.perf_counter_ns()  # when the last sweep was (or the start)
        self._own: set[int] = set()  # the runner's own threads (OWN_THREAD_PREFIX): not sampled
        self._flushed = time.perf_counter_ns()
        self._lock = threading.Lock()
        self.cpu_ns = 0  # the sweeping thread's CPU time so far, for its cost

    def set_words(self, pid: int, words: list[int]) -> None:
        """A process's calibrated GIL futex words (from its ``gil_words`` event)."""
        with self._lock:
            self.words[pid] = [int(w) for w in words if isinstance(w, int)]
            self._new_pids.append(pid)  # a new process: sample it from the next sweep on

    def _discover(self) -> None:
        if self._new_pids:
            with self._lock:
                new, self._new_pids = self._new_pids, []
            self._pids += [pid for pid in new if pid not in self._pids]
        elif self._sweeps % PIDS_EVERY == 0:
            self._pids = descendants(self.root_pid)
        elif self._sweeps % THREADS_EVERY and self._quiet < QUIET_AFTER:
            return
        alive: set[int] = set()
        for pid in self._pids:
            try:
                tids = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for name in tids:
                tid = int(name)
                alive.add(tid)
                if tid in self._threads or tid in self._own:
                    continue
                if _os_name(pid, tid).startswith(OWN_THREAD_PREFIX):
                    self._own.add(tid)
                    continue
                try:
                    sched = os.open(f"/proc/{pid}/task/{tid}/schedstat", os.O_RDONLY)
                except OSError:
                    continue
                try:
                    sys_fd = os.open(f"/proc/{pid}/task/{tid}/syscall", os.O_RDONLY)
                except OSError:
                    sys_fd = -1
                self._threads[tid] = _Thread(pid, tid, sched, sys_fd)
        for tid in [t for t in self._threads if t not in alive]:
            self._threads.pop(tid).close()
        self._own &= alive

    def sweep(self) -> Event | None:
        self._discover()
        now = time.perf_counter_ns()
        # Starved of a core, the sweeps come seldom and a few-ms wait can fall between two:
        # its time goes to the call seen around it. The events say how often that happened.
        if self._planned_ns and now - self._planned_ns > self.interval() * 1e9:
            self._late += 1
        with self._lock:
            words = dict(self.words)
        read_schedstat = schedstat.read
        turn = self._sweeps % IDLE_EVERY
        busy_ns = 0  # the run's threads' CPU time since the last sweep
        found = False  # a thread seen for the first time: not quiet yet
        switching = False  # a thread that ran since the last sweep is now in a call
        for tid, th in list(self._threads.items()):
            if th.idle >= IDLE_AFTER and tid % IDLE_EVERY != turn:
                continue  # long blocked: still in the same call; its deltas wait for its turn
            try:
                exec_ns, delay_ns, count = read_schedstat(th.sched)
            except (OSError, ValueError, IndexError):
                self._threads.pop(tid).close()
                continue
            if th.exec < 0:
                th.exec, th.delay, th.count, th.seen = exec_ns, delay_ns, count, now
                th.last = self._read_call(th, words.get(th.pid, []))
                found = True
                continue
            ran, queued = exec_ns - th.exec, delay_ns - th.delay
            # A running thread's CPU time is brought up to date at scheduler ticks, so one
            # sweep's remainder can be a tick's worth too big and the next's as much too small:
            # the remainder is carried, signed, and placed when the thread is seen off-CPU.
            th.carry += (now - th.seen) - ran - queued
            call = th.last
            if count != th.count or ran > 0:
                call = self._read_call(th, words.get(th.pid, []))
                if call is not None:
                    th.last = call
                    switching = switching or (ran > 0 and call[0] is not _GIL)
            acc = th.acc
            if ran > 0:
                acc[TaskState.RUNNING] = acc.get(TaskState.RUNNING, 0) + ran
            if queued > 0:
                acc[TaskState.CORE] = acc.get(TaskState.CORE, 0) + queued
            if call is not None or th.carry > CARRY_MAX_NS:
                state, what = th.last or (TaskState.WAITING, "")
                if th.carry > 0:
                    th.add(state, th.carry, what)
                th.carry = 0
            th.idle = th.idle + 1 if count == th.count and ran == 0 else 0
            busy_ns += max(0, ran)
            th.exec, th.delay, th.count, th.seen = exec_ns, delay_ns, count, now
        self._sweeps += 1
        idle = busy_ns <= QUIET_SHARE * (now - self._swept_ns)
        quiet = not found and (idle or not switching)
        self._quiet = self._quiet + 1 if quiet else 0
        self._swept_ns = now
        self._planned_ns = time.perf_counter_ns() + int(self.interval() * 1e9)
        return self.collect(now) if now - self._flushed >= EVENT_NS else None

    def interval(self) -> float:
        """Seconds until the next sweep."""
        return QUIET_SWEEP_S if self._quiet >= QUIET_AFTER else SWEEP_S

    def collect(self, now: int | None = None) -> Event:
        """The ``offcpu`` event for everything swept since the last one."""
        now = now or time.perf_counter_ns()
        rows = []
        for th in self._threads.values():
            if th.acc:
                whats = {state: th.whats[state] for state in th.acc if state in th.whats}
                if TaskState.CORE in th.acc:
                    whats[TaskState.CORE] = "waiting for a free core"
                rows.append([th.pid, th.tid, th.acc, whats])
                th.acc = {}
        event: Event = {"e": "offcpu", "t": now, "t0": self._flushed, "rows": rows}
        event["sweeps"], event["late"] = self._sweeps - self._flushed_sweeps, self._late
        self._flushed_sweeps, self._late = self._sweeps, 0
        # Read once per event, not per sweep: the sweeping thread's own clock is its cost.
        event["sampler_cpu_ns"] = self.cpu_ns = time.thread_time_ns()
        self._flushed = now
        return event

    def _read_call(self, th: _Thread, words: list[int]) -> tuple[TaskState, str] | None:
        if th.sys < 0:
            return (TaskState.WAITING, "")
        try:
            return classify(os.pread(th.sys, 256, 0), words)
        except OSError:
            return (TaskState.WAITING, "")

    def close(self) -> None:
        for th in self._threads.values():
            th.close()
        self._threads.clear()
