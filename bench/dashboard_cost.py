"""What watching costs the machine: the concur-tui process's share of one core while the
dashboard shows a live run in a real terminal (tmux, 140x45), beside btop's when it is
installed (measured in the same run, the same way: CPU seconds from /proc over the window).

    python bench/dashboard_cost.py [--seconds 10] [--cli PATH --cli PATH ...] [scenario=params ...]

Each scenario runs long enough to outlast the window; the window starts after the
dashboard's start-up (imports, first layout), which a person pays once. Given several
``--cli`` (two builds, say), each case runs under each in turn, so their figures compare
on one machine's load. Goal: <= 5 %. Each figure is the whole process, and in brackets its
main thread alone (the UI: Textual's loop, the panes, drawing); the rest is the samplers and
the event reader (``tick_cost.py`` splits the UI thread's part further).
"""

from __future__ import annotations

import argparse
import shutil
import time

from terminal import CLI, pane

# Every built-in scenario (the goal is for any of them), made to outlast the window.
DEFAULT = [
    "thread-sleep:delay=30",
    "process-pool-squares:numbers=40,delay=0.5",
    "async-gather:delay=30",
    "wait-for-timeout:work=30,timeout=20",
    "cpu-threads:work=10",
    "cpu-processes:work=10",
    "compare-io:tasks=5,delay=4",
    "blocking-in-async:block=10",
    "gil-convoy:duration=10",
    "cancel-taskgroup:work=30,timeout=10,fail_after=10",
    "gather-errors:delay=10,fail_after=10",
    "many-tasks:tasks=5000",
    "workload:tasks=16,io_s=5",
]


def share(command: list[str], warmup_s: float, seconds: float) -> tuple[float, float]:
    """The process's share of one core, and its main (UI) thread's."""
    with pane(command) as p:
        time.sleep(warmup_s)
        before, ui, started = p.cpu_s(), p.main_thread_cpu_s(), time.monotonic()
        time.sleep(seconds)
        wall = time.monotonic() - started
        return (p.cpu_s() - before) / wall, (p.main_thread_cpu_s() - ui) / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=DEFAULT)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=4.0)
    parser.add_argument("--cli", action="append", help=f"the concur-tui to run (default {CLI})")
    args = parser.parse_args()
    clis = args.cli or [CLI]
    print(f"{'watched':<52} " + " ".join(f"{cli[-24:]:>24}" for cli in clis))
    for case in args.cases:
        name, _, params = case.partition(":")
        sets = [x for p in params.split(",") if p for x in ("--set", p)]
        costs = [share([cli, "watch", name, *sets], args.warmup, args.seconds) for cli in clis]
        shown = (f"{c * 100:.1f}% (UI {ui * 100:.1f}%)" for c, ui in costs)
        print(f"{case:<52} " + " ".join(f"{s:>24}" for s in shown), flush=True)
    if shutil.which("btop"):
        cost, _ = share(["btop"], args.warmup, args.seconds)
        print(f"{'btop (for comparison)':<52} {cost * 100:>23.1f}%")


if __name__ == "__main__":
    main()
