"""How each task state and outcome is drawn and named, in one table.

The timeline, its legend, the Compare screen's mini timelines, the help screen and
the headless text summary all read it, so a new state is one more row here (and a
colour in ``tui/app/themes.py``). Every glyph set keeps each state apart without
colour: on a monochrome terminal, or a washed-out projector.

Standard library only: the headless summary uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.events import TaskState


@dataclass(frozen=True)
class Mark:
    glyph: str
    """A timeline cell in this state, or the cell where a task ended this way."""
    large: str
    """The same in the large glyph set (the projector theme): heavier, still distinct."""
    word: str
    """The legend's word."""
    short: str
    """The legend's word on a narrow timeline."""


# Every state of the model (tui.events.TaskState), in the legend's order.
STATE_MARKS: dict[str, Mark] = {
    TaskState.RUNNING: Mark("█", "█", "running", "run"),
    TaskState.GIL: Mark("▒", "▒", "GIL wait", "GIL"),
    TaskState.CORE: Mark("▓", "▓", "core wait", "core"),
    TaskState.WAITING: Mark("░", "░", "waiting", "wait"),
    TaskState.QUEUED: Mark("┈", "┅", "queued", "queue"),
    TaskState.SLEEPING: Mark("·", "•", "sleeping", "sleep"),
    TaskState.IO: Mark("~", "≈", "I/O", "I/O"),
    TaskState.BLOCKED: Mark("-", "━", "blocked", "block"),
}

# Keyed by the task outcomes of the event stream (tui.events.TASK_OUTCOMES).
OUTCOME_MARKS: dict[str, Mark] = {
    "done": Mark("✓", "✓", "done", "done"),
    "error": Mark("✗", "✗", "error", "error"),
    "timeout": Mark("◔", "◔", "timed out", "timeout"),
    "cancelled": Mark("⊘", "⊘", "cancelled", "cancel"),
}

NOT_ENDED = Mark("…", "…", "running", "running")
"""A task that has not ended yet."""


def state_glyphs(large: bool = False) -> dict[str, str]:
    """Each state's cell glyph, from the normal or the large set."""
    return {state: mark.large if large else mark.glyph for state, mark in STATE_MARKS.items()}


def outcome_glyphs(large: bool = False) -> dict[str | None, str]:
    """Each outcome's end glyph (None: not ended), from the normal or the large set."""
    glyphs: dict[str | None, str] = {
        outcome: mark.large if large else mark.glyph for outcome, mark in OUTCOME_MARKS.items()
    }
    glyphs[None] = NOT_ENDED.large if large else NOT_ENDED.glyph
    return glyphs
