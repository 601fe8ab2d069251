"""The Compare screen and the advisor, driven as a person would; no process may outlive them."""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest
from conftest import until, wait_for
from textual.widgets import Input, OptionList, RadioButton, Select

from tui.app.app import ConcurApp
from tui.app.screens.advise import AdviseScreen
from tui.app.screens.compare import CompareScreen
from tui.app.screens.dashboard import DashboardScreen
from tui.app.screens.picker import ParamSelect, PickerScreen
from tui.app.widgets.compare_table import SHOWN, CompareTable
from tui.app.widgets.mode_run import ModeRun
from tui.compare import MODES, CompareResult, Interpreter, Measured, add_row, format_table
from tui.compare.table import cells, note_lines, prediction_lines
from tui.marks import OUTCOME_MARKS
from tui.model.run import RunModel
from tui.recording import load_model

SIZE = (120, 40)
FIXTURES = Path(__file__).parent / "fixtures"


def recorded_comparison(failed: str | None = None) -> tuple[CompareResult, dict[str, RunModel]]:
    """A cpu comparison built from recorded runs (no live run); ``failed``: a mode whose run
    is made to have failed."""
    python = Interpreter("/usr/bin/python3", "3.11.7", "CPython", True, False, "3.11.7")
    result = CompareResult("cpu", {"tasks": 2, "io_s": 0.5, "cpu_work": 0.2}, 2, [python])
    models = {}
    for mode in MODES:
        model = load_model(FIXTURES / f"compare_cpu_{mode}.jsonl")[1]
        if mode == failed:
            model.outcome, model.error = "failed", "[bold]boom[/bold]"
        add_row(result, python, mode, Measured(model, model.elapsed + 0.2))
        models[mode] = model
    return result, models


async def open_compare(pilot, app: ConcurApp, workload: str, **params: object) -> CompareScreen:
    await pilot.press("m")
    screen = app.screen
    assert isinstance(screen, CompareScreen)
    screen.query_one("#compare-workload", Select).value = workload
    for name, value in params.items():
        screen.query_one(f"#compare-{name}", Input).value = str(value)
    await pilot.pause()
    return screen


def alive(processes: list[psutil.Process]) -> list[int]:
    return [p.pid for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def started(screen: CompareScreen, mode: str) -> bool:
    slot = next(s for s in screen.slots if s.mode == mode)
    return slot.model is not None and slot.model.started is not None


async def test_compare_runs_every_mode_to_the_table() -> None:
    app = ConcurApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot, app, "cpu", tasks=2, cpu_work=0.2)
        screen.query_one("#compare-tasks", Input).value = "0"
        await pilot.pause()
        await pilot.press("r")
        assert not screen.running, "a bad value does not start a comparison"
        assert "must be between 1 and 64" in str(screen.query_one("#compare-error").render())
        screen.query_one("#compare-tasks", Input).value = "2"
        await pilot.pause()

        await pilot.press("r")
        assert screen.running
        await wait_for(pilot, lambda: not screen.running, timeout=180)
        result = screen.result
        assert result is not None and not result.interrupted
        assert result.workload == "cpu" and result.params["tasks"] == 2
        assert [row.mode for row in result.rows] == list(MODES)
        table = screen.query_one(CompareTable)
        assert table.row_count == len(result.rows)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == list(MODES)
        assert [slot.status for slot in screen.slots] == ["completed"] * 4, [
            (row.mode, row.outcome, row.error, row.note) for row in result.rows
        ]
        notes = str(screen.query_one("#compare-notes").render())
        assert "The guide's prediction" in notes and "processes" in notes

        await pilot.press("escape")
        assert isinstance(app.screen, PickerScreen)


async def test_cancel_mid_compare_ends_the_run_and_skips_the_rest() -> None:
    app = ConcurApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot, app, "io", tasks=2, io_s=3)
        await pilot.press("r")
        await wait_for(pilot, lambda: started(screen, "sequential"))
        tree = psutil.Process().children(recursive=True)
        assert tree, "the runner is a child process"
        await pilot.press("c")
        await wait_for(pilot, lambda: not screen.running, timeout=30)
        assert screen.result is not None and screen.result.interrupted
        assert screen.result.rows == [], "nothing of the cancelled run is kept"
        assert screen.query_one(CompareTable).row_count == 0
        assert [slot.status for slot in screen.slots] == ["cancelled"] + ["skipped"] * 3
        assert alive(tree) == []
        await pilot.press("q")


async def test_quitting_mid_compare_leaves_no_process() -> None:
    app = ConcurApp()
    async with app.run_test(size=SIZE) as pilot:
        # Long enough that the pool is still there when a busy machine lets us look.
        screen = await open_compare(pilot, app, "io", tasks=2, io_s=8.0)
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: (
                started(screen, "processes")
                and any(t.kind == "process" for t in screen.slots[2].model.tasks.values())
            ),
        )
        tree = psutil.Process().children(recursive=True)
        assert len(tree) >= 3, "the runner, and its pool's worker processes"
        await pilot.press("q")
    until(lambda: not alive(tree), 15, "the comparison's processes to end")


