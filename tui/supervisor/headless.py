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


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


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

    session = RunSession(scenario, params, python=python).start()
    on_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if on_main else None
    interrupted = False
    try:
        for batch in session.events():
            feed(batch)
            if stop is not None and stop.is_set() and not session.cancel_requested:
                session.cancel()
    except KeyboardInterrupt:
        interrupted = True
        session.cancel()
        deadline = time.monotonic() + INTERRUPT_DEADLINE_S
        for batch in session.events():
            feed(batch)
            if time.monotonic() > deadline:
                session.kill()
                break
    finally:
        if on_main:
            signal.signal(signal.SIGTERM, previous)
        session.kill()
    feed(session.drain())
    return model, interrupted
