"""Where a dashboard's events come from: a live run, or a finished list of events (a replay).

The dashboard polls ``drain()`` and feeds what it gets to the model; it never
knows whether a runner process is behind it. A replay hands its events over
at once and its clock stands still, so the same events always draw the same
screen (the snapshot tests depend on this).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from tui import events as schema
from tui.catalog import Scenario
from tui.events import Event


class EventSource(Protocol):
    """What the dashboard needs from a run."""

    live: bool

    def start(self) -> None: ...
    def drain(self) -> list[Event]: ...
    @property
    def done(self) -> bool: ...
    def clock(self) -> int: ...
    def cancel(self) -> None: ...
    def cancel_task(self, task_id: str) -> None: ...
    def kill(self) -> None: ...


class LiveSource:
    """A real run: a RunSession started in its own process group."""

    live = True

    def __init__(self, scenario: Scenario, params: dict[str, Any]) -> None:
        from tui.supervisor.session import RunSession

        self.session = RunSession(scenario, params)

    def start(self) -> None:
        self.session.start()

    def drain(self) -> list[Event]:
        return self.session.drain()

    @property
    def done(self) -> bool:
        return self.session.done.is_set() and self.session.queue.empty()

    @property
    def pid(self) -> int:
        return self.session.pid

    def clock(self) -> int:
        return time.perf_counter_ns()

    def cancel(self) -> None:
        self.session.cancel()

    def cancel_task(self, task_id: str) -> None:
        self.session.cancel_task(task_id)

    def kill(self) -> None:
        self.session.kill()


class ReplaySource:
    """Recorded events, handed over all at once, with a clock stopped at ``until`` (or the end)."""

    live = False

    def __init__(self, events: Iterable[Event], until_s: float | None = None) -> None:
        self.events = list(events)
        origin = self.events[0]["t"] if self.events else 0
        if until_s is not None:
            cutoff = origin + int(until_s * 1e9)
            self.events = [e for e in self.events if e["t"] <= cutoff]
            self._now = cutoff
        else:
            self._now = max((e["t"] for e in self.events), default=0)
        self._given = False
        self.notes: list[str] = []

    def start(self) -> None:
        self._given = False

    def drain(self) -> list[Event]:
        if self._given:
            return []
        self._given = True
        return list(self.events)

    @property
    def done(self) -> bool:
        return self._given

    def clock(self) -> int:
        return self._now

    def cancel(self) -> None:
        """A replay has already happened; there is nothing to cancel."""

    def cancel_task(self, task_id: str) -> None:
        self.notes.append(task_id)

    def kill(self) -> None:
        """Nothing runs behind a replay."""


def load_events(path: Path) -> list[Event]:
    """Read a JSON-lines recording, checking every event against the schema."""
    found: list[Event] = []
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                found.append(schema.check(json.loads(line)))
            except (ValueError, schema.SchemaError) as exc:
                raise ValueError(f"{path}:{number}: {exc}") from None
    return found


def save_events(path: Path, events: Iterable[Event]) -> None:
    with path.open("w", encoding="utf-8") as stream:
        for event in events:
            stream.write(schema.dumps(event) + "\n")


SourceFactory = Callable[[], EventSource]
