"""What the model costs the dashboard's live rows, without Textual or a terminal: a run is
recorded (``concur-tui run --record``), then fed back a tick at a time (every 0.1 s of its
time) into a model whose every row is laid out as the timeline draws it (its cells over the
live window; an ended row once per window, as the timeline keeps it), and every thread's GIL
wait worked out once a second (the GIL pane). Prints the seconds each part took over the
whole run.

    python bench/rows_cost.py [--cli A --cli B] [scenario:params ...]

The same recording is replayed under each ``--cli`` given (the Python of another checkout's
venv, say), so two builds are compared on the same events; CPU time in one process, so
another process on the machine changes it little. Default: gil-convoy for 10 s a phase
(~1000 events a second, threads with 10 000 waits each).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT = ["gil-convoy:duration=10"]
TICK_NS = 100_000_000
CELLS = 58  # the bars of a row at 140x45


def replay(path: str) -> dict[str, float]:
    """Feed ``path`` tick by tick and draw its rows; the CPU seconds of each part."""
    from tui.app.widgets.timeline import _live_span
    from tui.model.run import RunModel
    from tui.recording import load

    _, events = load(path)
    clock = [0]
    model = RunModel(clock=lambda: clock[0])
    spent = dict.fromkeys(("feed", "rows", "gil pane"), 0.0)
    drawn_ended: set[tuple[str, float, float]] = set()
    at, tick, next_gil = 0, events[0]["t"], 0.0
    while at < len(events):
        tick += TICK_NS
        upto = at
        while upto < len(events) and events[upto]["t"] <= tick:
            upto += 1
        started = time.process_time()
        model.feed_many(events[at:upto])
        spent["feed"] += time.process_time() - started
        at, clock[0] = upto, tick
        if model.started is None:
            continue
        now = model.now()
        t0 = model.started
        t1 = t0 + _live_span(max(now - t0, 1.0))
        started = time.process_time()
        for task in model.tasks.values():
            if task.end is None or (task.id, t0, t1) not in drawn_ended:
                task.cells(t0, t1, CELLS, now)
                if task.end is not None:
                    drawn_ended.add((task.id, t0, t1))
        spent["rows"] += time.process_time() - started
        if now >= next_gil:
            next_gil = now + 1.0
            started = time.process_time()
            for task in model.tasks.values():
                if task.kind == "thread":
                    task.gil_wait_s(now)
            spent["gil pane"] += time.process_time() - started
    return spent


def record(case: str, out: Path) -> int:
    """``concur-tui run`` the case, saving its recording to ``out``; how many events it holds."""
    from tui.recording import load

    name, _, params = case.partition(":")
    sets = [x for p in params.split(",") if p for x in ("--set", p)]
    command = [sys.executable, "-m", "tui", "run", name, *sets, "--record", str(out)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{case}: {done.stderr.strip()}")
    return len(load(out)[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=DEFAULT)
    parser.add_argument("--cli", action="append", help="a Python to replay under (default: this)")
    parser.add_argument("--replay", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replay:
        print(json.dumps(replay(args.replay)))
        return
    pythons = args.cli or [sys.executable]
    for case in args.cases:
        with tempfile.TemporaryDirectory(prefix="concur-tui-bench-") as folder:
            path = Path(folder) / "run.jsonl"
            count = record(case, path)
            print(f"{case}: {count} events")
            for python in pythons:
                out = subprocess.run(
                    [python, __file__, "--replay", str(path)],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                spent = json.loads(out)
                shown = "  ".join(f"{part} {s * 1000:6.0f} ms" for part, s in spent.items())
                print(f"  {python[-40:]:>40}  {shown}", flush=True)


if __name__ == "__main__":
    main()
