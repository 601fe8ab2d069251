"""A live task's spans and a live row's cells, laid out again only after what the last build
settled (``Task.spans``, ``Task.cells``), are what a whole build gives, tick after tick, on
real recordings fed as they arrived and on a stream of waits told late."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.events import TaskKind
from tui.model.run import RunModel, Span, Task, _marks
from tui.recording import demo_path, load

FIXTURES = Path(__file__).parent / "fixtures"
RECORDINGS = [
    demo_path("cpu-threads"),
    demo_path("gil-convoy"),
    demo_path("async-gather"),
    demo_path("blocking-in-async"),
    demo_path("thread-sleep"),
    demo_path("wait-for-timeout"),
    FIXTURES / "cpu_threads.jsonl",
    FIXTURES / "blocking_in_async.jsonl",
    FIXTURES / "gather_errors.jsonl",
    FIXTURES / "two_threads_taking_turns.jsonl",  # (an earlier compare threads run: 18 windows)
]


def whole_build(task: Task, t0: float, t1: float, count: int, now: float) -> list[str | None]:
    """The same task, nothing drawn before: every cell from all its spans."""
    return dataclasses.replace(task, _drawn=None, _built=None).cells(t0, t1, count, now)


def merged(spans: list[Span]) -> list[tuple[float, float, str, str, bool]]:
    """Spans with the pieces of one span (cut where an earlier build stopped) joined again."""
    out: list[tuple[float, float, str, str, bool]] = []
    for span in spans:
        last = out[-1] if out else None
        if last and last[2:] == (span.state, span.what, span.kernel) and span.t0 - last[1] < 1e-9:
            out[-1] = (last[0], span.t1, *last[2:])
        else:
            out.append((span.t0, span.t1, span.state, span.what, span.kernel))
    return out


def same_spans(task: Task, now: float) -> bool:
    """The live task's spans are a whole build's (up to where they were cut), and so are the
    seconds it spent in each state and in what."""
    fresh = dataclasses.replace(task, _drawn=None, _built=None)
    kept, whole = merged(task.spans(now)), merged(fresh.spans(now))
    sums, whole_sums = task.time_by_reason(now), fresh.time_by_reason(now)
    return (
        len(kept) == len(whole)
        and all(
            a[2:] == b[2:] and abs(a[0] - b[0]) < 1e-9 and abs(a[1] - b[1]) < 1e-9
            for a, b in zip(kept, whole, strict=True)
        )
        and sums.keys() == whole_sums.keys()
        and all(abs(sums[k] - whole_sums[k]) < 1e-9 for k in sums)
    )


def recorded_ticks(path: Path) -> Iterator[tuple[RunModel, float]]:
    """A recording fed as it arrived, a tick at a time (what a tick drains of it), the live
    edge a little past its last event, as a wall clock would be: the model and its now."""
    _, events = load(path)
    rng = random.Random(path.stem)
    clock = [0]
    model = RunModel(clock=lambda: clock[0])
    i = 0
    while i < len(events):
        chunk = rng.randint(1, 12)
        model.feed_many(events[i : i + chunk])
        i += chunk
        if model.origin_ns is not None:
            clock[0] = model.origin_ns + int((model.last_t + rng.uniform(0, 0.08)) * 1e9)
            yield model, model.now()


def live(model: RunModel) -> list[Task]:
    return [
        t
        for t in model.tasks.values()
        if t.end is None and t.kind in (TaskKind.THREAD, TaskKind.ASYNC)
    ]


@pytest.mark.parametrize("window", [(60, 2.0), (37, 10.0), (90, None)], ids=str)
@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
def test_live_rows_drawn_tick_by_tick_match_a_whole_build(
    path: Path, window: tuple[int, float | None]
) -> None:
    """``window``: cells and seconds (None: the run so far, so the axis moves every tick)."""
    count, seconds = window
    checked = kept = 0
    for model, now in recorded_ticks(path):
        if model.started is None:
            continue
        t0 = model.started
        t1 = t0 + (seconds if seconds is not None else max(1.0, now - t0))
        for task in live(model):
            before = task._drawn
            if before is not None and before.key == (t0, t1, count):
                kept += before.settled(task, _marks(task)) > t0 + (t1 - t0) / count
            drawn = task.cells(t0, t1, count, now)
            assert drawn == whole_build(task, t0, t1, count, now), (task.label, now)
            checked += 1
    assert checked >= 20, checked
    if seconds is not None:  # the incremental path was taken, not only whole builds
        assert kept >= checked / 4, (kept, checked)


MS = 1_000_000


def late_waits_stream(seed: int) -> list[dict]:
    """One thread under the observer (a window every 50 ms) and the kernel (every 10 ms),
    whose waits (one at a time, as a thread's are) are told only when they end, so each lands
    inside windows already drawn; now and then one is told as it starts instead."""
    rng = random.Random(seed)
    pid, tid = 500, 501
    out: list[dict] = [
        {"e": "hello", "t": 0, "pid": pid, "v": 1, "scenario": "x", "params": {}, "cores": 2},
        {"e": "attribution", "t": 0, "pid": pid, "mode": "kernel", "reason": None},
        {"e": "run_start", "t": 0, "pid": pid},
        {"e": "task_start", "t": 1 * MS, "pid": pid, "id": "th", "kind": "thread",
         "name": "worker", "tid": tid, "internal": False},
    ]  # fmt: skip
    t = 1 * MS
    free_from = t  # the end of the thread's last wait
    told_at: int | None = None  # a wait told as it began, not ended yet
    held: dict | None = None  # a wait that ended, told later
    states = ("running", "gil", "core", "blocked", "sleeping", "io")
    for step in range(1, 160):
        end = t + 10 * MS
        rows = {rng.choice(states): rng.randint(1, 10) * MS for _ in range(rng.randint(1, 3))}
        out.append({"e": "offcpu", "t": end, "t0": t, "pid": pid, "sampler_cpu_ns": 0,
                    "rows": [[pid, tid, rows, {"sleeping": "clock_nanosleep"}]]})  # fmt: skip
        if step % 5 == 0:
            ran = rng.randint(0, 50) * MS
            out.append({"e": "window", "t": end, "t0": end - 50 * MS, "pid": pid,
                        "threads": {"th": [ran, 50 * MS - ran]}})  # fmt: skip
        if told_at is not None:
            if rng.random() < 0.2:
                out.append({"e": "wait", "t": end, "t0": told_at, "pid": pid, "id": "th",
                            "state": "sleeping", "what": "time.sleep"})  # fmt: skip
                told_at, free_from = None, end
        elif rng.random() < 0.1:
            out.append({"e": "wait_start", "t": end, "pid": pid, "id": "th",
                        "state": "sleeping", "what": "time.sleep"})  # fmt: skip
            told_at = end
        elif rng.random() < 0.2:  # a wait that began a while ago and just ended
            t0 = max(free_from, end - rng.randint(5, 120) * MS)
            if t0 < end:
                wait = {"e": "wait", "t": end, "t0": t0, "pid": pid, "id": "th",
                        "state": rng.choice(["sleeping", "blocked", "io"]), "what": "x"}  # fmt: skip
                if held is None and rng.random() < 0.3:
                    held = wait  # told after the next one: not in the order they ended
                else:
                    out += [wait, held] if held else [wait]
                    held = None
                free_from = end
        t = end
    return out


def late_ticks(seed: int) -> Iterator[tuple[int, RunModel, Task]]:
    """``late_waits_stream`` fed an event at a time, a tick every third, the clock at the
    event's time: the event's index, the model and the thread."""
    clock = [0]
    model = RunModel(clock=lambda: clock[0])
    for i, event in enumerate(late_waits_stream(seed)):
        model.feed(event)
        task = model.tasks.get("th")
        if i % 3 == 0 and task is not None:
            clock[0] = max(clock[0], event["t"])
            yield i, model, task


@pytest.mark.parametrize("cells", [200, 64])
@pytest.mark.parametrize("seed", range(6))
def test_a_wait_told_late_redraws_the_windows_it_falls_in(seed: int, cells: int) -> None:
    checked = 0
    for i, model, task in late_ticks(seed):
        if model.started is None:
            continue
        now, t0 = model.now(), model.started
        drawn = task.cells(t0, t0 + 2.0, cells, now)
        assert drawn == whole_build(task, t0, t0 + 2.0, cells, now), (seed, i)
        checked += 1
    assert checked >= 50


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
def test_live_spans_asked_for_tick_by_tick_match_a_whole_build(path: Path) -> None:
    checked = 0
    for model, now in recorded_ticks(path):
        for task in live(model):
            assert same_spans(task, now), (task.label, now)
            checked += 1
    assert checked >= 20, checked


@pytest.mark.parametrize("seed", range(6))
def test_live_spans_with_waits_told_late_match_a_whole_build(seed: int) -> None:
    for i, model, task in late_ticks(seed):
        assert same_spans(task, model.now()), (seed, i)
