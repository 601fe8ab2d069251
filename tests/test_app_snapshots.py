"""Pictures of each screen, on recorded runs replayed with a stopped clock (so they never drift).

Update the baselines with ``pytest tests/test_app_snapshots.py --snapshot-update`` and look at
them (``tests/__snapshots__/``) before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import wait_for
from textual.widgets import Input, OptionList, RadioButton

from tui import catalog
from tui.app.app import ConcurApp
from tui.app.screens.compare import CompareScreen
from tui.app.widgets.key_footer import KeyFooter
from tui.compare import MODES, CompareResult, Interpreter, Measured, add_row
from tui.model.run import RunModel
from tui.recording import Replay, demo_path, load, load_model

FIXTURES = Path(__file__).parent / "fixtures"
SIZE = (140, 45)
SMALL = (80, 24)


def replay(name: str, until_s: float | None = None) -> ConcurApp:
    _, events = load(FIXTURES / f"{name}.jsonl")
    return ConcurApp(replay=events, replay_until_s=until_s)


def test_picker(snap_compare) -> None:
    async def highlight_thread_sleep(pilot) -> None:
        listing = pilot.app.screen.query_one(OptionList)
        listing.highlighted = listing.get_option_index("thread-sleep")
        await wait_for(pilot, lambda: pilot.app.screen.query("#param-delay"))
        pilot.app.screen.query_one("#param-delay").value = "nope"
        await settled(pilot)

    assert snap_compare(ConcurApp(), terminal_size=SIZE, run_before=highlight_thread_sleep)


def test_picker_small_in_a_field(snap_compare) -> None:
    """80x24 with a parameter field focused: the footer offers escape and ctrl+q."""

    async def into_a_field(pilot) -> None:
        await wait_for(pilot, lambda: pilot.app.screen.query("#param-delay"))
        field = pilot.app.screen.query_one("#param-delay", Input)
        field.cursor_blink = False  # a blinking cursor would make the picture depend on timing
        field.focus()
        await settled(pilot)

    assert snap_compare(ConcurApp(), terminal_size=SMALL, run_before=into_a_field)


async def settled(pilot) -> None:
    """Wait until the footer has fitted its keys to the width (it composes again on resize)."""

    def fitted() -> bool:
        footers = pilot.app.screen.query(KeyFooter)
        return not footers or footers.first()._fitted_width == footers.first().size.width

    await wait_for(pilot, fitted, what="the footer to fit its keys")
    await pilot.pause()


@pytest.mark.parametrize("size", [SMALL, SIZE], ids=["80x24", "140x45"])
@pytest.mark.parametrize("name", [s.name for s in catalog.builtins()])
def test_finished(snap_compare, name: str, size: tuple[int, int]) -> None:
    """Every scenario's finished screen (its demo recording) on a laptop and a large terminal."""
    app = ConcurApp(replay=load(demo_path(name))[1])
    assert snap_compare(app, terminal_size=size, run_before=settled)


def test_dashboard_mid_run(snap_compare) -> None:
    """While running: the live window, the last GIL and lag figures."""
    assert snap_compare(replay("cpu_threads", 0.9), terminal_size=SIZE, run_before=settled)


def test_projector(snap_compare) -> None:
    app = ConcurApp(replay=load(demo_path("blocking-in-async"))[1], projector=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=settled)


def test_replay_paused_mid_run(snap_compare) -> None:
    """A recording played in the dashboard: its keys in the footer, position and speed on top."""
    playing = Replay.from_file(FIXTURES / "cpu_threads.jsonl", speed=0.5, paused=True)
    playing.seek(0.9)
    assert snap_compare(ConcurApp(replay=playing), terminal_size=SIZE, run_before=settled)


def test_task_details(snap_compare) -> None:
    async def open_cancelled_task(pilot) -> None:
        await settled(pilot)
        await pilot.press("down", "down", "enter")

    assert snap_compare(
        replay("cancel_taskgroup"), terminal_size=SIZE, run_before=open_cancelled_task
    )


def test_help(snap_compare) -> None:
    async def open_help(pilot) -> None:
        await settled(pilot)
        await pilot.press("question_mark")

    assert snap_compare(replay("cpu_threads"), terminal_size=SIZE, run_before=open_help)


def fixed_comparison() -> tuple[CompareResult, dict[str, RunModel]]:
    """A finished cpu comparison built from recorded runs (tasks=2, cpu_work=0.2): no live run."""
    python = Interpreter("/usr/bin/python3", "3.11.7", "CPython", True, False, "3.11.7")
    result = CompareResult("cpu", {"tasks": 2, "io_s": 0.5, "cpu_work": 0.2}, 2, [python])
    models = {}
    for mode in MODES:
        model = load_model(FIXTURES / f"compare_cpu_{mode}.jsonl")[1]
        add_row(result, python, mode, Measured(model, model.elapsed + 0.2))
        models[mode] = model
    return result, models


@pytest.mark.parametrize("size", [SMALL, SIZE], ids=["80x24", "140x45"])
def test_compare_finished(snap_compare, size: tuple[int, int]) -> None:
    async def open_compare(pilot) -> None:
        result, models = fixed_comparison()
        await pilot.app.push_screen(CompareScreen("cpu", result=result, models=models))
        await settled(pilot)

    assert snap_compare(ConcurApp(), terminal_size=size, run_before=open_compare)


def test_advisor(snap_compare) -> None:
    async def ask(pilot) -> None:
        await pilot.press("a")
        pilot.app.screen.query(RadioButton)[1].value = True
        await settled(pilot)

    assert snap_compare(ConcurApp(), terminal_size=SIZE, run_before=ask)
