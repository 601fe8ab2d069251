"""On stage: every screen readable at 80x24 and 140x45, keys that do what the footer says,
the run's own figures once it ended, a projector theme, and saved runs that say where."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import wait_for
from textual.color import Color
from textual.widgets import Input, OptionList, Static
from textual.widgets._footer import FooterKey

from tui import catalog
from tui.app.app import ConcurApp
from tui.app.screens.dashboard import DashboardScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.picker import PickerScreen
from tui.app.themes import PROJECTOR, ROLES, mark_variables
from tui.app.widgets.gil_pane import GilPane
from tui.app.widgets.key_footer import KeyFooter
from tui.app.widgets.loop_pane import LoopPane
from tui.app.widgets.meter import Meter
from tui.app.widgets.run_status import Part, RunStatus, fit
from tui.app.widgets.timeline import Timeline
from tui.cli import build_parser
from tui.events import TASK_OUTCOMES
from tui.marks import OUTCOME_MARKS, STATE_MARKS, outcome_glyphs, state_glyphs
from tui.model.run import STATES
from tui.model.summary import summarize
from tui.recording import demo_path, find_recording, load, recordings_folder

SMALL, LARGE = (80, 24), (140, 45)
SCENARIOS = [s.name for s in catalog.builtins()]


def demo(name: str, until_s: float | None = None, **kwargs) -> ConcurApp:
    return ConcurApp(replay=load(demo_path(name))[1], replay_until_s=until_s, **kwargs)


async def dashboard(pilot) -> DashboardScreen:
    await pilot.pause(0.1)
    screen = pilot.app.screen
    assert isinstance(screen, DashboardScreen)
    return screen


async def footer_keys(pilot) -> dict[str, FooterKey]:
    """The footer's keys by description, once it has fitted itself to the width."""
    footer = pilot.app.screen.query_one(KeyFooter)
    await wait_for(
        pilot,
        lambda: (
            footer._fitted_width == footer.size.width
            and footer.query(FooterKey)
            and footer.settled  # the bindings have settled, and its keys are mounted
        ),
        what="the footer to fit its keys",
    )
    return {key.description or key.key: key for key in footer.query(FooterKey)}


# -- 1. every screen at 80x24 and 140x45 ------------------------------------------------------
@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "140x45"])
async def test_footer_keeps_help_back_and_quit(size: tuple[int, int]) -> None:
    app = demo("gil-convoy")
    async with app.run_test(size=size) as pilot:
        await dashboard(pilot)
        keys = await footer_keys(pilot)
        assert {"Help", "Back", "Quit"} <= set(keys)
        for key in keys.values():
            assert key.region.right <= size[0], f"{key.description} is cut"
        footer = app.screen.query_one(KeyFooter)
        if size == SMALL:
            assert footer.left_out, "80 columns cannot hold every key"
            assert "Rerun" in keys or "Play/pause" in keys, "the first keys stay"
        else:
            assert footer.left_out == []


async def test_picker_footer_fits_80_columns() -> None:
    async with ConcurApp().run_test(size=SMALL) as pilot:
        keys = await footer_keys(pilot)
        assert {"Help", "Quit", "Run"} <= set(keys)
        assert all(key.region.right <= SMALL[0] for key in keys.values())


def test_header_parts_go_by_rank() -> None:
    from textual.content import Content

    parts = [
        Part(0, [Content("name")]),
        Part(6, [Content("a=1 b=2")]),
        Part(0, [Content("■ completed in 1.00 s"), Content("■ completed 1.00 s")]),
        Part(1, [Content("✓ 2 done  ⊘ 1 cancelled"), Content("✓2 ⊘1")]),
        Part(4, [Content("speed-up ×2.00")]),  # noqa: RUF001
    ]
    everything = fit([Part(p.rank, p.forms) for p in parts], 200)
    assert len(everything) == 5
    shown = fit([Part(p.rank, p.forms) for p in parts], 40)
    text = "  ".join(str(p.content) for p in shown)
    assert text == "name  ■ completed in 1.00 s  ✓2 ⊘1", (
        "params and speed-up first, tally shortened"
    )
    tiny = fit([Part(p.rank, p.forms) for p in parts], 10)
    assert [p.rank for p in tiny] == [0, 0], "rank 0 stays, in its shortest form"


@pytest.mark.parametrize("name", ["cancel-taskgroup", "gather-errors", "workload", "many-tasks"])
@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "140x45"])
async def test_header_is_one_line_with_name_outcome_and_tally(
    name: str, size: tuple[int, int]
) -> None:
    app = demo(name)
    async with app.run_test(size=size) as pilot:
        screen = await dashboard(pilot)
        await pilot.pause(0.1)
        status = screen.query_one(RunStatus)
        text = str(status.visual)
        assert "\n" not in text
        assert len(text) <= status.content_region.width
        assert text.startswith(name) and "■ completed" in text
        for outcome in {screen.model.tasks[i].outcome for i in screen.model.order}:
            assert OUTCOME_MARKS[outcome].glyph in text


