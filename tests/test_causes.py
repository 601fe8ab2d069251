"""Who cancelled a task, in the program's own terms, the same on every supported Python.

Run on each interpreter by `.ci/run`: 3.12 builds `wait_for` on `asyncio.timeout`, and 3.13.0
names factory-made tasks `None` unless the runner says otherwise.
"""

from __future__ import annotations

from conftest import PROGRAMS, task

from tui.events import CauseKind
from tui.export import build_trace, dumps
from tui.model.summary import format_text, summarize

SOURCE = (PROGRAMS / "cancel_causes.py").read_text().splitlines()


def line_of(marker: str) -> str:
    number = next(i for i, text in enumerate(SOURCE, 1) if marker in text)
    return f"{PROGRAMS / 'cancel_causes.py'}:{number}"


def test_every_cause_reads_the_same_on_this_python(run) -> None:
    model, s = run("cancel_causes.py")
    assert s["outcome"] == "completed", s["stderr"]
    assert s["stdout"].splitlines() == ["wait_for timed out", "parent cancelled", "timeout expired"]

    slow = task(s, "slow")
    assert slow["outcome"] == "timeout"
    assert slow["cancelled_by"]["kind"] == CauseKind.TIMEOUT
    assert slow["cancelled_by"]["detail"] == "asyncio.wait_for timed out"
    assert slow["cancelled_by"]["where"] == line_of("WAIT_FOR_LINE")

    parent, child = task(s, "parent"), task(s, "child")
    assert parent["cancelled_by"]["kind"] == child["cancelled_by"]["kind"] == CauseKind.PROGRAM
    assert parent["cancelled_by"]["where"] == line_of("CANCEL_LINE")
    assert parent["cancelled_by"]["msg"] == child["cancelled_by"]["msg"] == "enough"
    assert child["cancelled_by"]["by"] == parent["id"]
    assert child["cancelled_by"]["detail"].startswith("parent was cancelled while awaiting it")

    bounded = task(s, "bounded")
    assert bounded["cancelled_by"]["kind"] == CauseKind.TIMEOUT
    assert "asyncio.timeout expired" in bounded["cancelled_by"]["detail"]

    # No task is called "None" (3.13.0's create_task renames factory-made tasks to None).
    names = [t["name"] for t in s["tasks"]]
    assert not any(name.startswith("None") for name in names), names
    # A task of asyncio.sleep is named for it, not for the hook that times the sleep.
    assert any(name.startswith("sleep (Task-") for name in names), names
    assert not any("observed" in name for name in names), names
    (left,) = [t for t in s["tasks"] if t["name"].startswith("sleeper (Task-")]
    assert left["cancelled_by"]["kind"] == CauseKind.RUN_EXIT

    # The message reaches the words on screen and in the text summary, not only the JSON.
    assert "message 'enough'" in model.describe_cause(child["cancelled_by"])
    assert "message 'enough'" in format_text(model, summarize(model))
    assert any("message 'enough'" in entry.text for entry in model.log)
    assert "message 'enough'" in dumps(build_trace(model))  # the trace export's instants
