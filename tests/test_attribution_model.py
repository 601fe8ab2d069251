"""The kernel's account in the pure model, and the classification of syscall lines:
synthetic events, an injected clock (no processes)."""

from __future__ import annotations

import pytest
from test_model import MS, S, base_run, ev

from tui import events
from tui.events import Attribution, TaskState
from tui.model.run import RunModel
from tui.model.summary import format_text, sequential_estimate, summarize
from tui.supervisor.attribution import GIL_MARGIN, classify

GIL = 0x7F00_0000_0200


@pytest.mark.parametrize(
    ("line", "state", "what"),
    [
        (b"running\n", None, None),
        (f"202 {GIL:#x} 0x189 0x0 0x0 0x0 0x0 0x7ffd 0x7f00\n".encode(), TaskState.GIL, "the GIL"),
        (f"202 {GIL + 4:#x} 0x189 0x0 0x0 0x0 0x0 0x7ffd 0x7f00".encode(), TaskState.GIL, None),
        (f"202 {GIL + GIL_MARGIN + 8:#x} 0x80 0x0 0x0 0x0 0x0 0x1 0x2".encode(), "blocked", None),
        (b"45 0x5 0x7f 0x10 0x0 0x0 0x0 0x1 0x2", TaskState.IO, "recvfrom"),
        (b"61 0xffffffffffffffff 0x7ff 0x0 0x0 0x0 0x0 0x1 0x2", TaskState.IO, "child process"),
        (b"230 0x1 0x0 0x7ff 0x7ff 0x0 0x0 0x1 0x2", TaskState.SLEEPING, "clock_nanosleep"),
        (b"270 0x4 0x7ff 0x0 0x0 0x0 0x7ff 0x1 0x2", TaskState.IO, "pselect6"),
    ],
)
def test_a_syscall_line_says_why_a_thread_is_off_cpu(line, state, what) -> None:
    found = classify(line, [GIL])
    if state is None:
        assert found is None
        return
    assert found is not None and found[0] == state
    if what:
        assert what in found[1]


def test_without_calibrated_words_no_futex_is_taken_for_the_gil() -> None:
    assert classify(f"202 {GIL:#x} 0x189 0 0 0 0 1 2".encode(), [])[0] == TaskState.BLOCKED


def offcpu(t: int, t0: int, tid: int, **states: int) -> dict:
    return ev("offcpu", t, t0=t0, rows=[[100, tid, dict(states), {"gil": "the GIL"}]])


def test_kernel_windows_say_why_a_thread_was_not_running() -> None:
    """A thread that ran half of each window: the other half is GIL wait, as the kernel saw."""
    model = RunModel(clock=lambda: 1 * S)
    model.feed_many(
        [
            *base_run(),
            ev("attribution", 0, mode="kernel", reason=None),
            ev("task_start", 0, id="th2", kind="thread", name="cpu", tid=7),
            ev("window", 100 * MS, t0=0, threads={"th2": [50 * MS, 50 * MS]}),
            offcpu(100 * MS, 0, 7, running=50 * MS, gil=45 * MS, core=5 * MS),
            ev("window", 200 * MS, t0=100 * MS, threads={"th2": [50 * MS, 50 * MS]}),
            offcpu(200 * MS, 100 * MS, 7, running=50 * MS, gil=45 * MS, core=5 * MS),
        ]
    )
    task = model.tasks["th2"]
    split = task.time_in(0.2)
    assert split[TaskState.RUNNING] == pytest.approx(0.1, abs=1e-6)
    assert split[TaskState.GIL] == pytest.approx(0.09, abs=1e-6)
    assert split[TaskState.CORE] == pytest.approx(0.01, abs=1e-6)
    assert split[TaskState.WAITING] == 0
    assert task.gil_wait_s(0.2) == pytest.approx(0.09, abs=1e-6)
    model.feed(
        ev("task_end", 200 * MS, id="th2", outcome="done", cpu_ns=100 * MS, sleep_ns=0, block_ns=0)
    )
    assert task.time_in(0.2)[TaskState.GIL] == pytest.approx(0.09, abs=1e-6)  # exact totals kept
    assert model.gil_contended_mean == pytest.approx(0.45)  # thread-seconds waited per second


def test_hook_spans_keep_their_time_and_the_kernel_explains_the_rest() -> None:
    """A 90 ms hooked sleep, then 10 ms back from it waiting for the GIL: the kernel's sleeping
    is the hook's, its GIL wait is what is left."""
    model = RunModel(clock=lambda: 1 * S)
    model.feed_many(
        [
            *base_run(),
            ev("attribution", 0, mode="kernel", reason=None),
            ev("task_start", 0, id="th2", kind="thread", name="napper", tid=7),
            ev("wait", 90 * MS, id="th2", state="sleeping", t0=0, what="time.sleep(0.09)"),
            ev("window", 100 * MS, t0=0, threads={"th2": [0, 10 * MS]}),
            offcpu(100 * MS, 0, 7, sleeping=90 * MS, gil=10 * MS),
        ]
    )
    split = model.tasks["th2"].time_in(0.1)
    assert split[TaskState.SLEEPING] == pytest.approx(0.09, abs=1e-6)
    assert split[TaskState.GIL] == pytest.approx(0.01, abs=1e-6)


