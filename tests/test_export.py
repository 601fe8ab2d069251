"""The Chrome Trace Event Format export, checked against the format's rules on real recordings."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from tui.cli import main
from tui.events import TaskKind, TaskState
from tui.export import MACHINE_PID, build_trace, dumps
from tui.recording import demo_path, load_model

DEMOS = (
    "thread-sleep",
    "process-pool-squares",
    "cancel-taskgroup",
    "blocking-in-async",
    "cpu-threads",
)
PHASES = {"M", "X", "i", "C"}


def trace_of(name: str) -> tuple[dict, object]:
    _, model = load_model(demo_path(name))
    return json.loads(dumps(build_trace(model))), model  # strict JSON: no NaN, no Infinity


@pytest.mark.parametrize("name", DEMOS)
def test_trace_follows_the_format(name: str) -> None:
    trace, model = trace_of(name)
    assert trace["displayTimeUnit"] == "ms"
    events = trace["traceEvents"]
    assert events and {e["ph"] for e in events} <= PHASES  # complete slices only: no B/E to pair
    for event in events:
        assert isinstance(event["pid"], int) and isinstance(event["tid"], int), event
        assert isinstance(event["ts"], int | float) and isinstance(event["name"], str), event
        if event["ph"] == "X":
            assert event["dur"] >= 0, event
        if event["ph"] == "i":
            assert event["s"] in ("t", "p", "g")
    # Timestamps are microseconds: the run's length in the trace is its length in seconds x 1e6.
    main_thread = next(e for e in events if e["ph"] == "X" and e["name"] == "MainThread")
    assert main_thread["dur"] == pytest.approx(
        next(t for t in model.tasks.values() if t.name == "MainThread").duration(model.now()) * 1e6,
        rel=1e-3,
    )
    body = [e for e in events if e["ph"] != "M"]
    assert [e["ts"] for e in body] == sorted(e["ts"] for e in body)


@pytest.mark.parametrize("name", DEMOS)
def test_every_track_is_named_and_slices_nest(name: str) -> None:
    trace, model = trace_of(name)
    events = trace["traceEvents"]
    threads = {
        (e["pid"], e["tid"]) for e in events if e["ph"] == "M" and e["name"] == "thread_name"
    }
    processes = {e["pid"] for e in events if e["ph"] == "M" and e["name"] == "process_name"}
    tracks: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for event in events:
        if event["ph"] in ("X", "i") and event.get("s") != "g":
            assert (event["pid"], event["tid"]) in threads, event
        if event["ph"] != "M":
            assert event["pid"] in processes, event
        if event["ph"] == "X":
            tracks[event["pid"], event["tid"]].append(event)
    # One task slice per visible task, and on each track slices nest: never a partial overlap.
    task_slices = [e for e in events if e["ph"] == "X" and e["cat"] in set(TaskKind)]
    assert len(task_slices) == len(model.visible_tasks())
    for slices in tracks.values():
        stack: list[float] = []
        for s in sorted(slices, key=lambda e: (e["ts"], -e["dur"])):
            end = round(s["ts"] + s["dur"], 3)
            while stack and stack[-1] <= s["ts"]:
                stack.pop()
            assert not stack or end <= stack[-1] + 1e-3, (s, stack)
            stack.append(end)
        states = [s for s in slices if s["cat"] == "state"]
        assert all(s["name"] in set(TaskState) for s in states)


@pytest.mark.parametrize("name", DEMOS)
def test_counter_tracks(name: str) -> None:
    trace, model = trace_of(name)
    counters: dict[tuple[int, str], list[float]] = defaultdict(list)
    for event in trace["traceEvents"]:
        if event["ph"] == "C":
            assert all(isinstance(v, int | float) for v in event["args"].values())
            counters[event["pid"], event["name"]].append(event["ts"])
    names = {n for _, n in counters}
    cores = len(model.cpu[-1][1])
    assert {f"CPU core {i}" for i in range(cores)} <= names
    assert all(pid == MACHINE_PID for pid, n in counters if n.startswith("CPU"))
    assert "GIL busy" in names
    if model.loop_lag_ms.points:
        assert "loop lag" in names
    for times in counters.values():
        assert times == sorted(times)


def test_instants_for_errors_timeouts_and_cancellations() -> None:
    trace, _ = trace_of("cancel-taskgroup")
    instants = [e for e in trace["traceEvents"] if e["ph"] == "i"]
    names = [e["name"] for e in instants]
    assert "error" in names and "timed out" in names and "cancelled" in names
    cancels = [e for e in instants if e["name"].startswith("cancel (")]
    assert {e["args"]["cause"]["kind"] for e in cancels} == {"taskgroup", "timeout"}
    error = next(e for e in instants if e["name"] == "error")
    assert "ValueError" in error["args"]["error"]
    assert any(e["s"] == "g" and e["name"].startswith("run ") for e in instants)


def test_process_items_are_grouped_by_worker() -> None:
    trace, model = trace_of("process-pool-squares")
    items = [e for e in trace["traceEvents"] if e["ph"] == "X" and e["cat"] == "process"]
    workers = {e["pid"] for e in items}
    assert len(items) == len([t for t in model.visible_tasks() if t.kind == "process"])
    assert len(workers) < len(items)  # several items on each worker's track
    names = {
        e["pid"]: e["args"]["name"]
        for e in trace["traceEvents"]
        if e["ph"] == "M" and e["name"] == "process_name"
    }
    assert all(names[pid] == f"worker {pid}" for pid in workers)


def test_async_tasks_have_their_own_tracks() -> None:
    trace, _ = trace_of("cancel-taskgroup")
    async_slices = [e for e in trace["traceEvents"] if e["ph"] == "X" and e["cat"] == "async"]
    assert len({(e["pid"], e["tid"]) for e in async_slices}) == len(async_slices)
    names = {
        (e["pid"], e["tid"]): e["args"]["name"]
        for e in trace["traceEvents"]
        if e["name"] == "thread_name"
    }
    assert {names[e["pid"], e["tid"]] for e in async_slices} == {e["name"] for e in async_slices}


def test_export_command(tmp_path, capsys) -> None:
    out = tmp_path / "trace.json"
    assert main(["export", "--demo", "gil-convoy", "-o", str(out)]) == 0
    assert "ui.perfetto.dev" in capsys.readouterr().out
    assert json.loads(out.read_text())["traceEvents"]
    assert main(["export", "--demo", "gil-convoy", "-o", str(tmp_path / "no" / "t.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err
