"""The pure model, fed synthetic events with an injected clock."""

from __future__ import annotations

import pytest

from tui import events
from tui.model.run import STATES, LogMerge, RunModel, percentile
from tui.model.summary import format_text, summarize

MS = 1_000_000
S = 1_000_000_000


def ev(type_: str, t: int, /, **fields) -> dict:
    return {"e": type_, "t": t, "pid": 100, **fields}


def base_run() -> list[dict]:
    return [
        ev("hello", 0, v=events.VERSION, scenario="demo", params={"n": 2}, python="3.11", cores=2),
        ev("run_start", 0),
    ]


def test_a_sleeping_thread_is_sleeping_not_waiting():
    model = RunModel(clock=lambda: 2 * S)
    model.feed_many(
        [
            *base_run(),
            ev("task_start", 10 * MS, id="th2", kind="thread", name="t0", tid=7),
            ev("wait", 1010 * MS, id="th2", state="sleeping", t0=10 * MS, what="time.sleep(1.0)"),
            ev(
                "task_end",
                1010 * MS,
                id="th2",
                outcome="done",
                cpu_ns=1 * MS,
                sleep_ns=1000 * MS,
                block_ns=0,
            ),
        ]
    )
    task = model.tasks["th2"]
    split = task.time_in(model.now())
    assert split["sleeping"] == pytest.approx(1.0)
    assert task.gil_wait_s(model.now()) == pytest.approx(0.0, abs=1e-6)
    assert task.cells(0.0, 1.0, 10, model.now())[5] == "sleeping"


def test_thread_windows_split_running_and_gil_wait_in_measured_proportion():
    model = RunModel(clock=lambda: 1 * S)
    model.feed_many(
        [
            *base_run(),
            ev("task_start", 0, id="th2", kind="thread", name="cpu", tid=7),
            ev("window", 100 * MS, t0=0, threads={"th2": [25 * MS, 75 * MS]}),
        ]
    )
    spans = model.tasks["th2"].spans(model.now())
    running = sum(s.t1 - s.t0 for s in spans if s.state == "running" and s.t1 <= 0.1)
    waiting = sum(s.t1 - s.t0 for s in spans if s.state == "waiting")
    assert running == pytest.approx(0.025)
    assert waiting == pytest.approx(0.075)
    # live: the open task runs to the injected clock's edge
    assert spans[-1].t1 == pytest.approx(1.0)


def test_ended_thread_uses_exact_totals_from_its_end():
    model = RunModel()
    model.feed_many(
        [
            *base_run(),
            ev("task_start", 0, id="th2", kind="thread", name="cpu", tid=7),
            ev("task_end", 2 * S, id="th2", outcome="done", cpu_ns=1 * S, sleep_ns=0, block_ns=0),
        ]
    )
    task = model.tasks["th2"]
    assert task.gil_wait_s(model.now()) == pytest.approx(1.0)
    assert task.time_in(model.now())["running"] == pytest.approx(1.0)


def test_async_task_steps_sleeps_and_cancel_cause():
    model = RunModel()
    cause = {
        "kind": "taskgroup",
        "by": "a2",
        "detail": "TaskGroup cancelled its tasks after A failed",
    }
    model.feed_many(
        [
            *base_run(),
            ev("task_start", 0, id="a1", kind="async", name="Task-1", coro="main", parent=None),
            ev("task_start", 0, id="a2", kind="async", name="A", coro="boom", parent="a1"),
            ev("task_start", 0, id="a3", kind="async", name="Task-3", coro="fetch", parent="a1"),
            ev("step", 1 * MS, id="a3", t0=0),
            ev("wait", 500 * MS, id="a3", state="sleeping", t0=1 * MS, what="asyncio.sleep(1)"),
            ev("task_end", 500 * MS, id="a2", outcome="error", error="ValueError: boom"),
            ev("cancel", 500 * MS, id="a3", cause=cause),
            ev("step", 501 * MS, id="a3", t0=500 * MS),
            ev("task_end", 501 * MS, id="a3", outcome="cancelled", cancelled_by=cause),
            ev("task_end", 502 * MS, id="a1", outcome="done"),
            ev("run_end", 510 * MS, outcome="completed", error=None),
        ]
    )
    fetch = model.tasks["a3"]
    assert fetch.label == "fetch (Task-3)"  # a default name shows what the task runs
    assert model.tasks["a2"].label == "A"
    assert fetch.outcome == "cancelled"
    assert fetch.cancel_requests and fetch.cancel_requests[0][1]["by"] == "a2"
    split = fetch.time_in(model.now())
    assert split["sleeping"] == pytest.approx(0.499)
    assert split["running"] == pytest.approx(0.002)
    texts = [entry.text for entry in model.log]
    assert any("fetch (Task-3) cancelled" in t and "A failed" in t for t in texts)
    assert model.elapsed == pytest.approx(0.51)


