"""What a program or a recording sends is data: checked, bounded, shown as literal text."""

from __future__ import annotations

import json
import os
import re
import socket
import time
from pathlib import Path

import pytest
from conftest import PROGRAMS, until, wait_for

from tui import catalog, events
from tui.app.app import ConcurApp
from tui.app.screens.dashboard import DashboardScreen
from tui.app.widgets.gil_pane import GilPane
from tui.catalog import UsageError
from tui.cli import check_served_command
from tui.events import SchemaError
from tui.literal import visible
from tui.model.run import MAX_LOG_ENTRIES, MAX_OUTPUT_CHARS, RunModel
from tui.model.summary import format_text, summarize
from tui.recording import (
    Recorder,
    RecordingError,
    Replay,
    demo_names,
    demo_path,
    load,
    load_model,
)
from tui.supervisor.session import RunSession

ESC = "\x1b"


def steps_event(flat: list) -> dict:
    return rows_event("steps", flat)


def rows_event(kind: str, flat: list) -> dict:
    return {"e": kind, "t": 1, "pid": 1, "flat": flat}


# An asyncio task's start as a ``starts`` row: id, t, name, parent, tid, coro, internal.
START_ROW = ["a1.2", 5, "fetch", "a1.1", 42, "main.<locals>.fetch", False]


GOOD = {"e": "task_start", "t": 5, "pid": 1, "id": "th1.1", "kind": "thread", "name": "t"}
END = {"e": "task_end", "t": 6, "pid": 1, "id": "th1.1", "outcome": "done"}


