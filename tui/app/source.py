"""Where a dashboard's events come from: a live run, a finished list of events, or a playback.

The dashboard polls ``drain()`` and feeds what it gets to the model; it never
knows whether a runner process is behind it. A ``ReplaySource`` hands its events
over at once and its clock stands still, so the same events always draw the same
screen (the snapshot tests depend on this). A ``PlaybackSource`` plays a
``tui.recording.Replay`` in time instead: the replay feeds its own model, which
the dashboard shows in place of one of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from tui.catalog import Scenario
from tui.events import Event
from tui.model.run import RunModel
from tui.recording import Replay, scenario_meta


class EventSource(Protocol):
    """What the dashboard needs from a run."""

    live: bool
    meta: dict[str, Any]
    """Header fields for a recording of this run (``tui.recording``)."""

    def start(self) -> None: ...
    def drain(self) -> list[Event]: ...
    @property
    def done(self) -> bool: ...
    def clock(self) -> int: ...
    def cancel(self) -> None: ...
    def cancel_task(self, task_id: str) -> None: ...
    def kill(self) -> None: ...


# Events a dashboard takes per poll from a live run (~0.2 s of work); a poll that takes
# this many polls again sooner (``CATCH_UP_S`` in the dashboard).
DRAIN_LIMIT = 8_000


class LiveSource:
    """A real run: a RunSession started in its own process group."""

    live = True

    def __init__(self, scenario: Scenario, params: dict[str, Any]) -> None:
        from tui.supervisor.session import RunSession

        self.session = RunSession(scenario, params)
        self.meta = scenario_meta(scenario, params)

    def start(self) -> None:
        self.session.start()

    def drain(self) -> list[Event]:
        # A bounded share per poll, so that keys are handled between polls under any flood.
        return self.session.drain(limit=DRAIN_LIMIT)

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
        self.meta: dict[str, Any] = {}

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


class PlaybackSource:
    """A ``Replay`` played in time: each ``drain`` moves it on by the wall time since the last
    one, times its speed. The replay feeds its own model (``model``, which the dashboard shows),
    so ``drain`` hands no events over; ``generation`` changes when going back rebuilt it."""

    live = False

    def __init__(self, replay: Replay, wall_clock: Callable[[], float] = time.monotonic) -> None:
        """``wall_clock``: seconds on a clock that only goes forward; tests pass their own."""
        self.replay = replay
        self.meta = replay.meta
        self._wall_clock = wall_clock
        self._wall: float | None = None

    @property
    def model(self) -> RunModel:
        return self.replay.model

    @property
    def generation(self) -> int:
        return self.replay.generation

    def start(self) -> None:
        """Play on from wherever the replay is."""
        self._wall = self._wall_clock()

    def drain(self) -> list[Event]:
        now = self._wall_clock()
        if self._wall is not None:
            self.replay.advance(now - self._wall)
        self._wall = now
        return []

    @property
    def done(self) -> bool:
        return self.replay.finished

    def clock(self) -> int:
        return self.replay.clock()

    def cancel(self) -> None:
        """A replay has already happened; there is nothing to cancel."""

    def cancel_task(self, task_id: str) -> None:
        """Nothing runs behind a replay."""

    def kill(self) -> None:
        """Nothing runs behind a replay."""


SourceFactory = Callable[[], EventSource]