def test_ready_span_marks_a_task_waiting_for_a_busy_loop():
    model = RunModel()
    model.feed_many(
        [
            *base_run(),
            ev("task_start", 0, id="a1", kind="async", name="tick", coro="tick"),
            ev("wait", 100 * MS, id="a1", state="sleeping", t0=0, what="asyncio.sleep(0.1)"),
            ev("ready", 900 * MS, id="a1", t0=100 * MS),
            ev("step", 901 * MS, id="a1", t0=900 * MS),
            ev("task_end", 901 * MS, id="a1", outcome="done"),
        ]
    )
    assert model.tasks["a1"].time_in(model.now())["waiting"] == pytest.approx(0.8)


def test_batched_steps_split_a_task_as_step_events_did():
    """``steps`` rows (id, t0, t, ready) give the same spans as a ``step`` (and ``ready``)
    event each; rows of unknown tasks are skipped, and a task's last steps may come after
    its end (the runner sends a flush's steps after its events)."""
    single, batched = RunModel(), RunModel()
    start = [
        *base_run(),
        ev("task_start", 0, id="a1", kind="async", name="tick", coro="tick"),
        ev("task_start", 0, id="a2", kind="async", name="tock", coro="tock"),
    ]
    single.feed_many(
        [
            *start,
            ev("step", 2 * MS, id="a1", t0=1 * MS),
            ev("step", 3 * MS, id="a2", t0=2 * MS),
            ev("wait", 100 * MS, id="a1", state="sleeping", t0=2 * MS, what="asyncio.sleep(0.1)"),
            ev("ready", 900 * MS, id="a1", t0=100 * MS),
            ev("step", 901 * MS, id="a1", t0=900 * MS),
            ev("step", 905 * MS, id="a2", t0=901 * MS),
            ev("task_end", 905 * MS, id="a2", outcome="done"),
            ev("task_end", 906 * MS, id="a1", outcome="done"),
            ev("run_end", 910 * MS, outcome="completed", error=None),
        ]
    )
    rows_before = ["a1", 1 * MS, 2 * MS, 0, "a2", 2 * MS, 3 * MS, 0, "gone", 3 * MS, 4 * MS, 0]
    rows_after = ["a1", 900 * MS, 901 * MS, 100 * MS, "a2", 901 * MS, 905 * MS, 0]
    batched.feed_many(
        [
            *start,
            ev("steps", 4 * MS, flat=rows_before),
            ev("wait", 100 * MS, id="a1", state="sleeping", t0=2 * MS, what="asyncio.sleep(0.1)"),
            ev("task_end", 905 * MS, id="a2", outcome="done"),
            ev("task_end", 906 * MS, id="a1", outcome="done"),
        ]
    )
    now = batched.now()
    before = batched.tasks["a2"].time_in(now)  # drawn once with the steps known so far
    batched.feed_many(
        [
            ev("steps", 905 * MS, flat=rows_after),
            ev("run_end", 910 * MS, outcome="completed", error=None),
        ]
    )
    assert before["running"] == pytest.approx(0.001)
    assert batched.dropped["invalid_event"] == 0
    for task_id in ("a1", "a2"):
        want = single.tasks[task_id].time_in(single.now())
        got = batched.tasks[task_id].time_in(batched.now())
        assert got == pytest.approx(want)
        assert [(s.t0, s.t1, s.state) for s in batched.tasks[task_id].spans(0)] == [
            (s.t0, s.t1, s.state) for s in single.tasks[task_id].spans(0)
        ]
    assert batched.tasks["a1"].time_in(batched.now())["waiting"] == pytest.approx(0.801)
    assert batched.tasks["a2"].time_in(batched.now())["running"] == pytest.approx(0.005)


