"""What a live tick of the dashboard costs its UI thread, part by part (CPU time, not wall).

    python bench/tick_cost.py [--seconds 8] [--hide SELECTOR ...] [scenario:params ...]

Each scenario runs live in Textual's headless driver at 140x45; after a warm-up the UI
thread's CPU time is read over the window and split into the compositor's frames (Textual
drawing what changed, ``Screen._compositor_refresh``) and the dashboard's polls (draining
events into the model and handing it to every pane, ``DashboardScreen._poll``); the rest is
Textual's own message handling. ``--hide`` runs each case again with those widgets hidden
(``#side``: the CPU and GIL panes), so their share is the difference. CPU time, not wall
clock: another process on the machine slows a tick without changing what it costs much.
Samplers and the event reader run on other threads of the process (``dashboard_cost.py``
measures the whole process in a real terminal).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from typing import Any

from dashboard_cost import DEFAULT
from textual.screen import Screen

from tui import catalog
from tui.app.app import ConcurApp
from tui.app.screens.dashboard import DashboardScreen

spent: dict[str, list[float]] = {"frame": [0.0, 0], "poll": [0.0, 0]}


def timed(part: str, method: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(self: Any, *args: Any) -> Any:
        started = time.thread_time()
        try:
            return method(self, *args)
        finally:
            spent[part][0] += time.thread_time() - started
            spent[part][1] += 1

    return wrapper


Screen._compositor_refresh = timed("frame", Screen._compositor_refresh)  # type: ignore[method-assign]
DashboardScreen._poll = timed("poll", DashboardScreen._poll)  # type: ignore[method-assign]


async def measure(case: str, hide: list[str], warmup: float, seconds: float) -> str:
    name, _, params = case.partition(":")
    scenario = catalog.find(name)
    values = dict(p.split("=", 1) for p in params.split(",") if p)
    app = ConcurApp(start=(scenario, scenario.resolve(values)))
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause(warmup)
        for selector in hide:
            app.screen.query(selector).set(display=False)
        await pilot.pause(0.5)
        for part in spent.values():
            part[:] = [0.0, 0]
        cpu, wall = time.thread_time(), time.monotonic()
        await pilot.pause(seconds)
        cpu, wall = time.thread_time() - cpu, time.monotonic() - wall
        await pilot.press("q")
    frame, frames = spent["frame"]
    poll, polls = spent["poll"]
    rest = cpu - frame - poll
    return (
        f"{cpu / wall * 100:5.2f} %  frames {frames:>3} x {frame / max(1, frames) * 1000:5.2f} ms"
        f"  polls {polls:>3} x {poll / max(1, polls) * 1000:5.2f} ms"
        f"  rest {rest / wall * 100:4.2f} %"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=DEFAULT)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--hide", action="append", default=[], help="e.g. #side")
    args = parser.parse_args()
    print(f"{'watched (UI thread, share of one core)':<40} ")
    for case in args.cases:
        shown = asyncio.run(measure(case, [], args.warmup, args.seconds))
        print(f"{case:<40} {shown}", flush=True)
        if args.hide:
            hidden = asyncio.run(measure(case, args.hide, args.warmup, args.seconds))
            print(f"{'  without ' + ' '.join(args.hide):<40} {hidden}", flush=True)


if __name__ == "__main__":
    main()
