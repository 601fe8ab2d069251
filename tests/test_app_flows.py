"""The dashboard driven as a person would: pick, edit a parameter, run, cancel, rerun, back, quit."""

from __future__ import annotations

import os
import signal
from typing import cast

import psutil
import pytest
from conftest import until, wait_for
from textual.widgets import Input, OptionList, Static

from tui import catalog
from tui.app.app import ConcurApp
from tui.app.screens.dashboard import DashboardScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.picker import PickerScreen
from tui.app.screens.task_screen import TaskScreen
from tui.app.source import LiveSource
from tui.app.widgets.timeline import Timeline

SIZE = (120, 40)


async def highlight(pilot, app: ConcurApp, name: str) -> PickerScreen:
    picker = app.screen
    assert isinstance(picker, PickerScreen)
    listing = picker.query_one(OptionList)
    listing.highlighted = listing.get_option_index(name)
    await wait_for(pilot, lambda: picker.current is not None and picker.current.name == name)
    await pilot.pause()
    return picker


def tree_alive(pid: int, children: list[psutil.Process]) -> list[int]:
    alive = [p.pid for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    if psutil.pid_exists(pid):
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


async def test_pick_edit_run_cancel_rerun_back_quit() -> None:
    app = ConcurApp()
    async with app.run_test(size=SIZE) as pilot:
        picker = await highlight(pilot, app, "thread-sleep")
        delay = picker.query_one("#param-delay", Input)

        delay.value = "soon"
        error = picker.query_one("#error-delay", Static)
        await wait_for(pilot, lambda: "takes float values" in str(error.render()))
        assert delay.has_class("-invalid")
        await pilot.press("enter")
        assert isinstance(app.screen, PickerScreen), "a bad value must not start a run"
        assert "Cannot start" in str(picker.query_one("#params-error", Static).render())

        delay.value = "99"
        await wait_for(pilot, lambda: "between 0.0 and 30.0" in str(error.render()))

        delay.value = "0.3"
        await wait_for(pilot, lambda: not delay.has_class("-invalid"))
        await pilot.press("enter")
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        await wait_for(pilot, lambda: dashboard.model.ended is not None)
        model = dashboard.model
        # Seen in loaded rounds: a run whose model got none of the runner's events (or none
        # after its start; the event reader stopped early). What it did get, should it recur.
        session = cast(LiveSource, dashboard.source).session
        fed = " ".join(f"{e['e']}:{e['pid']}" for e in dashboard.recorder.events)
        why = (
            f"log {model.log}\ndropped {model.dropped} seen {model.events_seen}\n"
            f"datagrams {dict(session.received)} run_end {session._saw_run_end}\nfed {fed}"
        )
        assert model.params == {"tasks": 3, "delay": 0.3}, why
        assert model.outcome == "completed"
        assert [model.tasks[i].outcome for i in model.order] == ["done"] * 4, why
        status = dashboard.query_one("#status")
        await wait_for(pilot, lambda: "completed" in str(status.render()))

        # Details of a task: the modal opens on enter and closes on escape.
        await pilot.press("down", "enter")
        assert isinstance(app.screen, TaskScreen)
        await pilot.press("escape")
        assert app.screen is dashboard

        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")

        await pilot.press("escape")
        assert isinstance(app.screen, PickerScreen)
        assert picker.query_one("#param-delay", Input).value == "0.3", "edits are kept"

        delay.value = "20"
        await pilot.press("enter")
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        await wait_for(pilot, lambda: len(dashboard.model.order) >= 4)
        await pilot.press("c")
        await wait_for(pilot, lambda: dashboard.model.ended is not None)
        assert dashboard.model.outcome == "cancelled"

        first = dashboard.model
        await pilot.press("r")
        assert dashboard.model is not first
        await wait_for(pilot, lambda: dashboard.model.started is not None)
        pid = dashboard.source.pid
        assert psutil.pid_exists(pid)

        await pilot.press("escape")
        assert isinstance(app.screen, PickerScreen)
        assert tree_alive(pid, []) == [], "going back ends the run"
        await pilot.press("q")
    assert app.return_code == 0


@pytest.mark.parametrize("key", ["q", "ctrl+c", "SIGTERM"])
async def test_quitting_mid_run_leaves_no_process(key: str) -> None:
    scenario = catalog.find("cpu-processes")
    # The most work a task may have: the run is still going when the key comes, however busy
    # the machine is (the test quits it long before it would end).
    app = ConcurApp(start=(scenario, scenario.resolve(["work=10.0"])))
    async with app.run_test(size=SIZE) as pilot:
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        await wait_for(pilot, lambda: dashboard.source.pid, what="the run to start")
        pid = dashboard.source.pid
        # The forkserver and both workers, seen by the kernel (the model may lag behind).
        await wait_for(
            pilot,
            lambda: len(descendants(pid)) >= 3 or dashboard.model.ended is not None,
            what="the scenario's worker processes",
        )
        assert dashboard.model.ended is None, (dashboard.model.outcome, dashboard.model.error)
        children = descendants(pid)
        if key == "SIGTERM":
            os.kill(os.getpid(), signal.SIGTERM)  # the app handles it: it quits as `q` does
        else:
            await pilot.press(key)
        await wait_for(pilot, lambda: app.return_code is not None or not app.is_running, 30)
    until(lambda: not tree_alive(pid, children), 60, "the run's processes to end")


async def test_a_run_starts_once_the_screen_is_drawn_and_never_after_it_ended(
    monkeypatch,
) -> None:
    """The dashboard's first layout and paint come before the program's first moments (they
    competed with them for the cores); a screen left before its first frame starts nothing."""
    painted: list[int] = []
    starts: list[int] = []
    render_line = Timeline.render_line
    monkeypatch.setattr(
        Timeline, "render_line", lambda self, y: painted.append(y) or render_line(self, y)
    )
    start = LiveSource.start
    monkeypatch.setattr(
        LiveSource, "start", lambda self: starts.append(len(painted)) or start(self)
    )
    scenario = catalog.find("thread-sleep")
    app = ConcurApp(start=(scenario, scenario.resolve(["delay=0.2"])))
    async with app.run_test(size=SIZE) as pilot:
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        await wait_for(pilot, lambda: dashboard.model.ended is not None, 30, "the run's end")
        assert len(starts) == 1 and starts[0] > 0, "started after the timeline was drawn"
        dashboard.end()
        dashboard._begun = False  # as a screen whose first frame comes after it was left
        dashboard._begin()
        assert len(starts) == 1, "nothing starts once the screen has ended"
        await pilot.press("q")


async def test_cancel_selected_task_and_pause() -> None:
    scenario = catalog.find("thread-sleep")
    # Long enough that the threads still run when "x" comes, however busy the machine is.
    app = ConcurApp(start=(scenario, scenario.resolve(["delay=30", "tasks=2"])))
    async with app.run_test(size=SIZE) as pilot:
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        await wait_for(pilot, lambda: len(dashboard.model.order) >= 3)
        await pilot.press("p")
        version = dashboard._drawn_version
        await pilot.pause(0.3)
        assert dashboard._drawn_version == version, "a paused view does not redraw"
        await pilot.press("p")
        timeline = dashboard.query_one(Timeline)
        timeline.cursor = 1
        await pilot.press("x")
        # A running thread cannot be cancelled from outside: the runner says so in a note.
        said = "cannot stop a running thread"
        await wait_for(pilot, lambda: any(said in note for note in dashboard.model.notes), 30)
        await wait_for(pilot, lambda: any(said in n.message for n in app._notifications))
        assert dashboard.model.tasks[timeline.highlighted_task.id].end is None, "it runs on"
        await pilot.press("plus", "plus")
        assert timeline.zoom == 4
        await pilot.press("minus")
        assert timeline.zoom == 2
        await pilot.press("q")