def test_rows_of_starts_and_ends_are_the_events_they_stand_for():
    """``starts`` rows (id, t, name, parent, tid, coro, internal) and ``ends`` rows (id, t)
    make the same tasks and log as a ``task_start`` and a ``task_end`` (done) each; a row's
    name is program text, stored literally, as a task_start's is."""
    each, rows = RunModel(), RunModel()
    named = "[bold]fetch[/bold]\x1b[31m"
    each.feed_many(
        [
            *base_run(),
            ev(
                "task_start",
                1 * MS,
                id="a1",
                kind="async",
                name="Task-1",
                parent=None,
                tid=7,
                coro="main",
                internal=False,
            ),
            ev(
                "task_start",
                2 * MS,
                id="a2",
                kind="async",
                name=named,
                parent="a1",
                tid=7,
                coro="fetch",
                internal=False,
            ),
            ev(
                "task_start",
                2 * MS,
                id="a3",
                kind="async",
                name="Task-3",
                parent="a1",
                tid=7,
                coro="BaseEventLoop.shutdown_asyncgens",
                internal=True,
            ),
            ev("task_end", 5 * MS, id="a2", outcome="done"),
            ev("task_end", 6 * MS, id="a3", outcome="done"),
            ev("task_end", 9 * MS, id="a1", outcome="done"),
            ev("run_end", 10 * MS, outcome="completed", error=None),
        ]
    )
    starts = [
        *("a1", 1 * MS, "Task-1", None, 7, "main", False),
        *("a2", 2 * MS, named, "a1", 7, "fetch", False),
        *("a3", 2 * MS, "Task-3", "a1", 7, "BaseEventLoop.shutdown_asyncgens", True),
    ]
    ends = ["a2", 5 * MS, "a3", 6 * MS, "a1", 9 * MS]
    stream = [
        *base_run(),
        ev("starts", 2 * MS, flat=starts),
        ev("ends", 9 * MS, flat=ends),
        ev("run_end", 10 * MS, outcome="completed", error=None),
    ]
    for event in stream:
        events.check(event)
    rows.feed_many(stream)
    assert rows.dropped["invalid_event"] == 0
    assert rows.tasks.keys() == each.tasks.keys() == {"a1", "a2", "a3"}
    for task_id, want in each.tasks.items():
        got = rows.tasks[task_id]
        fields = ("kind", "name", "parent", "tid", "coro", "internal", "start", "end", "outcome")
        assert [getattr(got, f) for f in fields] == [getattr(want, f) for f in fields]
    assert "\x1b" not in rows.tasks["a2"].name  # shown literally, as a task_start's name
    assert [(e.t, e.kind, e.text) for e in rows.log] == [(e.t, e.kind, e.text) for e in each.log]
    assert rows.order == each.order == ["a1", "a2"]  # the internal task is not a row


