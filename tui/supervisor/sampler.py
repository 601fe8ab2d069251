"""Out-of-process samples: per-core CPU and the runner's process tree (/proc).

/proc's ``task/<tid>/stat`` gives each thread's state, CPU time and last core
(DESIGN.md: 14-37 us a thread a sweep); psutil's thread ids equal
``threading.Thread.native_id``, so samples join the runner's own events.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Sequence
from typing import Any

from tui.procfs import CLK_TCK, PAGE_SIZE, StatFiles, cpu_seconds, descendants


def thread_rows(pid: int, files: StatFiles | None = None) -> list[list[Any]]:
    """[pid, tid, state, cpu_s, core] for each thread of ``pid``."""
    rows: list[list[Any]] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return rows
    with StatFiles.given_or_own(files) as reader:
        for tid in tids:
            stat = reader.read(f"/proc/{pid}/task/{tid}/stat")
            if stat is None:
                continue
            fields = stat[1]
            # after the ")" field 3 (state) is index 0; processor 39 -> 36
            with contextlib.suppress(IndexError, ValueError):
                cpu_s = cpu_seconds(fields)
                rows.append([pid, int(tid), fields[0].decode(), cpu_s, int(fields[36])])
    return rows


class CoreTimes:
    """Each core's busy percent between two readings of ``/proc/stat``, worked out as psutil's
    ``cpu_percent(percpu=True)`` does (busy: all but idle and iowait; guest time is already
    in user and nice), from a file kept open: psutil opened and parsed it anew each time."""

    def __init__(self, files: StatFiles) -> None:
        self._files = files
        self._last = self._read()

    def _read(self) -> list[tuple[int, int]]:
        """(total, busy) clock ticks of each core so far."""
        cores = []
        for line in (self._files.raw("/proc/stat") or b"").splitlines():
            if line.startswith(b"cpu") and line[3:4].isdigit():
                ticks = [int(x) for x in line.split()[1:9]]  # user .. steal
                total = sum(ticks)
                cores.append((total, total - ticks[3] - ticks[4]))
        return cores

    def percent(self) -> list[float]:
        now = self._read()
        shares = []
        # (a core taken offline between two readings: the cores both list)
        for (total0, busy0), (total, busy) in zip(self._last, now, strict=False):
            spent = total - total0
            share = 100.0 * (busy - busy0) / spent if spent > 0 else 0.0
            shares.append(round(min(100.0, max(0.0, share)), 1))
        self._last = now
        return shares


class CoreShares:
    """Whose each core's time was between two sweeps: the CPU time each thread used since the
    last sweep, put on the core it was last seen on. A thread that moved between cores within
    a sweep (100 ms) is counted on its last one, and /proc counts in 10 ms ticks: a share, not
    an exact account, and it is documented as such."""

    def __init__(self, cores: int) -> None:
        self.cores = cores
        self._seen: dict[tuple[int, int], float] = {}

    def percent(
        self, rows: list[list[Any]], seconds: float, ended: Sequence[tuple[int, float]] = ()
    ) -> list[float]:
        """Each core's percent used by the threads in ``rows`` ([pid, tid, state, cpu_s, core])
        and by processes that ended since (``ended``: [core, cpu_s]). A thread not seen before
        started since the last sweep (its whole time is this sweep's, at most all of it): left
        out, a pool's new workers read as other programs' load."""
        used = [0.0] * self.cores
        seen: dict[tuple[int, int], float] = {}
        for pid, tid, _state, cpu_s, core in rows:
            key = (pid, tid)
            seen[key] = cpu_s
            if 0 <= core < self.cores:
                before = self._seen.get(key)
                used[core] += min(cpu_s, seconds) if before is None else max(0.0, cpu_s - before)
        for core, cpu_s in ended:
            if 0 <= core < self.cores:
                used[core] += cpu_s
        self._seen = seen
        return [round(min(100.0, 100.0 * u / seconds), 1) if seconds > 0 else 0.0 for u in used]


class TreeSampler:
    """Samples the runner and every process it started, and the machine's cores."""

    def __init__(self, root_pid: int) -> None:
        self.root_pid = root_pid
        self._last = time.perf_counter_ns()
        self._files = StatFiles()
        self._cores = CoreTimes(self._files)  # the first reading only sets the baseline
        cores = os.cpu_count() or 1
        self._scenario = CoreShares(cores)
        self._tool = CoreShares(cores)
        self._tool.percent(thread_rows(os.getpid(), self._files), 0.0)
        # Each process of the run last sweep: [cpu_s, its reaped children's cpu_s, core].
        self._tree: dict[int, tuple[float, float, int]] = {}

    def sample(self) -> list[dict[str, Any]]:
        """One sweep as events (without ``pid``, which the session adds)."""
        now = time.perf_counter_ns()
        seconds = (now - self._last) / 1e9
        files = self._files
        cpu: dict[str, Any] = {"e": "cpu", "t": now, "t0": self._last}
        cpu["per_core"] = self._cores.percent()
        cpu["tool"] = self._tool.percent(thread_rows(os.getpid(), files), seconds)
        events: list[dict[str, Any]] = [cpu]
        self._last = now
        procs, threads = [], []
        tree: dict[int, tuple[float, float, int]] = {}
        for pid in descendants(self.root_pid, files):
            stat = files.read(f"/proc/{pid}/stat")
            if stat is None:
                continue
            name, fields = stat
            with contextlib.suppress(IndexError, ValueError):
                cpu_s = cpu_seconds(fields)
                # after the ")" field 24 (rss, in pages) is index 21; 16-17 (its reaped
                # children's CPU, cutime and cstime) 13-14; 39 (processor) 36
                procs.append([pid, name, cpu_s, int(fields[21]) * PAGE_SIZE])
                tree[pid] = (cpu_s, (int(fields[13]) + int(fields[14])) / CLK_TCK, int(fields[36]))
            threads.extend(thread_rows(pid, files))
        files.sweep_done()
        cpu["scenario"] = self._scenario.percent(threads, seconds, self._ended(tree))
        events.append({"e": "procs", "t": now, "rows": procs})
        events.append({"e": "threads", "t": now, "rows": threads})
        return events

    def _ended(self, tree: dict[int, tuple[float, float, int]]) -> list[tuple[int, float]]:
        """[core, cpu_s] of what the run's processes that ended since the last sweep used after
        it, which no thread row shows: the growth of their parents' reaped children's time,
        less what was seen of them, on the cores they were last seen on (or, for processes
        that came and went between sweeps, their parents')."""
        last, self._tree = self._tree, tree
        grown = {pid: now[1] - last[pid][1] for pid, now in tree.items() if pid in last}
        reaped = sum(g for g in grown.values() if g > 0)
        gone = [pid for pid in last if pid not in tree]
        unseen = reaped - sum(last[pid][0] + last[pid][1] for pid in gone)
        if unseen <= 0:
            return []
        cores = [last[pid][2] for pid in gone] or [tree[p][2] for p, g in grown.items() if g > 0]
        return [(core, unseen / len(cores)) for core in cores]

    def close(self) -> None:
        self._files.close()
