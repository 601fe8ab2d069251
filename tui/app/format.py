"""Small, shared ways of writing times and figures on screen."""

from __future__ import annotations

from typing import Any

from tui.events import CauseKind, TaskState

# Each task state's colour is set once, in app.tcss (``.state--running`` ...); every widget
# that draws states lists these as its component classes.
STATE_CLASSES = frozenset(f"state--{state}" for state in TaskState)


def state_class(part: str) -> str | None:
    """The component class of a state's colour, or None for a word that is not a state."""
    name = f"state--{part}"
    return name if name in STATE_CLASSES else None


OUTCOME_WORD = {
    "done": "done",
    "error": "error",
    "timeout": "timed out",
    "cancelled": "cancelled",
    None: "running",
    TaskState.QUEUED: "queued",
}
CAUSE_SHORT = {
    CauseKind.TIMEOUT: "by timeout",
    CauseKind.TASKGROUP: "by TaskGroup",
    CauseKind.GATHER: "by gather",
    CauseKind.RUN_EXIT: "by asyncio.run",
    CauseKind.USER: "by you",
    CauseKind.PROGRAM: "by program",
}


def seconds(value: float | None) -> str:
    """A duration in the unit a person reads fastest."""
    if value is None:
        return "-"
    if value < 0.001:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 100:
        return f"{value:.2f} s"
    return f"{value:.0f} s"


def millis(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f} ms" if value < 10 else f"{value:.0f} ms"


def short_cause(cause: dict[str, Any] | None) -> str:
    if not cause:
        return ""
    return CAUSE_SHORT.get(str(cause.get("kind")), "")