# -- the schema -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ([1, 2, 3], "JSON object"),
        ({k: v for k, v in GOOD.items() if k != "t"}, "integer 't'"),
        ({**GOOD, "t": 10**30}, "out of range"),
        ({**GOOD, "name": "x" * (events.MAX_TEXT + 1)}, "longer than"),
        ({**GOOD, "extra": {"a": [float("nan")]}}, "not finite"),
        ({**GOOD, "extra": [[[[[[[[[[1]]]]]]]]]]}, "nested deeper"),
        ({"e": "dropped", "t": 1, "pid": 1, "what": "bananas", "count": 1}, "unknown what"),
        ({"e": "nonsense", "t": 1, "pid": 1}, "unknown event type"),
        (steps_event(["a1.1", 1, 2]), "multiple of 4"),
        (steps_event(["a1.1", 1, 2, 0] * (events.MAX_ITEMS // 4 + 1)), "more than"),
        (steps_event([7, 1, 2, 0]), "id is not a string"),
        (steps_event(["x" * (events.MAX_ID + 1), 1, 2, 0]), "id is not a string"),
        (steps_event(["", 1, 2, 0]), "id is not a string"),
        (steps_event(["a1.1", 1.5, 2, 0]), "t0 is not an integer time"),
        (steps_event(["a1.1", 1, True, 0]), "t is not an integer time"),
        (steps_event(["a1.1", 3, 2, 0]), "order"),
        (steps_event(["a1.1", 1, 2, 5]), "order"),
        (steps_event(["a1.1", -1, 2, 0]), "t0 is not an integer time"),
        (steps_event(["a1.1", 1, 2**63, 0]), "t is not an integer time"),
        (rows_event("starts", [*START_ROW[:-1]]), "multiple of 7"),
        (rows_event("starts", [*START_ROW[:2], None, *START_ROW[3:]]), "name is not a string"),
        (rows_event("starts", [*START_ROW[:5], "x" * 401, False]), "coro is not a string of at"),
        (rows_event("starts", [*START_ROW[:3], 5, *START_ROW[4:]]), "parent is not a string"),
        (rows_event("starts", [*START_ROW[:4], "12", *START_ROW[5:]]), "tid is not an integer"),
        (rows_event("starts", [*START_ROW[:-1], 0]), "internal is not true or false"),
        (rows_event("ends", ["a1.1", 5, "a1.2"]), "multiple of 2"),
        (rows_event("ends", ["a1.1", "5"]), "t is not an integer time"),
        ({"e": "steps", "t": 1, "pid": 1, "flat": {"a": 1}}, "wrong type"),
        ({**GOOD, "kind": "fiber"}, "unknown kind 'fiber'"),
        ({**GOOD, "tid": "12"}, "field 'tid' has the wrong type"),  # optional, checked
        ({**GOOD, "internal": 1}, "field 'internal'"),  # a bool is not an int, nor 1 a bool
        ({**END, "outcome": "finished"}, "unknown outcome"),
        ({**END, "cpu_ns": 1.5}, "field 'cpu_ns'"),
        ({**END, "cancelled_by": {"by": "a1.2"}}, "cancelled_by: field 'kind' missing"),
        ({**END, "cancelled_by": {"kind": "magic"}}, "cancelled_by: unknown kind 'magic'"),
        (
            {"e": "wait", "t": 1, "pid": 1, "id": "a", "state": "dozing", "t0": 0, "what": ""},
            "state",
        ),
        ({"e": "output", "t": 1, "pid": 1, "stream": "stdin", "text": ""}, "unknown stream"),
        ({"e": "run_end", "t": 1, "pid": 1, "outcome": "done"}, "unknown outcome 'done'"),
        ({"e": "gil", "t": 1, "pid": 1, "t0": 0, "busy": True, "lags_us": []}, "'busy'"),
    ],
)
def test_the_schema_refuses_what_cannot_be_shown(event: object, problem: str) -> None:
    with pytest.raises(SchemaError, match=problem):
        events.check(event)


def test_optional_fields_of_the_right_type_and_unknown_fields_pass() -> None:
    cause = {"kind": "timeout", "by": None, "detail": "wait_for", "where": "x.py:3", "msg": "m"}
    end = {**END, "outcome": "timeout", "cancelled_by": cause, "cpu_ns": 5, "cores": [0, 1]}
    assert events.check(end) is end
    assert events.check({**GOOD, "tid": None, "core": 1, "internal": False, "future": [1]})
    assert events.check({"e": "gil", "t": 1, "pid": 1, "t0": 0, "busy": 1, "lags_us": []})


def test_every_field_the_recorded_streams_carry_is_declared() -> None:
    """The TypedDicts describe the real stream: every field of every event in the shipped
    demos is declared for its type (so mypy and ``check`` see all that the model reads)."""
    undeclared: set[tuple[str, str]] = set()
    for name in demo_names():
        for event in load(demo_path(name))[1]:
            known = events.schema()[event["e"]].keys() | {"e", "t", "pid"}
            undeclared |= {(event["e"], key) for key in event if key not in known}
    assert not undeclared


def test_every_documented_event_type_is_declared_and_every_text_field_exists() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "events.md").read_text()
    documented = set(re.findall(r"^\| `(\w+)` \|", doc, re.MULTILINE))
    assert documented - {"e", "t", "pid"} == set(events.schema())  # less the common fields
    for kind, fields in events.TEXT_FIELDS.items():
        assert set(fields) <= events.schema()[kind].keys(), kind


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": -Infinity}', '{"a": 1e999}'])
def test_strict_loads_refuses_numbers_json_cannot_hold(text: str) -> None:
    with pytest.raises(ValueError):
        events.loads(text)


def test_strict_json_turns_non_finite_numbers_into_null() -> None:
    text = events.dumps_strict({"a": float("nan"), "b": [float("inf"), 1.5]})
    assert json.loads(text) == {"a": None, "b": [None, 1.5]}


# -- literal text -----------------------------------------------------------------------------
def test_control_characters_are_escaped_visibly() -> None:
    assert visible(f"{ESC}]52;c;aGk={ESC}\\ ok") == "\\x1b]52;c;aGk=\\x1b\\ ok"
    assert visible("a\u202eb\x07\x9b") == "a\\u202eb\\x07\\x9b"
    assert visible("one\ntwo\tthree", lines=True) == "one\ntwo\tthree"
    assert visible("one\ntwo") == "one\\x0atwo"
    assert visible("plain [bold]text[/]") == "plain [bold]text[/]"


