"""The dashboard's parts on replays: event sources, timeline window and cursor, command palette."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import wait_for
from textual.binding import Binding

from tui.app.app import ConcurApp
from tui.app.screens.dashboard import DashboardScreen
from tui.app.source import ReplaySource
from tui.app.widgets.timeline import Timeline
from tui.recording import load

FIXTURES = Path(__file__).parent / "fixtures"


def events(name: str) -> list[dict]:
    return load(FIXTURES / f"{name}.jsonl")[1]


def test_replay_hands_over_once_with_a_stopped_clock() -> None:
    recorded = events("cpu_threads")
    source = ReplaySource(recorded)
    source.start()
    assert source.drain() == recorded
    assert source.drain() == []
    assert source.done
    assert source.clock() == max(e["t"] for e in recorded)


def test_replay_until_stops_the_clock_mid_run() -> None:
    recorded = events("cpu_threads")
    source = ReplaySource(recorded, until_s=0.5)
    cutoff = recorded[0]["t"] + 500_000_000
    assert all(e["t"] <= cutoff for e in source.drain())
    assert source.clock() == cutoff


async def dashboard(app: ConcurApp, pilot) -> DashboardScreen:
    await pilot.pause(0.1)
    screen = app.screen
    assert isinstance(screen, DashboardScreen)
    return screen


async def test_timeline_zoom_pan_follow_and_cursor() -> None:
    app = ConcurApp(replay=events("cpu_threads"))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await dashboard(app, pilot)
        timeline = screen.query_one(Timeline)
        t0, t1 = timeline.window()
        assert t0 == pytest.approx(screen.model.started)
        assert t1 == pytest.approx(screen.model.now())
        await pilot.press("plus")
        z0, z1 = timeline.window()
        assert z1 - z0 == pytest.approx((t1 - t0) / 2)
        assert z1 == pytest.approx(t1), "zoomed in, the view follows the live edge"
        await pilot.press("left")
        assert not timeline.follow
        assert timeline.window()[1] < z1
        await pilot.press("f")
        assert timeline.follow
        await pilot.press("minus", "minus")
        assert timeline.zoom == 1
        await pilot.press("down", "down")
        assert timeline.highlighted_task.label == "cpu-1"
        detail = screen.query_one("#task-detail")
        assert "cpu-1" not in str(detail.render()), "drawn in its tab only when shown"
        await pilot.press("t")
        assert "cpu-1" in str(detail.render())
        timeline.action_cursor(-1)
        await pilot.pause()
        now_on = timeline.highlighted_task.label
        assert now_on != "cpu-1" and now_on in str(detail.render()), "the shown tab follows"


async def test_rows_are_virtualised_for_a_thousand_tasks() -> None:
    app = ConcurApp(replay=events("many_tasks_1000"))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await dashboard(app, pilot)
        timeline = screen.query_one(Timeline)
        assert timeline.virtual_size.height == len(screen.model.order) + timeline.header_lines
        assert len(screen.model.order) > 1000
        await pilot.press("end")
        assert timeline.cursor == len(screen.model.order) - 1
        assert timeline.scroll_y > 900
        last = screen.model.tasks[screen.model.order[-1]].label
        assert any(last in timeline.render_line(y).text for y in range(timeline.size.height))


async def test_cancelled_task_says_what_cancelled_it() -> None:
    app = ConcurApp(replay=events("cancel_taskgroup"))
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await dashboard(app, pilot)
        timeline = screen.query_one(Timeline)
        top = timeline.header_lines
        rows = [timeline.render_line(y).text for y in range(top, top + 6)]
        assert any("cancelled by TaskGroup" in row for row in rows)
        assert any("timed out" in row for row in rows)
        assert any("error" in row for row in rows)
        await pilot.press("x")  # a replay runs nothing: the key says so instead of failing
        assert screen.source.notes == []


async def test_every_dashboard_action_is_in_the_command_palette() -> None:
    app = ConcurApp(replay=events("thread_sleep"))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await dashboard(app, pilot)
        names = {command.title for command in app.get_system_commands(screen)}
        assert {
            "Rerun",
            "Cancel run",
            "Cancel task",
            "Pause view",
            "Zoom in",
            "Zoom out",
            "Help",
            "Back",
        } <= names


async def test_a_burst_of_task_starts_is_one_log_line() -> None:
    from tui.app.widgets.event_log import EventLog

    app = ConcurApp(replay=events("many_tasks_1000"))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await dashboard(app, pilot)
        lines = [strip.text for strip in screen.query_one(EventLog).lines]
        assert len(screen.model.order) > 1000
        assert len(lines) < 50, "1 000 tasks must not become 2 000 log lines"
        assert any("tasks started" in line and "each is a row" in line for line in lines)
        assert any("tasks finished" in line for line in lines)


def test_help_is_made_from_the_bindings_the_panes_and_the_constants() -> None:
    from tui.app.screens.dashboard import PANES
    from tui.app.screens.help import help_text, render_help
    from tui.runner.asyncio_tasks import LAG_INTERVAL_S
    from tui.supervisor.session import CANCEL_GRACE_S, SAMPLE_INTERVAL_S

    text = render_help(help_text(ConcurApp)).plain
    everywhere = {(b.key, b.action) for b in ConcurApp.BINDINGS if isinstance(b, Binding)}
    for binding in [*DashboardScreen.BINDINGS, *Timeline.BINDINGS]:
        assert isinstance(binding, Binding)
        if (binding.key, binding.action.removeprefix("app.")) not in everywhere:
            said = render_help(binding.tooltip or binding.description).plain
            assert f": {said}" in text, binding
    titles = [pane.TITLE for pane in PANES if pane.HELP]
    assert titles == ["Timeline", "CPU per core", "GIL", "Event loop lag"]
    assert all(title in text.splitlines() for title in titles)
    assert f"due every {LAG_INTERVAL_S * 1000:g} ms" in text
    assert f"every {SAMPLE_INTERVAL_S:g} s" in text
    assert f"end it by force after {CANCEL_GRACE_S:g} s" in text
    assert "**" not in text and "`" not in text, "the Markdown is drawn, not shown"


async def test_help_is_made_once_and_closing_it_keeps_the_footer() -> None:
    from textual.widgets._footer import FooterKey

    from tui.app.screens.help import HelpScreen
    from tui.app.widgets.key_footer import KeyFooter

    app = ConcurApp(replay=events("thread_sleep"))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await dashboard(app, pilot)
        footer = screen.query_one(KeyFooter)

        def described() -> list[str] | None:
            """The footer's keys once it shows what the screen's bindings say, else None."""
            keys = [k.description for k in footer.query(FooterKey)]
            settled = footer.settled and any(keys)
            return keys if settled else None

        await wait_for(pilot, described, what="the footer")
        keys = described()
        await pilot.press("question_mark")
        first = app.screen
        assert isinstance(first, HelpScreen)
        await pilot.press("escape")
        await wait_for(pilot, described, what="the footer again")
        assert app.screen is screen
        # The same keys again (how fast it comes back is bench/key_latency.py's to measure).
        assert described() == keys
        await pilot.press("question_mark")
        assert app.screen is first, "the same help, not made again"


async def test_the_log_keeps_up_behind_another_tab() -> None:
    """The log appends: what it skipped while hidden would be lost, so it is drawn anyway."""
    from tui.app.widgets.event_log import EventLog
    from tui.recording import Replay

    replay = Replay(events("cancel_taskgroup"), paused=True)
    app = ConcurApp(replay=replay, wall_clock=lambda: 0.0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await dashboard(app, pilot)
        log = screen.query_one(EventLog)
        await pilot.press("s")
        shown = len(log.lines)
        await pilot.press("shift+right", "shift+right")
        await pilot.pause()
        assert len(log.lines) > shown


async def test_a_flood_is_polled_again_before_the_next_frame(monkeypatch) -> None:
    """Live panes are drawn twice a second, but a poll that took a full share of a flood
    asks for the next one sooner: a backlog drains at the pace of four polls a second."""
    from tui.app.screens import dashboard as dashboard_module

    recorded = events("cpu_threads")
    share = 40
    monkeypatch.setattr(dashboard_module, "DRAIN_LIMIT", share)

    def drain(self: ReplaySource) -> list:
        batch, self.events = self.events[:share], self.events[share:]
        self._given = not self.events
        return batch

    monkeypatch.setattr(ReplaySource, "drain", drain)
    asked: list[float] = []
    set_timer = DashboardScreen.set_timer

    def recording_set_timer(self: DashboardScreen, delay: float, callback=None, **kwargs):
        if callback == self._poll:
            asked.append(delay)
        return set_timer(self, delay, callback, **kwargs)

    monkeypatch.setattr(DashboardScreen, "set_timer", recording_set_timer)
    app = ConcurApp(replay=list(recorded))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await dashboard(app, pilot)
        await wait_for(pilot, lambda: screen.model.ended is not None, 30, "the flood drained")
    assert asked == [dashboard_module.CATCH_UP_S] * (len(recorded) // share)
    assert dashboard_module.CATCH_UP_S < dashboard_module.POLL_S


@pytest.fixture
def layouts(monkeypatch) -> list[int]:
    """Every layout of a whole screen from now on (one item each)."""
    from textual.screen import Screen

    counted: list[int] = []
    refresh_layout = Screen._refresh_layout
    monkeypatch.setattr(
        Screen,
        "_refresh_layout",
        lambda s, *a, **k: counted.append(1) or refresh_layout(s, *a, **k),
    )
    return counted


async def test_the_log_grows_without_laying_the_screen_out_again(layouts) -> None:
    """A write only repaints the log and its scrollbar (Textual lays the whole screen out for
    a taller RichLog, twice a second on a pool scenario); a scrollbar that must appear or go
    still gets its layout."""
    from rich.text import Text
    from textual.app import App

    from tui.app.widgets.event_log import EventLog

    class Host(App):
        CSS = "EventLog { overflow-y: auto; }"  # (the dashboard's log always shows its bar)

        def compose(self):
            yield EventLog()

    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        log = app.query_one(EventLog)
        log.write(Text("\n".join(f"line {i}" for i in range(5))))
        await pilot.pause()
        assert not log.show_vertical_scrollbar, (log.size, log.virtual_size)
        log.write(Text("\n".join(f"line {i}" for i in range(5, 40))))
        await wait_for(pilot, lambda: log.show_vertical_scrollbar, what="the scrollbar")
        await wait_for(pilot, lambda: log.scroll_y == log.max_scroll_y > 0, what="the end")
        layouts.clear()
        for i in range(40, 45):
            log.write(Text(f"line {i}"))
            await pilot.pause()
        assert layouts == []
        assert log.vertical_scrollbar.window_virtual_size == len(log.lines) == 45
        await wait_for(pilot, lambda: log.scroll_y == log.max_scroll_y, what="the new end")
        log.clear()
        await wait_for(pilot, lambda: not log.show_vertical_scrollbar, what="no scrollbar")


async def test_the_timeline_gains_rows_without_laying_the_screen_out_again(layouts) -> None:
    """A new task's row repaints the timeline (a layout of the whole screen each time was most
    of a pool run's first second on screen); rows past its height still get their scrollbar."""
    from textual.app import App

    from tui.model.run import RunModel

    class Host(App):
        get_theme_variable_defaults = ConcurApp.get_theme_variable_defaults  # state colours

        def compose(self):
            yield Timeline()

    model = RunModel()
    model.feed_many([
        {"e": "hello", "t": 0, "pid": 9, "v": 1, "scenario": "x", "params": {}, "cores": 2},
        {"e": "run_start", "t": 0, "pid": 9},
    ])  # fmt: skip

    def start(n: int) -> None:
        model.feed({"e": "task_start", "t": n * 1_000_000, "pid": 9, "id": f"th{n}",
                    "kind": "thread", "name": f"worker {n}", "tid": 100 + n, "internal": False})  # fmt: skip

    app = Host()
    async with app.run_test(size=(80, 16)) as pilot:
        timeline = app.query_one(Timeline)
        start(0)
        timeline.show(model)
        await pilot.pause()
        layouts.clear()
        for n in range(1, 6):
            start(n)
            timeline.show(model)
            await pilot.pause()
            assert f"worker {n}" in "".join(
                s.text for s in timeline.render_lines(timeline.region.reset_offset)
            )
        assert layouts == [] and not timeline.show_vertical_scrollbar
        for n in range(6, 40):
            start(n)
        timeline.show(model)
        await wait_for(pilot, lambda: timeline.show_vertical_scrollbar, what="the scrollbar")
        assert layouts


async def test_the_log_is_at_its_end_in_the_frame_that_shows_new_lines() -> None:
    """Scrolled as it is written, not after the next frame: that would be a second frame for
    every poll that logs something (four a second on a pool scenario, not two)."""
    from textual.app import App

    from tui.app.widgets.event_log import EventLog
    from tui.model.run import RunModel

    class Host(App):
        def compose(self):
            yield EventLog()

    recorded = events("process_pool_squares")
    model = RunModel()
    app = Host()
    async with app.run_test(size=(60, 8)) as pilot:
        log = app.query_one(EventLog)
        await pilot.pause()
        for start in range(0, len(recorded), 40):
            model.feed_many(recorded[start : start + 40])
            log.show(model)
            assert log.scroll_y == log.max_scroll_y  # before any frame
        assert log.max_scroll_y > 10
