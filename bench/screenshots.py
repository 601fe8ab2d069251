"""Save SVG screenshots of every screen into ``screenshots/`` (the README shows them).

    .venv/bin/python bench/screenshots.py [--live]

Dashboards come from the recorded runs in ``tests/fixtures`` (replayed with a
stopped clock, mid-run and finished), so the pictures are reproducible; with
``--live`` they come from real runs instead. The Compare screen is always a real
comparison (the cpu workload at its default size): its table is a measurement.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from textual.widgets import OptionList

from tui import catalog
from tui.app.app import ConcurApp
from tui.app.screens.compare import CompareScreen
from tui.recording import load

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
OUT = ROOT / "screenshots"
SIZE = (140, 45)
REPLAYS = [
    # (fixture, stop the clock at, file name)
    ("cpu_threads", 0.9, "dashboard-cpu-threads-running"),
    ("cpu_threads", None, "dashboard-cpu-threads"),
    ("process_pool_squares", None, "dashboard-process-pool"),
    ("cancel_taskgroup", None, "dashboard-cancel-taskgroup"),
    ("blocking_in_async", None, "dashboard-blocking-in-async"),
    ("gather_errors", None, "dashboard-gather-errors"),
    ("thread_sleep", None, "dashboard-thread-sleep"),
]


async def shoot(
    app: ConcurApp, name: str, keys: tuple[str, ...] = (), size=SIZE, wait: float = 0.3
) -> None:
    async with app.run_test(size=size) as pilot:
        await pilot.pause(wait)
        if keys:
            await pilot.press(*keys)
            await pilot.pause(0.2)
        path = app.save_screenshot(f"{name}.svg", str(OUT))
        print(path)


async def picker(name: str) -> None:
    app = ConcurApp()
    async with app.run_test(size=SIZE) as pilot:
        listing = app.screen.query_one(OptionList)
        listing.highlighted = listing.get_option_index("cpu-threads")
        await pilot.pause(0.3)
        print(app.save_screenshot(f"{name}.svg", str(OUT)))


async def compare_cpu(name: str) -> None:
    """The Compare screen after a real cpu comparison (default size: about 10 s)."""
    app = ConcurApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = CompareScreen("cpu")
        await app.push_screen(screen)
        await pilot.pause(0.2)
        await pilot.press("r")
        while screen.running or screen.result is None:
            await pilot.pause(0.2)
        await pilot.pause(0.3)
        print(app.save_screenshot(f"{name}.svg", str(OUT)))


async def advisor(name: str) -> None:
    app = ConcurApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.press("down", "space")  # computing
        await pilot.pause(0.3)
        print(app.save_screenshot(f"{name}.svg", str(OUT)))


async def live(name: str, scenario: str, after: float) -> None:
    found = catalog.find(scenario)
    await shoot(ConcurApp(start=(found, found.resolve())), name, wait=after)


async def main(use_live: bool) -> None:
    OUT.mkdir(exist_ok=True)
    await picker("picker")
    for fixture, until, name in REPLAYS:
        events = load(FIXTURES / f"{fixture}.jsonl")[1]
        await shoot(ConcurApp(replay=events, replay_until_s=until), name)
    events = load(FIXTURES / "cancel_taskgroup.jsonl")[1]
    await shoot(ConcurApp(replay=events), "task-details", keys=("down", "down", "enter"))
    await shoot(ConcurApp(replay=events), "help", keys=("question_mark",))
    await shoot(ConcurApp(replay=events), "dashboard-80x24", size=(80, 24))
    stall = load(FIXTURES / "blocking_in_async.jsonl")[1]
    await shoot(ConcurApp(replay=stall), "dashboard-80x24-blocking-in-async", size=(80, 24))
    await shoot(ConcurApp(replay=stall, projector=True), "dashboard-projector")
    await advisor("advisor")
    await compare_cpu("compare-cpu")
    if use_live:
        await live("live-cpu-processes", "cpu-processes", 1.0)
        await live("live-many-tasks", "many-tasks", 1.0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", action="store_true", help="also shoot real runs")
    asyncio.run(main(parser.parse_args().live))