def test_series_stalls_and_summary():
    model = RunModel()
    model.feed_many(
        [
            *base_run(),
            ev("gil", 50 * MS, t0=0, busy=1.0, lags_us=[5000, 5100]),
            ev("gil", 100 * MS, t0=50 * MS, busy=0.5, lags_us=[100, 5000]),
            ev("loop", 100 * MS, t0=0, lags_us=[200, 900_000]),
            ev(
                "stall",
                150 * MS,
                t0=20 * MS,
                file="x.py",
                line=3,
                function="f",
                code="time.sleep(1)",
            ),
            ev("stall_end", 920 * MS, t0=20 * MS),
            ev("cpu", 100 * MS, t0=0, per_core=[100.0, 0.0]),
            ev("cpu", 200 * MS, t0=100 * MS, per_core=[50.0, 50.0]),
            ev("procs", 200 * MS, rows=[[100, "python", 0.3], [101, "python", 0.2]]),
            ev("procs", 300 * MS, rows=[[100, "python", 0.4]]),
            ev("output", 300 * MS, stream="stdout", text="hello\n"),
            ev("run_end", 1 * S, outcome="completed", error=None, self_cpu_s=0.45),
        ]
    )
    s = summarize(model)
    assert s.gil.busy_mean == pytest.approx(0.75)
    assert s.gil.busy_max == 1.0
    assert s.loop_lag_ms is not None and s.loop_lag_ms.max == pytest.approx(900.0)
    assert s.cpu.mean_percent_per_core == (75.0, 25.0)
    assert s.cpu.scenario_cpu_s == pytest.approx(0.65)  # last reading of each process
    assert s.stalls[0].duration_s == pytest.approx(0.9)
    assert s.stdout == "hello\n"
    assert "GIL: held mean 0.75" in format_text(model, s)


def test_the_runners_start_and_tidying_are_not_the_scenarios_cpu():
    """Only what was used between run_start and the program's end counts: on a run that
    sleeps, the runner's own start (interpreter, hooks) would read as cores busy."""
    model = RunModel()
    hello = ev("hello", 0, v=events.VERSION, scenario="demo", params={}, python="3.11", cores=2)
    model.feed_many(
        [
            hello,
            # a pool's server had started: 0.06 s of its time is its start's
            ev("run_start", 0, self_cpu_s=0.25, children_cpu=[[101, 0.06], ["x", 1], [7]]),
            ev("procs", 200 * MS, rows=[[100, "python", 0.27], [101, "python", 0.1]]),
            ev("run_end", 1 * S, outcome="completed", error=None, self_cpu_s=0.3),
            ev("procs", 1100 * MS, rows=[[100, "python", 0.5], [101, "python", 0.2]]),
        ]
    )
    assert model.dropped["invalid_event"] == 0
    s = summarize(model)
    # the runner's to its end, then the server's (its later readings count: it served the run)
    assert s.cpu.scenario_cpu_s == pytest.approx(0.05 + 0.14)
    assert s.cpu.startup_cpu_s == pytest.approx(0.25 + 0.06)
    assert s.cores_busy == pytest.approx(0.19)
    old = RunModel()  # a recording from before run_start said: every reading counts
    old.feed_many([hello, ev("run_start", 0), ev("procs", 200 * MS, rows=[[100, "py", 0.5]])])
    assert old.scenario_cpu_s == pytest.approx(0.5) and old.startup_cpu_s is None


def test_percentile_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile(list(map(float, range(1, 101))), 99) == 99.0


@pytest.mark.parametrize(
    "bad, message",
    [
        ([1, 2], "JSON object"),
        ({"e": "nope", "t": 1, "pid": 1}, "unknown event type"),
        ({"e": "run_start", "t": "x", "pid": 1}, "integer"),
        ({"e": "task_start", "t": 1, "pid": 1, "id": "a", "kind": "thread"}, "name"),
        (
            {"e": "hello", "t": 1, "pid": 1, "v": 99, "scenario": "", "params": {}, "python": ""},
            "version",
        ),
    ],
)
def test_schema_rejects_bad_events(bad, message):
    with pytest.raises(events.SchemaError, match=message):
        events.check(bad)


def test_a_new_async_task_waits_for_its_first_step():
    model = RunModel()
    model.feed_many(
        [
            *base_run(),
            ev("task_start", 0, id="a1", kind="async", name="t", coro="t"),
            ev("step", 301 * MS, id="a1", t0=300 * MS),
            ev("task_end", 301 * MS, id="a1", outcome="done"),
        ]
    )
    split = model.tasks["a1"].time_in(model.now())
    assert split["waiting"] == pytest.approx(0.3)  # ready, the loop busy elsewhere
    assert split["running"] == pytest.approx(0.001)