def named_thread_events(name: str, output: str = "") -> list[dict]:
    t = 1_000_000_000
    return [
        {"e": "hello", "t": t, "pid": 1, "v": 1, "scenario": f"s{ESC}[2J", "params": {},
         "python": "3.11"},
        {"e": "run_start", "t": t + 1, "pid": 1},
        {"e": "task_start", "t": t + 2, "pid": 1, "id": "th1.1", "kind": "thread", "name": name},
        {"e": "window", "t": t + 50_000_000, "pid": 1, "t0": t + 2,
         "threads": {"th1.1": [10_000_000, 40_000_000]}},
        {"e": "output", "t": t + 60_000_000, "pid": 1, "stream": "stdout", "text": output},
        {"e": "task_end", "t": t + 100_000_000, "pid": 1, "id": "th1.1", "outcome": "error",
         "error": f"boom {ESC}]0;title\a", "cpu_ns": 10_000_000},
        {"e": "run_end", "t": t + 100_000_001, "pid": 1, "outcome": "completed", "error": None},
    ]  # fmt: skip


def test_names_messages_and_output_are_stored_as_literal_text() -> None:
    model = RunModel()
    model.feed_many(named_thread_events(f"[/x]{ESC}[31m", f"{ESC}[2J cleared?\n"))
    task = model.tasks["th1.1"]
    assert task.name == "[/x]\\x1b[31m"
    assert task.error == "boom \\x1b]0;title\\x07"
    assert model.scenario == "s\\x1b[2J"
    summary = summarize(model)
    text = format_text(model, summary)
    assert ESC not in text and "\a" not in text
    assert "\\x1b[2J cleared?" in summary.stdout
    assert ESC not in events.dumps_strict(summary.to_json())


def test_the_supervisors_words_in_a_recording_are_literal_text_too() -> None:
    """A recording's off-CPU reasons and attribution note are the file's, not the kernel's."""
    t, ms = 10**12, 10**6
    model = RunModel()
    model.feed_many(
        [
            {"e": "hello", "t": t, "pid": 1, "v": 1, "scenario": "s", "params": {}, "python": "3"},
            {"e": "attribution", "t": t, "pid": 9, "mode": "hooks-only", "reason": f"{ESC}[2J"},
            {"e": "run_start", "t": t, "pid": 1},
            {"e": "task_start", "t": t, "pid": 1, "id": "th1.1", "kind": "thread", "name": "w",
             "tid": 7},
            {"e": "offcpu", "t": t + 100 * ms, "pid": 9, "t0": t,
             "rows": [[1, 7, {"blocked": 100 * ms}, {"blocked": f"recv {ESC}]52;c;aGk=\a"}]]},
            {"e": "task_end", "t": t + 100 * ms, "pid": 1, "id": "th1.1", "outcome": "done"},
            {"e": "run_end", "t": t + 100 * ms, "pid": 1, "outcome": "completed"},
        ]
    )  # fmt: skip
    assert model.dropped["invalid_event"] == 0
    assert model.tasks["th1.1"].kernel[0].what == {"blocked": "recv \\x1b]52;c;aGk=\\x07"}
    text = format_text(model, summarize(model))
    assert ESC not in text and ESC not in " ".join(model.notes)


async def test_a_thread_named_like_markup_is_shown_as_it_is() -> None:
    app = ConcurApp(replay=named_thread_events("[/x]"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        dashboard = app.screen
        await wait_for(pilot, lambda: dashboard.model.ended is not None)
        await pilot.pause(0.2)
        gil = str(dashboard.query_one(GilPane).query_one("#gil-threads").render())
        assert "[/x]" in gil
    app2 = ConcurApp(replay=named_thread_events("T-1 [worker]"))
    async with app2.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app2.screen, DashboardScreen))
        await pilot.pause(0.3)
        gil = str(app2.screen.query_one(GilPane).query_one("#gil-threads").render())
        assert "T-1 [worker]" in gil


def test_an_event_the_model_cannot_use_is_dropped_and_counted() -> None:
    model = RunModel()
    model.feed_many(
        [
            {"e": "threads", "t": 1, "pid": 1, "rows": [["not", "a", "row"]]},
            {"e": "procs", "t": 2, "pid": 1, "rows": [1]},
            {"e": "run_start", "t": 3, "pid": 1},
        ]
    )
    assert model.dropped["invalid_event"] == 2
    assert model.started is not None
    assert "2 invalid events dropped" in format_text(model, summarize(model))