def test_a_queued_call_is_queued_live_and_after() -> None:
    model = RunModel(clock=lambda: 500 * MS)
    start = ev("task_start", 0, id="x1", kind="call", name="f(1)", queued=True, parent="th1")
    model.feed_many([*base_run(), start])
    task = model.tasks["x1"]
    assert [s.state for s in task.spans(0.5)] == [TaskState.QUEUED]
    model.feed_many(
        [
            ev("task_start", 0, id="th2", kind="thread", name="worker", tid=7),
            ev("task_start", 300 * MS, id="x1", kind="call", name="f(1)", tid=7, worker="th2"),
            ev("task_end", 400 * MS, id="x1", outcome="done", cpu_ns=100 * MS),
        ]
    )
    assert task.worker == "th2" and task.queued_s == pytest.approx(0.3)
    assert task.time_in(0.5)[TaskState.QUEUED] == pytest.approx(0.3)
    assert task.time_in(0.5)[TaskState.RUNNING] == pytest.approx(0.1)


def test_a_call_cancelled_before_a_worker_took_it_was_queued_all_its_life() -> None:
    model = RunModel(clock=lambda: 1 * S)
    cause = {"kind": "program", "by": None, "detail": "future.cancel()", "where": None}
    model.feed_many(
        [
            *base_run(),
            ev("task_start", 0, id="x1", kind="call", name="f(1)", queued=True),
            ev("task_end", 200 * MS, id="x1", outcome="cancelled", cancelled_by=cause),
        ]
    )
    task = model.tasks["x1"]
    assert task.queued_s == pytest.approx(0.2)
    assert [s.state for s in task.spans(1.0)] == [TaskState.QUEUED]


def test_no_work_measured_means_no_speed_up() -> None:
    model = RunModel(clock=lambda: 1 * S)
    model.feed_many([*base_run(), ev("run_end", 1 * S, outcome="completed", error=None)])
    s = summarize(model)
    assert sequential_estimate(model) is None
    assert s.speedup is None and s.sequential_s is None
    assert "no estimate" in format_text(model, s) and "x0.00" not in format_text(model, s)


def test_a_free_threaded_build_has_no_gil() -> None:
    model = RunModel(clock=lambda: 1 * S)
    hello = ev(
        "hello", 0, v=events.VERSION, scenario="d", params={}, python="3.13", gil_enabled=False
    )
    model.feed_many([hello, ev("run_start", 0), ev("attribution", 0, mode="kernel", reason=None)])
    model.feed(ev("run_end", 1 * S, outcome="completed", error=None))
    s = summarize(model)
    assert s.gil.enabled is False and s.gil.contended is None
    assert "no GIL" in format_text(model, s) or "none" in format_text(model, s)


def test_hooks_only_is_noted_once() -> None:
    model = RunModel(clock=lambda: 1 * S)
    note = ev("attribution", 0, mode="hooks-only", reason="/proc/1/task/*/syscall unreadable")
    model.feed_many([*base_run(), note, ev("run_end", 1 * S, outcome="completed", error=None)])
    s = summarize(model)
    assert model.attribution == Attribution.HOOKS_ONLY
    assert s.attribution == "hooks-only" and "unreadable" in (s.attribution_reason or "")
    assert sum("hooks only" in n for n in model.notes) == 1
    assert "hooks only" in format_text(model, s)


def test_a_sampler_that_falls_behind_is_said_once_and_counted() -> None:
    """A starved sampler sweeps seldom, and a few-ms wait can fall between two sweeps: the
    note says so once it matters, and the summary counts the sweeps and the late ones."""
    model = RunModel(clock=lambda: 1 * S)
    model.feed_many([*base_run(), ev("attribution", 0, mode="kernel", reason=None)])
    ticks = [(10, 0), (10, 1), (9, 2)]  # 29 sweeps, 3 late: under a tenth, and under 10
    behind = [(4, 4), (5, 5), (3, 3)]  # then 12 more, all late: 15 of 41
    for i, (sweeps, late) in enumerate(ticks + behind):
        t = (i + 1) * 100 * MS
        model.feed(ev("offcpu", t, t0=t - 100 * MS, rows=[], sweeps=sweeps, late=late))
        assert model.sampler_coarse == (i >= 4), i
    notes = [n for n in model.notes if "fell behind" in n]
    assert notes == [notes[0]] and "one sweep in 3 came late" in notes[0]
    s = summarize(model)
    assert (s.gil.sweeps, s.gil.late_sweeps) == (41, 15)
    assert model.sweeps == [41, 15]
    assert "busy: 15 of the kernel sampler's 41 sweeps came late" in format_text(model, s)


def test_recordings_without_sweep_counts_read_as_never_late() -> None:
    model = RunModel(clock=lambda: 1 * S)
    model.feed_many([*base_run(), offcpu(100 * MS, 0, 7, running=50 * MS)])
    assert not model.sampler_coarse and summarize(model).gil.late_sweeps == 0
    assert "sweeps came late" not in format_text(model, summarize(model))