def test_a_thread_shorter_than_a_window_is_drawn_from_its_exact_totals():
    model = RunModel()
    model.feed_many(
        [
            *base_run(),
            ev("task_start", 0, id="th2", kind="thread", name="quick", tid=7),
            ev(
                "task_end",
                30 * MS,
                id="th2",
                outcome="done",
                cpu_ns=10 * MS,
                sleep_ns=0,
                block_ns=0,
            ),
        ]
    )
    spans = model.tasks["th2"].spans(model.now())
    drawn = {state: sum(s.t1 - s.t0 for s in spans if s.state == state) for state in STATES}
    assert drawn["running"] == pytest.approx(0.010)
    assert drawn["waiting"] == pytest.approx(0.020)


def test_a_live_pool_item_follows_its_threads_proc_state():
    model = RunModel(clock=lambda: 1 * S)
    model.feed_many(
        [
            *base_run(),
            ev("task_start", 0, id="p9.1", kind="process", name="work(1)", tid=9),
            ev("threads", 100 * MS, rows=[[9, 9, "R", 0.1, 0]]),
            ev("threads", 200 * MS, rows=[[9, 9, "S", 0.1, 0]]),
        ]
    )
    cells = model.tasks["p9.1"].cells(0.0, 1.0, 10, model.now())
    assert cells[0] == "running" and cells[5] == "sleeping"


# -- the log: time order, one name per task, bursts, output lines ---------------------------------
def test_the_log_is_released_in_time_order_whatever_the_arrival_order():
    now = [0]
    model = RunModel(clock=lambda: now[0])
    merge = LogMerge(hold_s=0.2)
    model.feed_many(
        [
            *base_run(),
            ev("task_start", 10 * MS, id="a1", kind="async", name="Task-1", coro="fetch"),
            ev("rename", 10 * MS, id="a1", name="A"),  # named right after it was made
            # The supervisor's sample arrives first; the runner's output, written earlier,
            # comes with the next 50 ms batch, split mid-line.
            ev("task_start", 40 * MS, id="th2", kind="thread", name="late"),
            {**ev("output", 20 * MS, stream="stdout", text="first li"), "pid": 100},
            {**ev("output", 30 * MS, stream="stdout", text="ne\nsecond\npart"), "pid": 100},
            {**ev("output", 25 * MS, stream="stdout", text="worker says\n"), "pid": 200},
        ]
    )
    now[0] = 100 * MS
    assert merge.take(model) == [], "nothing is final until the live edge is 0.2 s past it"
    now[0] = 300 * MS
    released = merge.take(model)
    assert [(round(e.t, 3), e.text) for e in released] == [
        (0.01, "A started (async)"),
        (0.02, "first line"),
        (0.025, "worker says"),
        (0.03, "second"),
        (0.04, "late started (thread)"),
    ]
    model.feed_many(
        [
            ev("task_end", 310 * MS, id="a1", outcome="done"),
            ev("run_end", 320 * MS, outcome="completed", error=None),
            ev("supervisor_end", 330 * MS, exit_code=0),
        ]
    )
    rest = [e.text for e in merge.take(model)]
    assert rest == ["part", "A finished", "run completed"]  # the unfinished line, at its time
    assert model.stdout_text() == "first line\nworker says\nsecond\npart"


def test_a_burst_is_collapsed_only_within_a_tenth_of_a_second():
    model = RunModel()
    starts = [
        ev("task_start", 100 * MS, id=f"a{i}", kind="async", name=f"job-{i}") for i in range(1000)
    ]
    # They finish spread over a second, 0.1 to 1.1 s: not one line at the first's time.
    ends = [ev("task_end", (100 + i) * MS, id=f"a{i}", outcome="done") for i in range(1000)]
    model.feed_many([*base_run(), *starts, *ends, ev("run_end", 1200 * MS, outcome="completed")])
    released = LogMerge().take(model)
    started = [e for e in released if e.kind == "started"]
    assert len(started) == 1 and started[0].text.startswith("1,000 tasks started (job-0 …")
    finished = [e for e in released if e.kind == "finished"]
    assert 5 <= len(finished) <= 20, [e.text for e in finished]
    counts = [int(e.text.split()[0].replace(",", "")) for e in finished]
    assert sum(counts) == 1000
    assert finished[0].t == pytest.approx(0.1) and finished[-1].t >= 1.0