async def test_narrow_rows_name_what_cancelled_them() -> None:
    app = demo("cancel-taskgroup")
    async with app.run_test(size=SMALL) as pilot:
        screen = await dashboard(pilot)
        timeline = screen.query_one(Timeline)
        rows = [timeline.render_line(y).text for y in range(timeline.size.height)]
        cancelled = [row for row in rows if row.startswith("worker-")]
        assert len(cancelled) == 2
        assert all(row.rstrip().endswith("by TaskGroup") for row in cancelled)


async def test_a_stall_says_where_at_80x24() -> None:
    app = demo("blocking-in-async")
    async with app.run_test(size=SMALL) as pilot:
        screen = await dashboard(pilot)
        await pilot.pause(0.1)
        stalls = screen.query_one("#loop-stalls", Static)
        side = screen.query_one("#side")
        assert "blocking_in_async.py:" in str(stalls.visual)
        assert "time.sleep(block)" in str(stalls.visual)
        # Its first three lines (what, file:line, the code) are on screen, not scrolled away.
        assert side.region.y <= stalls.region.y and stalls.region.y + 3 <= side.region.bottom


# -- 2. the picker ----------------------------------------------------------------------------
async def test_picker_lists_the_guide_first_by_name() -> None:
    async with ConcurApp().run_test(size=LARGE) as pilot:
        await pilot.pause(0.1)
        listing = pilot.app.screen.query_one(OptionList)
        options = [listing.get_option_at_index(i) for i in range(listing.option_count)]
        rows = [o for o in options if not o.disabled]
        assert [o.id for o in rows][:4] == list(catalog.GUIDE_EXAMPLES)
        assert [o.id for o in rows][4:11] == list(catalog.GUIDE_LESSONS)
        assert {o.id for o in rows} == set(SCENARIOS)
        for option in rows:
            assert str(option.prompt).split("\n")[0].strip() == option.id


