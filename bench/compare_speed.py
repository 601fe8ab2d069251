"""The guide's speed-ups, measured: what the test suite leaves to a quiet machine.

On a busy machine another process can take the cores a process pool needs, so the tests check
behaviour (threads take turns on the GIL, workers run at once) and this checks the speed-ups
the guide predicts, on a machine with nothing else running:

- CPU-bound: processes at least 1.4x faster than threads (on 2+ cores); threads no faster
  than one after another (at least 0.85x its time); about one core busy under threads, more
  under processes.
- I/O-bound (4 waits of 0.5 s): threads and asyncio 2.5-4.5x faster than one after another.

Prints both tables and each claim with its figure; exits 1 if a claim does not hold.

    python bench/compare_speed.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui.compare import CompareResult, compare, format_table


def claims(cpu: CompareResult, io: CompareResult) -> list[tuple[str, float, bool]]:
    """(claim, the measured figure, whether it holds)."""
    seq, thr, proc = (cpu.row(m) for m in ("sequential", "threads", "processes"))
    slower = thr.elapsed_s / seq.elapsed_s
    one_core = thr.cores_used or 0.0
    found = [
        ("cpu: threads no faster than sequential", slower, slower >= 0.85),
        ("cpu: threads keep about one core busy", one_core, one_core <= 1.4),
    ]
    if (os.cpu_count() or 1) >= 2:
        ratio = thr.elapsed_s / proc.elapsed_s
        found.append(("cpu: processes >= 1.4x faster than threads", ratio, ratio >= 1.4))
        cores = proc.cores_used or 0.0
        found.append(("cpu: processes keep more than one core busy", cores, cores >= 1.3))
    for mode in ("threads", "asyncio"):
        speedup = io.row(mode).speedup or 0.0
        found.append(
            (f"io: {mode} 2.5-4.5x faster than sequential", speedup, 2.5 <= speedup <= 4.5)
        )
    return found


def main() -> int:
    cpu = compare("cpu", {"tasks": 4, "cpu_work": 0.3})
    io = compare("io", {"tasks": 4, "io_s": 0.5})
    print(format_table(cpu), format_table(io), sep="\n\n", end="\n\n")
    ok = cpu.ok and io.ok
    for claim, figure, holds in claims(cpu, io):
        print(f"{'ok  ' if holds else 'FAIL'} {claim}: {figure:.2f}")
        ok = ok and holds
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
