"""A watch minutes long: what the dashboard's model work costs a tick as the run ages.

    python bench/long_watch.py [--ages 60,300,600] [--threads 4] [--versus DIR]

Synthetic, shaped like ``cpu-threads`` seen by the kernel: each CPU-bound thread gets a
kernel window every 10 ms and an observer window every 50 ms, so a thread ten minutes old
has 60 000 and 12 000 of them. After feeding a run of each age, ticks of 0.25 s follow, each
with its new events, asking what the panes ask: every thread's timeline row (the live span,
140x45's bar width), every second the GIL pane's per-thread waits, and the highlighted
thread's details (its states, GIL wait and reasons). Printed: the median CPU ms a tick, the
worst, and the first (the first build of an old run, which a replay or a new screen pays).
``--versus DIR`` times another checkout (before a change, say) in the same run. Goal: a
tick's model work stays flat as the run ages (a frame has ~20 ms to spare at 4 a second).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

MS = 1_000_000
TICK_NS = 250 * MS
BAR_CELLS = 80


def stream(threads: int, t_from: int, t_to: int) -> list[dict]:
    """The events of [t_from, t_to): each thread's kernel and observer windows."""
    pid = 500
    events: list[dict] = []
    for t in range(t_from, t_to, 10 * MS):
        rows = [[pid, pid + 1 + i, {"running": 6 * MS, "gil": 4 * MS}, {}] for i in range(threads)]
        events.append(
            {
                "e": "offcpu",
                "t": t + 10 * MS,
                "t0": t,
                "pid": pid,
                "sampler_cpu_ns": 0,
                "rows": rows,
            }
        )
        if (t // (10 * MS)) % 5 == 4:
            window = {f"th{i}": [30 * MS, 20 * MS] for i in range(threads)}
            events.append(
                {"e": "window", "t": t + 10 * MS, "t0": t - 40 * MS, "pid": pid, "threads": window}
            )
    return events


def measure(age_s: float, threads: int, ticks: int) -> dict[str, float]:
    from tui.app.widgets.timeline import _live_span
    from tui.model.run import RunModel
    from tui.model.summary import why

    pid = 500
    head: list[dict] = [
        {"e": "hello", "t": 0, "pid": pid, "v": 1, "scenario": "x", "params": {}, "cores": 2},
        {"e": "attribution", "t": 0, "pid": pid, "mode": "kernel", "reason": None},
        {"e": "run_start", "t": 0, "pid": pid},
    ] + [
        {"e": "task_start", "t": MS, "pid": pid, "id": f"th{i}", "kind": "thread",
         "name": f"cpu-{i}", "tid": pid + 1 + i, "internal": False}
        for i in range(threads)
    ]  # fmt: skip
    end = int(age_s * 1e9)
    clock = [end]
    model = RunModel(clock=lambda: clock[0])
    model.feed_many(head + stream(threads, 0, end))
    tasks = list(model.tasks.values())
    costs = []
    for tick in range(ticks + 1):
        if tick:
            model.feed_many(stream(threads, end, end + TICK_NS))
            end += TICK_NS
            clock[0] = end
        started = time.thread_time()
        now = model.now()
        t0 = model.started or 0.0
        t1 = t0 + _live_span(max(now - t0, 1.0))
        for task in tasks:
            task.cells(t0, t1, BAR_CELLS, now)
        if tick % 4 == 0:
            for task in tasks:
                task.gil_wait_s(now)
        chosen = tasks[0]
        chosen.time_in(now), chosen.gil_wait_s(now), why(chosen, now)
        costs.append((time.thread_time() - started) * 1000)
    return {
        "first": costs[0],
        "median": statistics.median(costs[1:]),
        "max": max(costs[1:]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ages", default="60,300,600", help="seconds, comma-separated")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--ticks", type=int, default=40)
    parser.add_argument("--versus", type=Path, help="another checkout, timed the same way")
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)  # a child's single age
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.threads, args.ticks)))
        return
    checkouts = [Path(__file__).resolve().parent.parent] + ([args.versus] if args.versus else [])
    print(f"{args.threads} CPU-bound threads; CPU ms a tick (median / max), and the first tick")
    print(f"{'age':>6} " + " ".join(f"{str(c)[-28:]:>34}" for c in checkouts))
    for age in (float(a) for a in args.ages.split(",")):
        cells = []
        for checkout in checkouts:
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(age), "--threads", str(args.threads),
                 "--ticks", str(args.ticks)],
                capture_output=True, text=True, check=True,
                env={**os.environ, "PYTHONPATH": str(checkout.resolve())},
            )  # fmt: skip
            r = json.loads(out.stdout)
            cells.append(f"{r['median']:7.1f} / {r['max']:7.1f}, first {r['first']:7.0f}")
        print(f"{age:>5.0f}s " + " ".join(f"{c:>34}" for c in cells), flush=True)


if __name__ == "__main__":
    main()
