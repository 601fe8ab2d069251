"""The runner's one observer thread: GIL probe, per-thread time split, loop watchdog, sending.

GIL busy fraction (DESIGN.md, "GIL busy fraction, in pure Python"): the probe
sleeps a short random (exponential) interval and measures how late it gets the
GIL back, less the time it spent runnable without a CPU (its run-queue wait
from /proc, so a machine whose cores are all busy does not read as a busy GIL).
A cycle whose lateness exceeds ``WAITED_NS``, while the process's other threads
ran for at least ``HELD_CPU_SHARE`` of it, found the GIL held and counts as
busy for its whole observed length (sleep plus lag, less that run-queue wait);
the busy fraction of a window is busy time over observed time. Its lags are the
GIL acquire latency.
"""

from __future__ import annotations

import linecache
import os
import random
import sys
import threading
import time
from typing import Any

from tui.runner import asyncio_tasks, emit, schedstat, threads

now_ns = time.perf_counter_ns
PROBE_MEAN_S = 0.002
WAITED_NS = 250_000
HELD_CPU_SHARE = 0.25
WINDOW_NS = 50_000_000
# Windows are sent every FLUSH_EVERY of them: the dashboard draws twice a second, and each
# send wakes its event reader (on this machine a wake-up costs ~0.25 ms of CPU).
FLUSH_EVERY = 2
STALL_NS = 100_000_000


class Observer(threading.Thread):
    def __init__(self, em: emit.Emitter) -> None:
        super().__init__(name="concur-observer", daemon=True)
        self._concur_internal = True
        self.em = em
        self.stopping = threading.Event()
        self._rng = random.Random()
        self._last: dict[str, tuple[int, int]] = {}
        self._stalls: dict[int, int] = {}
        self._windows = 0

    def run(self) -> None:
        if os.environ.get("CONCUR_TUI_PROBE", "1") == "0":
            return self.run_without_probe()
        sleep = threads.real_sleep
        own = schedstat.own_reader()
        process_cpu = time.process_time_ns
        window_start = now_ns()
        busy = total = 0
        lags: list[int] = []
        while not self.stopping.is_set():
            interval = self._rng.expovariate(1 / PROBE_MEAN_S)
            cpu_before, queued_before = own()
            process_before = process_cpu()
            before = now_ns()
            sleep(interval)
            after = now_ns()
            cpu_after, queued_after = own()
            others_cpu = process_cpu() - process_before - (cpu_after - cpu_before)
            # Late because every core was busy is not late because of the GIL; and the time
            # the probe spent waiting for a core it did not observe the GIL at all (counted,
            # a busy machine read a GIL held a third of the time as held almost half).
            observed = max(0, after - before - (queued_after - queued_before))
            lag = max(0, observed - int(interval * 1e9))
            total += observed
            lags.append(lag // 1000)
            # A held GIL is held by a thread of this process that runs: late while no other
            # thread ran is a slow wake-up (an idle core, a paused virtual machine), not the
            # GIL (seen: sleeping threads read 0.14 busy on a noisy CI machine).
            if lag > WAITED_NS and others_cpu >= HELD_CPU_SHARE * lag:
                busy += observed
            if after - window_start >= WINDOW_NS:
                self.close_window(window_start, after, busy, total, lags)
                window_start, busy, total, lags = after, 0, 0, []
        self.close_window(window_start, now_ns(), busy, total, lags)

    def run_without_probe(self) -> None:
        """Windows and sending only (bench/overhead.py --no-probe isolates the probe's cost)."""
        window_start = now_ns()
        while not self.stopping.wait(WINDOW_NS / 1e9):
            end = now_ns()
            self.close_window(window_start, end, 0, 0, [])
            window_start = end
        self.close_window(window_start, now_ns(), 0, 0, [])

    def close_window(self, start: int, end: int, busy: int, total: int, lags: list[int]) -> None:
        em = self.em
        if total:
            em.emit("gil", t0=start, t=end, busy=round(busy / total, 4), lags_us=lags)
        self.split_threads(start, end)
        for monitor in list(asyncio_tasks.monitors):
            if monitor.lags_us:
                lags_us, monitor.lags_us = monitor.lags_us, []
                em.emit("loop", t0=start, t=end, lags_us=lags_us)
            self.watch_stall(monitor, end)
            if not monitor.running:
                asyncio_tasks.monitors.remove(monitor)
        self._windows += 1
        if self._windows % FLUSH_EVERY == 0 or self.stopping.is_set():
            em.flush()

    def split_threads(self, start: int, end: int) -> None:
        """Each live thread's time in the window: CPU, and off-CPU time no hooked wait explains;
        and the waits still in progress, so a live view can draw them before they end."""
        split: dict[str, list[int]] = {}
        open_waits: dict[str, list[Any]] = {}
        for rec in list(threads.records.values()):
            if rec.wait_state is not None:
                open_waits[rec.id] = [rec.wait_state, rec.wait_start, rec.wait_what]
            try:
                cpu = time.clock_gettime_ns(rec.clock)
            except OSError:
                continue
            waited = rec.waited_ns(end)
            last_cpu, last_waited = self._last.get(rec.id, (rec.start_cpu, 0))
            self._last[rec.id] = (cpu, waited)
            span = end - max(start, rec.start_ns)
            ran = cpu - last_cpu
            gil = max(0, span - ran - (waited - last_waited))
            if ran or gil:
                split[rec.id] = [ran, gil]
        if split or open_waits:
            self.em.emit("window", t0=start, t=end, threads=split, waiting=open_waits)

    def watch_stall(self, monitor: asyncio_tasks.LagMonitor, now: int) -> None:
        """A handle the loop has been running for more than ``STALL_NS`` stalls it: say where
        its thread is stuck; once the handle returns, say how long it took (timed where the
        loop ran it, so the stall is the step's own length)."""
        key = id(monitor)
        ident = monitor.thread_ident
        frame = sys._current_frames().get(ident) if monitor.running else None
        running = asyncio_tasks.handle_began(frame)
        began = self._stalls.get(key)
        if began is not None and running != began:
            del self._stalls[key]
            end = now
            for start, stop in asyncio_tasks.slow_handles.get(ident, ()):
                if start == began:
                    end = stop
            self.em.emit("stall_end", t0=began, t=end)
        if running is not None and key not in self._stalls and now - running > STALL_NS:
            where = culprit(frame)
            if where is not None:
                self._stalls[key] = running
                self.em.emit("stall", t0=running, **where)


def culprit(frame: Any) -> dict[str, Any] | None:
    """The innermost frame of the program's own code (not asyncio's, not ours)."""
    while frame is not None:
        filename = frame.f_code.co_filename
        library = (
            "/tui/runner/" in filename
            or "/asyncio/" in filename
            or filename.endswith(("selectors.py", "threading.py"))
            or filename.startswith("<")
        )
        if not library:
            line = frame.f_lineno
            return {
                "file": filename,
                "line": line,
                "function": frame.f_code.co_name,
                "code": linecache.getline(filename, line).strip(),
            }
        frame = frame.f_back
    return None