def test_the_model_keeps_the_newest_output_within_its_bound() -> None:
    model = RunModel()
    chunk = "y" * 99 + "\n"
    for i in range(2 * MAX_OUTPUT_CHARS // (len(chunk) * 1000)):
        model.feed({"e": "output", "t": i, "pid": 1, "stream": "stdout", "text": chunk * 1000})
    kept = sum(len(text) for _, _, text, _ in model.output)
    assert kept <= MAX_OUTPUT_CHARS
    fed = model.output_offset + len(model.output)
    assert model.dropped["output_line"] * len(chunk) + kept == fed * len(chunk) * 1000
    # The log of output lines is bounded too, and counts the lines it has seen.
    short = MAX_LOG_ENTRIES // 1000
    for i in range(short):
        model.feed(
            {"e": "output", "t": 1e3 + i, "pid": 1, "stream": "stdout", "text": "x\n" * 1000}
        )
    assert MAX_LOG_ENTRIES // 2 <= len(model.log) <= MAX_LOG_ENTRIES
    assert model.log_count == (fed + short) * 1000
    assert model.log_since(0) == model.log
    assert model.log_since(model.log_count - 5) == model.log[-5:]


# -- recordings -------------------------------------------------------------------------------
def recording(tmp_path: Path, events_: list[dict], **meta: object) -> Path:
    path = tmp_path / "r.jsonl"
    header = {"format": "concur-tui-recording", "version": 1, "events": len(events_), **meta}
    path.write_text("\n".join(json.dumps(x) for x in [header, *events_]) + "\n")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"t": 10**30}, "out of range"),
        ({"t": 1_000_000_000 + 25 * 3600 * 10**9}, "more than 24 h away"),
        ({"busy": float("nan")}, "NaN is not a number"),
    ],
)
def test_a_recording_with_impossible_numbers_is_refused(
    tmp_path: Path, change: dict, message: str
) -> None:
    recorded = named_thread_events("t")
    recorded.insert(3, {"e": "gil", "t": 1_000_000_010, "pid": 1, "t0": 0, "busy": 0.5,
                        "lags_us": [], **change})  # fmt: skip
    with pytest.raises(RecordingError, match=message):
        load_model(recording(tmp_path, recorded))


async def test_a_recording_naming_a_local_file_never_makes_us_read_it(tmp_path: Path) -> None:
    secret = tmp_path / ".env"
    secret.write_text("PASSWORD=hunter2\n")
    recorded = named_thread_events("t")
    recorded[0]["scenario"] = str(secret)
    replay = Replay.from_file(recording(tmp_path, recorded, scenario=str(secret)))
    app = ConcurApp(replay=replay)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert "hunter2" not in app.screen.source_text


def test_a_saved_recording_never_replaces_a_symlink_or_a_device(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_text("keep me")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    rec = Recorder().extend(named_thread_events("t"))
    for path in (link, fifo):
        with pytest.raises(RecordingError, match="not a regular file"):
            rec.save(path)
    assert target.read_text() == "keep me" and link.is_symlink()
    assert rec.save(tmp_path / "fine.jsonl").is_file()


# -- scripts and command lines ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "is a folder, not a Python file"),
        ("nul_byte.py", "contains a NUL byte"),
        ("not_python.py", "syntax error"),
    ],
)
def test_a_script_that_is_not_python_source_is_named(name: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        catalog.find(str(PROGRAMS / name) if name else str(PROGRAMS))


def test_a_latin1_script_with_a_coding_line_is_read_as_python_does() -> None:
    scenario = catalog.find(str(PROGRAMS / "latin1_coding.py"))
    assert "café" in scenario.title and "café" in scenario.source


def test_digits_from_other_scripts_are_not_numbers() -> None:
    scenario = catalog.find("thread-sleep")
    with pytest.raises(UsageError, match="takes int values"):
        scenario.resolve(["tasks=٣"])
    assert scenario.resolve(["tasks= 3 "])["tasks"] == 3


def test_a_broken_scenario_file_in_a_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text('"""Good."""\nprint(1)\n')
    (tmp_path / "broken.py").write_text("def (:\n")
    skipped: list[str] = []
    found = catalog.from_folder(tmp_path, skipped)
    assert [s.path.name for s in found] == ["good.py"]
    assert len(skipped) == 1 and "skipped broken.py" in skipped[0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["watch", "thread-sleep", "--set", "delay=60"], "between 0.0 and 30.0"),
        (["watch", "no-such"], "unknown scenario"),
        (["run", "thread-sleep"], "not run"),
        (["replay", "/no/such.jsonl"], "no such recording"),
        (["replay", "--demo", "gil-convoy", "--json"], "print instead"),
        (["--bogus"], "unrecognized arguments"),
    ],
)
def test_a_served_command_that_would_fail_in_every_tab_is_refused(
    argv: list[str], message: str
) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        check_served_command(argv)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "argv", [[], ["watch", "thread-sleep", "--set", "delay=2"], ["replay", "--demo", "gil-convoy"]]
)
def test_a_served_command_that_works_passes(argv: list[str]) -> None:
    check_served_command(argv)