def test_list_is_in_the_guide_order_too(capsys) -> None:
    from tui.cli import main

    assert main(["list"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names[:11] == [*catalog.GUIDE_EXAMPLES, *catalog.GUIDE_LESSONS]
    assert sorted(names[11:]) == names[11:] == ["many-tasks", "workload"]


async def test_keys_beside_a_text_field() -> None:
    app = ConcurApp()
    async with app.run_test(size=LARGE) as pilot:
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        await wait_for(pilot, lambda: picker.query("#param-delay"))
        field = picker.query_one("#param-delay", Input)
        field.focus()
        await pilot.pause()
        keys = await footer_keys(pilot)
        assert "Leave field" in keys and keys["Quit"].key == "ctrl+q"
        assert "Help" not in keys, "? goes into the field"
        await pilot.press("end", "q")
        assert field.value.endswith("q") and app.is_running, "q is typed, not quit"
        await pilot.press("escape")
        assert not isinstance(app.focused, Input), "escape leaves the field"
        assert isinstance(app.screen, PickerScreen)
        keys = await footer_keys(pilot)
        assert keys["Quit"].key == "q" and "Leave field" not in keys
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


@pytest.mark.parametrize("opener", ["m", "a"], ids=["compare", "advisor"])
async def test_escape_leaves_a_field_before_it_leaves_the_screen(opener: str) -> None:
    app = ConcurApp()
    async with app.run_test(size=LARGE) as pilot:
        await pilot.pause(0.1)
        await pilot.press(opener)
        await pilot.pause(0.1)
        screen = app.screen
        field = screen.query(Input).first()
        field.focus()
        await pilot.press("end", "q")
        assert app.is_running and app.screen is screen, "q belongs to the field"
        await pilot.press("escape")
        assert app.screen is screen and not isinstance(app.focused, Input)
        await pilot.press("escape")
        assert isinstance(app.screen, PickerScreen)


async def test_ctrl_q_quits_from_a_text_field() -> None:
    app = ConcurApp()
    async with app.run_test(size=LARGE) as pilot:
        await wait_for(pilot, lambda: app.screen.query("#param-delay"))
        app.screen.query_one("#param-delay", Input).focus()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_q_quits_from_the_help_screen() -> None:
    app = demo("thread-sleep")
    async with app.run_test(size=LARGE) as pilot:
        await dashboard(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


# -- 3. a finished run's figures --------------------------------------------------------------
async def test_finished_panes_show_the_run_not_the_last_window() -> None:
    app = demo("blocking-in-async")
    async with app.run_test(size=LARGE) as pilot:
        screen = await dashboard(pilot)
        summary = summarize(screen.model)
        meter = screen.query_one(GilPane).query_one(Meter)
        assert meter.label == "held" and meter.figure.startswith("mean")  # the run's, not now
        assert summary.gil.busy_mean is not None and summary.gil.busy_max is not None
        assert math.isclose(meter.fraction, summary.gil.busy_mean, abs_tol=1e-4)
        assert f"max {summary.gil.busy_max * 100:.0f}%" in meter.figure
        figures = str(screen.query_one(LoopPane).query_one("#loop-figures", Static).visual)
        assert figures.startswith("lag p95") and "now" not in figures
        assert summary.loop_lag_ms is not None and summary.loop_lag_ms.max is not None
        assert f"{summary.loop_lag_ms.max:.0f} ms" in figures


async def test_a_running_run_shows_the_live_window() -> None:
    app = demo("blocking-in-async", until_s=1.0)
    async with app.run_test(size=LARGE) as pilot:
        screen = await dashboard(pilot)
        assert screen.model.ended is None
        meter = screen.query_one(GilPane).query_one(Meter)
        assert meter.label == "held" and not meter.figure.startswith("mean")
        assert meter.fraction == screen.model.gil_busy.last()
        figures = str(screen.query_one(LoopPane).query_one("#loop-figures", Static).visual)
        assert figures.startswith("lag now")


# -- 4. the projector theme -------------------------------------------------------------------
def luminance(colour: Color) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)


def contrast(a: Color, b: Color) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_state_and_outcome_has_a_mark_and_colours() -> None:
    """A new state (or outcome) needs its row in tui.marks and its colours in tui.app.themes."""
    assert set(STATE_MARKS) == set(STATES)
    assert set(OUTCOME_MARKS) == set(TASK_OUTCOMES)
    names = [f"state-{s}" for s in STATE_MARKS] + [f"outcome-{o}" for o in OUTCOME_MARKS]
    assert set(names) == set(ROLES), "a colour role for the themes that do not name one"
    assert set(names) <= set(PROJECTOR.variables), "a colour of its own in the projector theme"


def test_glyphs_tell_every_state_apart_without_colour() -> None:
    for large in (False, True):
        states = state_glyphs(large)
        assert len(set(states.values())) == len(STATE_MARKS)
        ends = outcome_glyphs(large)
        assert len(set(ends.values())) == len(ends)
        assert not set(states.values()) & set(ends.values())
    assert state_glyphs(True)["sleeping"] != state_glyphs(False)["sleeping"], "larger dots"


def test_projector_colours_stand_out_and_apart() -> None:
    palette = PROJECTOR.to_color_system().generate()
    variables = {**mark_variables(palette), **PROJECTOR.variables}
    background = Color.parse(PROJECTOR.surface or "#ffffff")
    names = [f"state-{s}" for s in STATE_MARKS] + [f"outcome-{o}" for o in OUTCOME_MARKS]
    colours = {name: Color.parse(variables[name]) for name in names}
    for name, colour in colours.items():
        assert contrast(colour, background) >= 3.0, f"{name} is too faint on a projector"
    states = [colours[f"state-{s}"] for s in STATE_MARKS]
    for i, a in enumerate(states):
        for b in states[i + 1 :]:
            assert sum(abs(x - y) for x, y in zip(a.rgb, b.rgb, strict=True)) > 120


async def test_projector_by_flag_and_key() -> None:
    assert build_parser().parse_args(["--projector", "replay", "--demo", "x"]).projector
    assert build_parser().parse_args(["watch", "thread-sleep", "--projector"]).projector
    app = demo("thread-sleep", projector=True)
    async with app.run_test(size=LARGE) as pilot:
        screen = await dashboard(pilot)
        assert app.theme == "projector"
        timeline = screen.query_one(Timeline)
        text = "".join(timeline.render_line(y).text for y in range(6))
        assert state_glyphs(True)["sleeping"] in text
        await pilot.press("f2")
        await pilot.pause()
        assert app.theme != "projector"
        text = "".join(timeline.render_line(y).text for y in range(6))
        assert state_glyphs(False)["sleeping"] in text
        assert state_glyphs(True)["sleeping"] not in text
        await pilot.press("f2")
        assert app.theme == "projector"


# -- 6. saved runs, demos, compare labels -----------------------------------------------------
async def test_w_saves_to_the_recordings_folder_and_says_where(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CONCUR_TUI_RECORDINGS", str(tmp_path / "runs"))
    app = demo("thread-sleep")
    async with app.run_test(size=LARGE) as pilot:
        screen = await dashboard(pilot)
        await pilot.press("w")
        await pilot.pause()
        saved = list((tmp_path / "runs").glob("concur-thread-sleep-*.jsonl"))
        assert len(saved) == 1 and screen.saved_to == saved[0]
        messages = [n.message for n in app._notifications]
        assert any(str(saved[0]) in m for m in messages)
    assert find_recording(saved[0].name) == saved[0], "replay finds it by name"


def test_recordings_folder_default(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("CONCUR_TUI_RECORDINGS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert recordings_folder() == tmp_path / "concur-tui" / "recordings"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert recordings_folder() == Path.home() / ".local/share/concur-tui/recordings"


def test_workload_pool_items_name_what_matters(run) -> None:
    model, _ = run("workload", mode="processes", workload="cpu", tasks=2, cpu_work=0.02)
    items = [t.label for t in model.visible_tasks() if t.kind == "process"]
    assert items == ["cpu_task(0.02)", "cpu_task(0.02)"]
    model, _ = run("workload", mode="processes", workload="io", tasks=1, io_s=0.01)
    assert [t.label for t in model.visible_tasks() if t.kind == "process"] == ["io_task(0.01)"]
