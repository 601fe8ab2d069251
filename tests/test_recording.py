"""Recordings: the round trip from a live run, deterministic replay, demos, and bad files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui import catalog, recording
from tui.cli import main
from tui.model.summary import Summary, summarize
from tui.recording import (
    Recorder,
    RecordingError,
    Replay,
    demo_names,
    demo_path,
    load,
    save,
    scenario_meta,
    summary_of_recording,
)
from tui.supervisor.headless import run_headless

CLI = str(Path(sys.executable).parent / "concur-tui")
# A demo of every built-in scenario (many-tasks and workload too).
DEMOS = {scenario.name for scenario in catalog.builtins()}


@pytest.fixture(scope="module")
def live_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Summary]:
    """A short real run, recorded exactly as run_headless feeds its model."""
    scenario = catalog.find("wait-for-timeout")
    params = scenario.resolve(["timeout=0.3", "work=1.0"])
    recorder = Recorder(scenario_meta(scenario, params))
    model, _ = run_headless(scenario, params, on_events=recorder.extend)
    path = recorder.save(tmp_path_factory.mktemp("rec") / "run.jsonl")
    return path, summarize(model)


def test_round_trip_gives_the_live_summary(live_run: tuple[Path, Summary]) -> None:
    path, live = live_run
    assert live.outcome == "completed"
    assert summary_of_recording(path) == live
    meta, events = load(path)
    assert meta["scenario"] == "wait-for-timeout"
    assert meta["events"] == len(events)
    assert "asyncio" in meta["source"]
    assert {"hello", "run_end", "supervisor_end", "cpu"} <= {e["e"] for e in events}


def test_replay_json_command_prints_the_live_summary(live_run, capsys) -> None:
    path, live = live_run
    assert main(["replay", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == live.to_json()


def test_replay_is_deterministic_and_seek_back_rebuilds(live_run) -> None:
    path, live = live_run
    meta, events = load(path)
    a, b = Replay(events, meta), Replay(events, meta)
    model = a.model
    # Points within the run: what follows its end (the supervisor tidying up) is no longer
    # than the run on a quiet machine, but was 40 % of the recording on a busy one.
    run_s = (next(e["t"] for e in events if e["e"] == "run_end") - events[0]["t"]) / 1e9
    for share in (0.1, 0.4, 0.7):
        a.seek(share * run_s)
        b.seek(share * run_s)
        assert a.model.now() == pytest.approx(share * run_s) and a.model.ended is None
        assert summarize(a.model) == summarize(b.model)
    mid = summarize(_at(events, meta, 0.4 * run_s))
    a.seek(0.4 * run_s)  # backwards: rebuilt in place
    assert a.model is model and a.generation == 1
    assert summarize(a.model) == mid
    a.seek(a.duration)
    assert a.finished and summarize(a.model) == live


def _at(events, meta, t):
    replay = Replay(events, meta)
    replay.seek(t)
    return replay.model


def test_replay_controls(live_run) -> None:
    meta, events = load(live_run[0])
    replay = Replay(events, meta, speed=0.25)
    assert replay.speed == 0.25
    replay.advance(0.4)
    assert replay.position == pytest.approx(0.1)
    replay.pause()
    assert not replay.advance(1.0) and replay.position == pytest.approx(0.1)
    fed = replay.model.events_seen
    replay.step()
    assert replay.paused and replay.model.events_seen > fed
    stepped = replay.position
    replay.step(-0.05)
    assert replay.position == pytest.approx(stepped - 0.05) and replay.generation == 1
    assert replay.set_speed(10) == 4.0 and replay.set_speed(0.01) == 0.1
    replay.set_speed(1.0)
    assert [replay.faster(), replay.faster(), replay.faster()] == [2.0, 4.0, 4.0]
    replay.seek(1e12)
    assert replay.finished
    replay.play()  # at the end: starts over
    assert replay.position == 0.0 and not replay.paused


def test_step_back_undoes_step_exactly() -> None:
    """``,`` after ``.`` returns to the same position with the same events fed, down to 0."""
    replay = Replay.from_file(Path(__file__).parent / "fixtures" / "cancel_taskgroup.jsonl")
    replay.seek(0.0)
    seen = [(replay.position, replay.model.events_seen)]
    for _ in range(6):
        replay.step()
        seen.append((replay.position, replay.model.events_seen))
    assert len({p for p, _ in seen}) == len(seen), "each step moves on"
    for position, fed in reversed(seen[:-1]):
        replay.step_back()
        assert (replay.position, replay.model.events_seen) == (position, fed)
        assert replay.paused
    replay.step_back()
    assert replay.position == 0.0, "never before the start"

    replay.seek(0.5)  # between events: back to the last one shown, then the one before
    fed = replay.model.events_seen
    replay.step_back()
    assert replay.position < 0.5 and replay.model.events_seen == fed
    before = replay.position
    replay.step_back()
    assert replay.position < before and replay.model.events_seen < fed


def test_demos_ship_and_load() -> None:
    assert set(demo_names()) >= DEMOS
    for name in DEMOS:
        path = demo_path(name)
        assert path.stat().st_size < 1 << 20
        meta, model = recording.load_model(path)
        assert meta["scenario"] == name and model.outcome == "completed"


def test_unknown_demo_is_a_usage_error(capsys) -> None:
    assert main(["replay", "--demo", "no-such-demo"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no demo recording 'no-such-demo'" in err and "thread-sleep" in err and "\n" not in err


def test_recorder_takes_checked_events_as_they_are_up_to_its_limit(tmp_path) -> None:
    """A live dashboard's events were checked by the session's reader: not checked again, but
    the limit still holds, in one batch or many."""
    meta, events = load(demo_path("thread-sleep"))
    recorder = Recorder(meta, limit=len(events) + 2)
    recorder.extend(events[:10], checked=True).extend(events[10:], checked=True)
    assert recorder.events == events and not recorder.truncated
    recorder.extend(events[:5], checked=True)
    assert len(recorder.events) == len(events) + 2 and recorder.truncated
    meta2, events2 = load(recorder.save(tmp_path / "r.jsonl"))
    assert events2 == recorder.events and meta2["truncated"]


def test_recorder_drops_events_that_would_not_load(tmp_path) -> None:
    meta, events = load(demo_path("thread-sleep"))
    recorder = Recorder(meta).extend(
        [*events[:5], {"e": "nonsense", "t": 1, "pid": 1}, *events[5:]]
    )
    path = recorder.save(tmp_path / "r.jsonl")
    meta2, events2 = load(path)
    assert events2 == events and meta2["dropped_invalid"] == 1


def test_save_reports_unwritable_paths(tmp_path) -> None:
    _, events = load(demo_path("thread-sleep"))
    with pytest.raises(RecordingError, match="cannot write"):
        save(tmp_path / "no" / "such" / "dir.jsonl", events)
    with pytest.raises(RecordingError, match="no events"):
        save(tmp_path / "empty.jsonl", [])


# -- bad files ------------------------------------------------------------------------------

HEADER = {"format": "concur-tui-recording", "version": 1, "events_version": 1}
EVENT = {"e": "hello", "t": 1000, "pid": 7, "v": 1, "scenario": "x", "params": {}, "python": "3.11"}
END = {"e": "supervisor_end", "t": 2000, "pid": 6, "exit_code": 0}


def _lines(*values) -> bytes:
    return b"".join(json.dumps(v).encode() + b"\n" for v in values)


BAD_FILES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "empty"),
    "blank": (b"\n  \n", "empty"),
    "not-json": (b"hello world\n", "not a concur-tui recording"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\n", "not UTF-8"),
    "no-header": (_lines(EVENT, END), "not a concur-tui recording"),
    "json-array": (b"[1, 2, 3]\n", "not a concur-tui recording"),
    "wrong-version": (_lines({**HEADER, "version": 2}, EVENT), "version 2 recording"),
    "wrong-event-version": (_lines({**HEADER, "events_version": 9}, EVENT), "version 9 events"),
    "stream-version": (_lines(HEADER, {**EVENT, "v": 3}, END), "event stream version 3"),
    "header-only": (_lines(HEADER), "no events"),
    "partial-last-line": (_lines(HEADER, EVENT) + b'{"e": "supervisor_end", "t": 20', "truncated"),
    "fewer-than-said": (_lines({**HEADER, "events": 5}, EVENT, END), "header says 5 events"),
    "bad-json-line": (_lines(HEADER, EVENT) + b'{"e": oops}\n', "line 3 is not valid JSON"),
    "unknown-event": (_lines(HEADER, EVENT, {"e": "exec", "t": 1, "pid": 1}), "unknown event type"),
    "no-time": (_lines(HEADER, EVENT, {"e": "run_start", "pid": 1}), "without integer 't'"),
    "wrong-type": (_lines(HEADER, {**EVENT, "scenario": 5}), "'scenario' has the wrong type"),
    "bad-shape": (
        _lines(
            HEADER, EVENT, {"e": "window", "t": 1500, "pid": 7, "t0": 1000, "threads": {"a": 5}}
        ),
        "does not make sense",
    ),
    "bad-header-field": (_lines({**HEADER, "source": ["x"]}, EVENT), "'source' has the wrong type"),
    "deep-nesting": (_lines(HEADER) + b"[" * 100_000 + b"]" * 100_000 + b"\n", "line 2"),
    "long-line": (_lines(HEADER) + b'{"e": "' + b"x" * (1 << 20) + b'"}\n', "longer than 1 MB"),
    "nan-json": (_lines(HEADER, EVENT) + b'{"e": "run_start", "t": NaN, "pid": 1}\n', "line 3"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_is_a_one_line_recording_error(tmp_path, case, capsys) -> None:
    content, expected = BAD_FILES[case]
    path = tmp_path / f"{case}.jsonl"
    path.write_bytes(content)
    with pytest.raises(RecordingError) as caught:
        load(path)
    message = str(caught.value)
    assert expected in message and "\n" not in message and str(path) in message
    for command in (["replay", str(path)], ["export", str(path), "-o", str(tmp_path / "t.json")]):
        assert main(command) == 2
        captured = capsys.readouterr()
        assert captured.err.count("\n") == 1 and captured.err.startswith("concur-tui: ")
        assert expected in captured.err and "Traceback" not in captured.err
    assert not (tmp_path / "t.json").exists()


def test_huge_file_is_refused_without_reading_it(tmp_path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as out:
        out.truncate(recording.MAX_FILE_BYTES + 1)  # sparse: 200 MB of nothing
    started = time.perf_counter()
    with pytest.raises(RecordingError, match=r"limited to 200 MB"):
        load(path)
    assert time.perf_counter() - started < 1.0


def test_too_many_events(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(recording, "MAX_EVENTS", 3)
    path = tmp_path / "many.jsonl"
    path.write_bytes(
        _lines(HEADER, EVENT, *[{"e": "run_start", "t": 1001 + i, "pid": 7} for i in range(5)])
    )
    with pytest.raises(RecordingError, match="more than 3 events"):
        load(path)


def test_not_a_file(tmp_path) -> None:
    with pytest.raises(RecordingError, match=r"cannot open .*: No such file"):
        load(tmp_path / "missing.jsonl")
    with pytest.raises(RecordingError, match="not a regular file"):
        load(tmp_path)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # opening a FIFO with no writer must not hang
    with pytest.raises(RecordingError, match="not a regular file"):
        load(fifo)


def test_cli_bad_files_in_a_real_process(tmp_path) -> None:
    """Exit code 2, one line on stderr, no traceback: as a person sees it."""
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    truncated = tmp_path / "cut.jsonl"
    truncated.write_bytes(demo_path("thread-sleep").read_bytes()[:-40])
    for args in (
        ["replay", str(empty)],
        ["export", str(truncated), "-o", str(tmp_path / "x.json")],
    ):
        done = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=30)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert done.stdout == ""