async def test_advisor_opens_what_demonstrates_the_answer() -> None:
    app = ConcurApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        advisor = app.screen
        assert isinstance(advisor, AdviseScreen)
        assert advisor.advice is not None and advisor.advice.recommendation == "threads or asyncio"
        await pilot.press("o")
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        assert compare.query_one("#compare-workload", Select).value == "io"
        assert compare.query_one("#compare-tasks", Input).value == "4"
        await pilot.press("escape")

        await pilot.press("a")
        advisor = app.screen
        assert isinstance(advisor, AdviseScreen)
        advisor.query(RadioButton)[1].value = True  # computing
        advisor.query_one("#advise-tasks", Input).value = "3"
        await pilot.pause()
        assert advisor.advice is not None and advisor.advice.recommendation == "processes"
        await pilot.press("o")
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        assert compare.query_one("#compare-workload", Select).value == "cpu"
        assert compare.query_one("#compare-tasks", Input).value == "3"
        await pilot.press("escape")

        await pilot.press("a")
        advisor = app.screen
        assert isinstance(advisor, AdviseScreen)
        advisor.query_one("#advise-tasks", Input).value = "0"
        await pilot.pause()
        assert advisor.advice is None, "0 tasks: an error, nothing to open"
        advisor.query_one("#advise-tasks", Input).value = "200"  # waiting, many: asyncio
        await pilot.pause()
        assert advisor.advice is not None and advisor.advice.recommendation == "asyncio"
        await pilot.press("o")
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        await wait_for(pilot, lambda: dashboard.model.scenario == "many-tasks")
        assert dashboard.model.params["tasks"] == 200
        await pilot.press("q")


async def test_a_parameter_with_choices_is_a_select() -> None:
    app = ConcurApp()
    async with app.run_test(size=SIZE) as pilot:
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        listing = picker.query_one(OptionList)
        listing.highlighted = listing.get_option_index("workload")
        await wait_for(pilot, lambda: picker.query("#param-mode"))
        await pilot.pause()
        mode = picker.query_one("#param-mode", ParamSelect)
        assert mode.value == "sequential"
        assert not picker.query("Input#param-mode"), "choices are not free text"
        labels = " ".join(str(label.render()) for label in picker.query(".param-help"))
        assert "one of: sequential, threads, processes, asyncio" in labels
        mode.focus()
        await pilot.press("enter")
        assert isinstance(app.screen, PickerScreen), "enter opens the Select, not a run"
        assert mode.expanded
        await pilot.press("down", "enter")
        assert mode.value == "threads"
        assert picker.chosen_params()["mode"] == "threads"
        await pilot.press("q")


async def test_the_screen_shows_the_cli_table_cells_and_lines() -> None:
    result, models = recorded_comparison(failed="asyncio")
    text = format_table(result)
    app = ConcurApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.app.push_screen(CompareScreen("cpu", result=result, models=models))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        table = screen.query_one(CompareTable)
        for i, row in enumerate(result.rows):
            shown = [str(cell) for cell in table.get_row_at(i)]
            assert shown == [cells(row)[column.key] for column in SHOWN if column.key != "python"]
            assert all(cell in text for cell in shown)
        notes = str(screen.query_one("#compare-notes").render())
        assert prediction_lines(result) and note_lines(result)
        for line in prediction_lines(result) + note_lines(result):
            assert line in notes and line in text
        assert "asyncio (3.11.7): [bold]boom[/bold]" in notes, "a run's error is shown as it is"
        failed = next(slot for slot in screen.slots if slot.mode == "asyncio")
        assert failed.status == "failed"


@pytest.mark.parametrize("projector", [False, True], ids=["normal", "projector"])
async def test_a_finished_run_is_drawn_with_the_outcome_marks(projector: bool) -> None:
    app = ConcurApp(projector=projector)
    async with app.run_test(size=SIZE) as pilot:
        runs = [ModeRun(mode) for mode in ("sequential", "threads", "processes", "asyncio")]
        await app.screen.mount_all(runs)
        runs[0].freeze("completed", 1.0)
        runs[1].freeze("failed", 1.0)
        runs[2].mark("cancelled")
        runs[3].mark("skipped")
        await pilot.pause()
        heads = [str(run.render()).splitlines()[0] for run in runs]
        pick = "large" if projector else "glyph"
        outcomes = {"completed": "done", "failed": "error", "cancelled": "cancelled"}
        for head, (word, outcome) in zip(heads[:3], outcomes.items(), strict=True):
            assert f"{getattr(OUTCOME_MARKS[outcome], pick)} {word}" in head, head
        assert "skipped" in heads[3]
        assert not any("✕" in head for head in heads)
        await pilot.press("q")
