"""Run a scenario to its end without a screen: the loop behind `run`, `compare` and the tests."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from tui.catalog import Scenario
from tui.events import Event
from tui.model.run import RunModel
from tui.supervisor.session import RunSession

INTERRUPT_DEADLINE_S = 5.0


class _Asked:
    """Ctrl-C or SIGTERM, noted by a handler that only sets a flag: raising KeyboardInterrupt
    inside ``queue.get`` can leave its lock released twice ("release unlocked lock", a
    traceback seen under a flood), and a handler must not take a lock itself."""

    def __init__(self) -> None:
        self.asked = False

    def __call__(self, signum: int, frame: Any) -> None:
        self.asked = True

    def __bool__(self) -> bool:
        return self.asked


def run_headless(
    scenario: Scenario,
    params: dict[str, Any],
    *,
    python: str | None = None,
    on_events: Callable[[list[Event]], Any] | None = None,
    stop: threading.Event | None = None,
    model: RunModel | None = None,
) -> tuple[RunModel, bool]:
    """Run to the end (or until interrupted) and return the model and whether it was interrupted.

    ``on_events`` (a Recorder's ``extend``, a progress callback) sees every batch the model
    is fed, after the model. Setting ``stop`` (from any thread) cancels the run; Ctrl-C or
    SIGTERM (on the main thread) does too, and the run then counts as interrupted.
    """
    model = model or RunModel(clock=time.perf_counter_ns)

    def feed(batch: list[Event]) -> None:
        model.feed_many(batch)
        if on_events is not None:
            on_events(batch)

    asked = _Asked()
    on_main = threading.current_thread() is threading.main_thread()
    previous = (
        {sig: signal.signal(sig, asked) for sig in (signal.SIGINT, signal.SIGTERM)}
        if on_main
        else {}
    )
    session = RunSession(scenario, params, python=python)
    try:
        if not asked:  # (a Ctrl-C this early: nothing was started)
            session.start()
            for batch in session.events(until=asked.__bool__):
                feed(batch)
                if stop is not None and stop.is_set() and not session.cancel_requested:
                    session.cancel()
        if asked and session.pid:  # (a run never started has nothing to wait for)
            session.cancel()
            deadline = time.monotonic() + INTERRUPT_DEADLINE_S
            for batch in session.events(until=lambda: time.monotonic() > deadline):
                feed(batch)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        session.kill()
    feed(session.drain())
    return model, bool(asked)
