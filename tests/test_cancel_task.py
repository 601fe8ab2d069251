"""Cancelling one task from outside, where Python allows it (the dashboard's `x`)."""

from __future__ import annotations

import time
from pathlib import Path

from tui import catalog
from tui.model.run import RunModel
from tui.supervisor.session import RunSession

PROGRAM = Path(__file__).parent / "programs" / "cancellable.py"


def feed_until(session: RunSession, model: RunModel, condition, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        model.feed_many(session.drain())
        time.sleep(0.02)


def by_name(model: RunModel, name: str):
    return next((t for t in model.tasks.values() if t.name == name), None)


def test_queued_pool_calls_and_async_tasks_can_be_cancelled_a_running_one_cannot():
    scenario = catalog.find(str(PROGRAM))
    model = RunModel(clock=time.perf_counter_ns)
    session = RunSession(scenario, {}).start()
    try:
        # One worker: slow(0) runs, slow(1..3) wait in the queue.
        feed_until(session, model, lambda: by_name(model, "slow(3)") is not None)
        feed_until(session, model, lambda: by_name(model, "slow(0)").tid is not None)
        session.cancel_task(by_name(model, "slow(3)").id)  # queued: can be cancelled
        session.cancel_task(by_name(model, "slow(0)").id)  # running in a worker: cannot
        feed_until(session, model, lambda: by_name(model, "sleeper") is not None)
        session.cancel_task(by_name(model, "sleeper").id)
        feed_until(session, model, lambda: model.ended is not None)
    finally:
        session.kill()
    model.feed_many(session.drain())
    queued = by_name(model, "slow(3)")
    assert queued.outcome == "cancelled" and queued.cancelled_by["kind"] == "user"
    assert by_name(model, "slow(0)").outcome == "done"
    assert any("already started" in note for note in model.notes)
    sleeper = by_name(model, "sleeper")
    assert sleeper.outcome == "cancelled" and sleeper.cancelled_by["kind"] == "user"
    out = model.stdout_text()
    assert "[0, 1, 2, 'cancelled']" in out and "sleeper cancelled" in out
