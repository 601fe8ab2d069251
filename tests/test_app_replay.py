"""Recordings in the dashboard: playing one (pause, step, seek, speed), saving one (`w`, --record)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import wait_for

from tui import catalog
from tui.app.app import ConcurApp
from tui.app.screens.dashboard import DashboardScreen
from tui.app.widgets.event_log import EventLog
from tui.cli import main
from tui.model.summary import summarize
from tui.recording import Replay, demo_path, load, summary_of_recording

FIXTURES = Path(__file__).parent / "fixtures"
SIZE = (140, 45)


async def dashboard(app: ConcurApp, pilot) -> DashboardScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
    return app.screen


def status(screen: DashboardScreen) -> str:
    return str(screen.query_one("#status").render())


async def test_a_replay_plays_to_the_end_with_the_recorded_summary() -> None:
    path = demo_path("cpu-threads")
    replay = Replay.from_file(path, speed=4.0)
    wall = [100.0]  # the replay moves with this clock only, however busy the machine is
    app = ConcurApp(replay=replay, wall_clock=lambda: wall[0])
    async with app.run_test(size=SIZE) as pilot:
        screen = await dashboard(app, pilot)
        assert screen.model is replay.model, "the dashboard shows the model the replay feeds"
        await pilot.pause(0.2)
        assert replay.position == 0.0, "the wall clock has not moved"
        wall[0] += 0.125
        await wait_for(pilot, lambda: replay.position > 0)
        assert replay.position == pytest.approx(0.5), "4x: an eighth of a second plays 0.5 s"
        assert "▶ replay" in status(screen)
        wall[0] += replay.duration
        await wait_for(pilot, lambda: replay.finished)
        await pilot.pause(0.1)
        assert summarize(screen.model) == summary_of_recording(path)
        assert "replay ended" in status(screen)
        assert "completed" in status(screen)


async def test_pause_step_seek_and_speed_keys() -> None:
    replay = Replay.from_file(FIXTURES / "cancel_taskgroup.jsonl", paused=True)
    wall = [100.0]
    app = ConcurApp(replay=replay, wall_clock=lambda: wall[0])
    async with app.run_test(size=SIZE) as pilot:
        screen = await dashboard(app, pilot)
        await pilot.pause(0.2)
        assert replay.position == 0.0, "started paused: time stands still"
        assert "‖ replay paused 0.000 s" in status(screen)

        await pilot.press("full_stop")
        first = replay.position
        assert 0 < first < 0.1, "a step goes on to the next event"
        await pilot.press("full_stop")
        second = replay.position
        assert second > first
        await pilot.press("comma")
        assert replay.position == first, "back to the previous event: the step undone"

        start = replay.position
        await pilot.press("shift+right")
        at = replay.position
        assert at == pytest.approx(start + 1.0)
        shown = len(screen.query_one(EventLog).lines)
        generation = replay.generation
        await pilot.press("shift+left")
        assert replay.position == pytest.approx(at - 1.0)
        assert replay.generation == generation + 1, "going back rebuilds the model"
        await pilot.press(*["shift+right"] * (math.ceil(replay.duration - replay.position) + 1))
        assert replay.finished
        await pilot.pause()
        assert len(screen.query_one(EventLog).lines) > shown
        await pilot.press("home")
        assert replay.position == 0.0
        await pilot.pause()
        assert len(screen.query_one(EventLog).lines) <= 1, "the log starts over with the model"

        position = replay.position
        await pilot.press("comma")
        assert replay.position == position == 0.0, "never before the start"
        await pilot.press("shift+right")
        before = replay.position
        await pilot.press("comma")
        assert replay.position < before
        assert replay.paused

        await pilot.press("right_square_bracket")
        assert replay.speed == 2.0
        assert "at 2x" in status(screen)
        await pilot.press(*["right_square_bracket"] * 4)
        assert replay.speed == 4.0, "4x at most"
        await pilot.press(*["left_square_bracket"] * 3)
        assert replay.speed == 0.5
        await pilot.press(*["left_square_bracket"] * 4)
        assert replay.speed == 0.1, "0.1x at least"
        await pilot.press(*["right_square_bracket"] * 3)
        assert replay.speed == 1.0

        paused_at = replay.position
        await pilot.press("space")
        assert not replay.paused
        wall[0] += 0.2
        await wait_for(pilot, lambda: replay.position > paused_at)
        assert replay.position == pytest.approx(paused_at + 0.2)
        await pilot.press("space")
        assert replay.paused
        held = replay.position
        wall[0] += 0.2
        await pilot.pause(0.2)
        assert replay.position == held


async def test_playback_keys_only_while_a_recording_plays() -> None:
    _, events = load(FIXTURES / "thread_sleep.jsonl")
    for replay, playing in ((Replay(events), True), (events, False)):
        app = ConcurApp(replay=replay)
        async with app.run_test(size=SIZE) as pilot:
            screen = await dashboard(app, pilot)
            keys = set(screen.active_bindings)
            names = {command.title for command in app.get_system_commands(screen)}
            playback = {"space", "full_stop", "comma", "shift+left", "shift+right"}
            assert (playback <= keys) is playing
            assert ({"Play/pause", "Step", "Step back", "Slower", "Faster"} <= names) is playing
            assert ("c" in keys) is not playing, "nothing to cancel in a playback"
            assert "w" in keys and "Save run" in names
            if not playing:
                await pilot.press("home")
                assert screen.query_one("#timeline").cursor == 0


async def test_w_and_record_save_loadable_recordings(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CONCUR_TUI_RECORDINGS", str(tmp_path))  # where w saves
    record = tmp_path / "watched.jsonl"
    scenario = catalog.find("thread-sleep")
    app = ConcurApp(start=(scenario, scenario.resolve(["delay=0.1", "tasks=2"])), record=record)
    async with app.run_test(size=SIZE) as pilot:
        screen = await dashboard(app, pilot)
        await wait_for(pilot, lambda: app.record_message is not None)
        assert app.record_message.startswith("recorded ")
        live = summarize(screen.model)
        assert summary_of_recording(record) == live, "--record saves the run when it ends"
        await pilot.press("w")
        saved = list(tmp_path.glob("concur-thread-sleep-*.jsonl"))
        assert len(saved) == 1
        assert summary_of_recording(saved[0]) == live
        meta, _ = load(saved[0])
        assert meta["scenario"] == "thread-sleep" and "Thread" in meta["source"]

    replay = Replay.from_file(saved[0], paused=True)
    app = ConcurApp(replay=replay)
    async with app.run_test(size=SIZE) as pilot:
        await dashboard(app, pilot)
        await pilot.press("w")
        new = set(tmp_path.glob("concur-thread-sleep-*.jsonl")) - set(saved)
        assert len(new) == 1, "a playback saves its whole recording, as a new file"
        assert load(new.pop())[1] == list(replay.events)


def test_watch_record_needs_an_existing_folder(tmp_path: Path, capsys) -> None:
    assert main(["watch", "thread-sleep", "--record", str(tmp_path / "no" / "x.jsonl")]) == 2
    assert "no such folder" in capsys.readouterr().err
