"""Frame time and memory of the dashboard at 100, 1 000 and 10 000 asyncio tasks.

    .venv/bin/python bench/bench_frames.py [--size 140x45] [--frames 30]

The events are synthetic but shaped like the many-tasks scenario's (each task:
a start, a first step, a sleep of 0.1-1.0 s, a last step, an end), so the
count can go past what a recording in the repo should hold. Two views each:
*live* stops the clock half-way (most rows still running, so no row can come
from the cache) and *finished* shows the whole run. A frame is what the
dashboard does on each tick: feed nothing new, hand the model to every pane,
then compose the whole screen (Textual's compositor rendering every line of
every widget whose content changed). "frame" is both, wall clock.
Goal: a frame <= 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import time
import tracemalloc

import psutil

from tui.app.app import ConcurApp
from tui.app.screens.dashboard import DashboardScreen
from tui.app.widgets.timeline import Timeline
from tui.events import Event
from tui.model.run import RunModel

NS = 1_000_000_000


def synthetic_events(tasks: int, seed: int = 0) -> list[Event]:
    """A many-tasks run: ``tasks`` asyncio tasks each sleeping a random 0.1-1.0 s."""
    rng = random.Random(seed)
    pid = os.getpid()
    t = 1_000 * NS
    events: list[Event] = [
        {
            "e": "hello",
            "t": t,
            "pid": pid,
            "v": 1,
            "scenario": "many-tasks",
            "params": {"tasks": tasks, "seed": seed},
            "python": "3.11",
            "cores": 2,
        },
        {"e": "run_start", "t": t + 1000, "pid": pid},
        {
            "e": "task_start",
            "t": t + 2000,
            "pid": pid,
            "id": "a0",
            "kind": "async",
            "name": "Task-1",
            "coro": "run",
        },
    ]
    ends = []
    for i in range(tasks):
        start = t + 10_000 + i * 3_000
        delay = int(rng.uniform(0.1, 1.0) * NS)
        tid = f"a{i + 1}"
        events += [
            {
                "e": "task_start",
                "t": start,
                "pid": pid,
                "id": tid,
                "kind": "async",
                "name": f"task-{i}",
                "coro": "wait",
                "parent": "a0",
            },
        ]
        ends.append((start, delay, tid))
    for start, delay, tid in ends:
        s0 = start + 20_000
        events += [
            {"e": "step", "t": s0 + 5_000, "pid": pid, "id": tid, "t0": s0},
            {
                "e": "wait",
                "t": s0 + delay,
                "pid": pid,
                "id": tid,
                "t0": s0 + 5_000,
                "state": "sleeping",
                "what": "asyncio.sleep",
            },
            {"e": "step", "t": s0 + delay + 4_000, "pid": pid, "id": tid, "t0": s0 + delay},
            {"e": "task_end", "t": s0 + delay + 5_000, "pid": pid, "id": tid, "outcome": "done"},
        ]
    last = max(e["t"] for e in events)
    for k in range(int((last - t) / (NS / 10)) + 1):
        at = t + k * NS // 10
        events.append({"e": "cpu", "t": at, "pid": pid, "t0": at, "per_core": [35.0, 20.0]})
        events.append(
            {"e": "gil", "t": at, "pid": pid, "t0": at, "busy": 0.2, "lags_us": [80, 90, 120]}
        )
        events.append({"e": "loop", "t": at, "pid": pid, "t0": at, "lags_us": [300, 900]})
    events += [
        {"e": "task_end", "t": last + 10_000, "pid": pid, "id": "a0", "outcome": "done"},
        {"e": "run_end", "t": last + 20_000, "pid": pid, "outcome": "completed", "error": None},
    ]
    events.sort(key=lambda e: e["t"])
    return events


def model_memory(events: list[Event]) -> float:
    """MiB the model holds after feeding ``events``."""
    gc.collect()
    tracemalloc.start()
    model = RunModel(clock=lambda: events[-1]["t"])
    model.feed_many(events)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del model
    return current / 2**20


async def frame_times(
    events: list[Event], until_s: float | None, size: tuple[int, int], frames: int
) -> dict[str, float]:
    app = ConcurApp(replay=events, replay_until_s=until_s)
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        timeline = screen.query_one(Timeline)
        timeline.focus()
        timeline.cursor = len(screen.model.order) // 2  # the middle of the list
        await pilot.pause(0.1)
        redraw: list[float] = []
        compose: list[float] = []
        frame: list[float] = []
        for _ in range(frames):
            timeline._cache.clear()  # a live window moves every frame: nothing is cached
            t0 = time.perf_counter()
            screen.redraw()
            t1 = t2 = time.perf_counter()
            screen._compositor.render_update(full=True)
            t3 = time.perf_counter()
            await pilot.pause()  # let the app do its housekeeping between frames
            redraw.append((t1 - t0) * 1000)
            compose.append((t3 - t2) * 1000)
            frame.append((t3 - t0) * 1000)
        rss = psutil.Process().memory_info().rss / 2**20
    return {
        "panes_ms": statistics.median(redraw),
        "render_ms": statistics.median(compose),
        "frame_ms": statistics.median(frame),
        "frame_max_ms": max(frame),
        "rss_mib": rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="140x45")
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--counts", default="100,1000,10000")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    print(f"terminal {size[0]}x{size[1]}, median of {args.frames} frames; goal: frame <= 50 ms")
    header = f"{'tasks':>6} {'view':<9} {'panes ms':>9} {'render ms':>10} {'frame ms':>9} {'max ms':>8} {'model MiB':>10} {'RSS MiB':>8}"
    print(header)
    print("-" * len(header))
    for count in (int(c) for c in args.counts.split(",")):
        events = synthetic_events(count)
        memory = model_memory(events)
        for view, until in (("live", 0.5), ("finished", None)):
            r = asyncio.run(frame_times(events, until, size, args.frames))  # type: ignore[arg-type]
            verdict = "ok" if r["frame_ms"] <= 50 else "SLOW"
            print(
                f"{count:>6} {view:<9} {r['panes_ms']:>9.1f} {r['render_ms']:>10.1f} {r['frame_ms']:>9.1f}"
                f" {r['frame_max_ms']:>8.1f} {memory:>10.1f} {r['rss_mib']:>8.0f}  {verdict}"
            )


if __name__ == "__main__":
    main()
