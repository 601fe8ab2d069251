"""Small, shared ways of writing times and figures on screen."""

from __future__ import annotations

from tui.events import Cause
from tui.marks import CAUSE_WORDS


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


def short_cause(cause: Cause | None) -> str:
    if not cause:
        return ""
    return CAUSE_WORDS.get(cause["kind"], "")