# -- the event channel ------------------------------------------------------------------------
def test_bad_events_from_the_program_are_dropped_and_counted_and_the_run_goes_on() -> None:
    from tui.supervisor.headless import run_headless

    scenario = catalog.find(str(PROGRAMS / "injects_bad_events.py"))
    model, _ = run_headless(scenario, {})
    assert model.outcome == "completed"
    assert "still here" in model.stdout_text()
    assert model.dropped["invalid_event"] == 8  # 7 refused by the schema, 1 without the secret


def test_a_process_outside_the_run_cannot_write_into_its_channel() -> None:
    """Even knowing the secret (same user: /proc/<pid>/environ), a process that is not in the
    run's session is refused: the kernel names the sender of each datagram."""
    scenario = catalog.find(str(PROGRAMS / "ignores_cancel.py"))
    session = RunSession(scenario, {}).start()
    try:
        until(
            lambda: session.done.is_set() or any(e["e"] == "run_start" for e in session.drain()),
            15,
            "the run to start",
        )
        assert not session.done.is_set(), "the run ended before it started"
        environ = Path(f"/proc/{session.pid}/environ").read_bytes().split(b"\0")
        secret = next(v for v in environ if v.startswith(b"CONCUR_TUI_SECRET=")).split(b"=")[1]
        forged = {"e": "note", "t": time.perf_counter_ns(), "pid": 1, "text": "forged"}
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(secret + b"\n" + json.dumps(forged).encode(), session._socket_path)
        time.sleep(1.2)  # drops are reported once a second
        seen = session.drain()
        assert not any(e["e"] == "note" for e in seen)
        assert sum(e["count"] for e in seen if e["e"] == "dropped") == 1
    finally:
        session.kill()


def test_the_runner_never_waits_long_on_a_supervisor_that_stopped_reading() -> None:
    from tui.runner import emit

    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    theirs.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    em = emit.Emitter("/nonexistent", "secret", fd=ours.detach())
    began = time.monotonic()
    for i in range(2000):
        em.emit("note", text="x" * 1000, i=i)
    em.flush()  # 2 MB into a full queue: one wait, then the rest is dropped and counted
    assert 0 < em.lost < 2000
    assert time.monotonic() - began < 10 * emit.SEND_TIMEOUT_S
    theirs.close()
    em.close()


def test_a_replayed_flood_is_fed_a_bounded_share_per_step(tmp_path: Path) -> None:
    """As a live dashboard takes at most so many events a poll, a playing replay of a flood
    moves on by at most ADVANCE_EVENTS a step: it plays slower, the screen stays alive."""
    from tui.recording import ADVANCE_EVENTS

    start = named_thread_events("t")[:2]
    t0 = start[-1]["t"]
    lines = [
        {"e": "output", "t": t0 + i * 1000, "pid": 1, "stream": "stdout", "text": f"{i}\n"}
        for i in range(3 * ADVANCE_EVENTS)
    ]
    replay = Replay.from_file(recording(tmp_path, [*start, *lines]))
    replay.advance(1.0)
    assert 0 < replay.position < replay.duration
    assert replay.model.stdout_text().count("\n") <= ADVANCE_EVENTS
    for _ in range(3):
        replay.advance(1.0)
    assert replay.finished and replay.model.stdout_text().count("\n") == 3 * ADVANCE_EVENTS