def test_a_cancel_message_is_part_of_the_cause_in_words():
    model = RunModel()
    cause = {"kind": "program", "by": None, "detail": "task.cancel() called at x.py:3"}
    assert model.describe_cause(cause) == "task.cancel() called at x.py:3"
    said = model.describe_cause({**cause, "msg": "shutting down\x1b[2J"})
    assert said == "task.cancel() called at x.py:3, message 'shutting down\\x1b[2J'"


def test_a_stall_is_as_long_as_its_step():
    model = RunModel()
    stall = dict(file="x.py", line=3, function="f", code="time.sleep(0.3)")
    model.feed_many(
        [
            *base_run(),
            ev("stall", 230 * MS, t0=100 * MS, **stall),
            ev("stall_end", 402 * MS, t0=100 * MS),
        ]
    )
    (only,) = summarize(model).stalls
    assert only.duration_s == pytest.approx(0.302)
    assert "free again after 302 ms" in model.log[-1].text


def test_words_outside_the_vocabulary_are_dropped_and_counted_not_stored():
    """The model holds the typed words (TaskKind, TaskState, TaskOutcome, RunOutcome): an event
    with another word does not make sense, so it is counted, never drawn."""
    model = RunModel()
    model.feed_many(
        [
            *base_run(),
            ev("task_start", 1 * MS, id="f1", kind="fiber", name="f"),
            ev("task_start", 1 * MS, id="th2", kind="thread", name="t", tid=7),
            ev("wait", 3 * MS, id="th2", state="dozing", t0=2 * MS, what="?"),
            ev("task_end", 4 * MS, id="th2", outcome="vanished"),
            ev("run_end", 5 * MS, outcome="exploded"),
        ]
    )
    assert model.dropped["invalid_event"] == 4
    assert list(model.tasks) == ["th2"] and model.tasks["th2"].kind is events.TaskKind.THREAD
    thread = model.tasks["th2"]
    assert thread.waits == [] and thread.outcome is None and thread.end is None
    assert model.outcome is None and model.ended is None
    model.feed(ev("run_end", 6 * MS, outcome="completed"))
    assert model.outcome is events.RunOutcome.COMPLETED
    assert model.tasks["th2"].time_in(model.now()).keys() == set(STATES)


def test_a_cell_shows_the_state_that_fills_most_of_it_small_spans_or_long() -> None:
    """Many spans shorter than a cell (a busy thread's) and a few across cells, before the
    drawn part and in it: each cell's state is the one with the most time in it."""
    import random

    from tui.events import TaskState
    from tui.model.run import Span, _fill

    rng = random.Random(7)
    states = [TaskState.RUNNING, TaskState.GIL, TaskState.BLOCKED]
    t0, width, count, first = 0.0, 0.25, 40, 3
    spans, t = [], -0.3
    while t < 10.5:
        if rng.random() < 0.01:  # now and then one across cells
            length, state = 0.6, rng.choice(states)
        else:  # mostly short ones, mostly of a state of the cell's own
            length = rng.choice([0.001, 0.004, 0.02])
            mostly = states[int((t - t0) // width) % len(states)]
            state = mostly if rng.random() < 0.7 else rng.choice(states)
        spans.append(Span(t, t + length, state))
        t += length + rng.choice([0.0, 0.002])
    cells = _fill(spans, t0, width, count, first)
    for i in range(first, count):
        c0, c1 = t0 + i * width, t0 + (i + 1) * width
        inside = {}
        for span in spans:
            overlap = min(span.t1, c1) - max(span.t0, c0)
            if overlap > 0:
                inside[span.state] = inside.get(span.state, 0.0) + overlap
        assert cells[i] == max(inside, key=inside.__getitem__), i
    assert cells[:first] == [None] * first
