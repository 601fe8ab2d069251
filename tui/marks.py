"""How each task state and outcome is drawn and named, in one table.

The timeline, its legend, the Compare screen's mini timelines, the help screen and
the headless text summary all read it, so a new state is one more row here (and a
colour in ``tui/app/themes.py``). Every glyph set keeps each state apart without
colour: on a monochrome terminal, or a washed-out projector.

Standard library only: the headless summary uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.events import CauseKind, TaskKind, TaskState


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

# How a whole run stands: the two states before it ends, then its outcome
# (tui.events.RUN_OUTCOMES).
RUN_MARKS: dict[str, Mark] = {
    "starting": Mark("○", "○", "starting", "starting"),
    "running": Mark("●", "●", "running", "running"),
    "completed": Mark("■", "■", "completed", "completed"),
    "failed": Mark("■", "■", "failed", "failed"),
    "cancelled": Mark("■", "■", "cancelled", "cancelled"),
}

STALL_GLYPH = "⚠"
"""A stalled event loop, and anything else the person should not miss."""

# The log's line kinds (tui.model.run.LogEntry.kind); an ended task's line shows its outcome.
LOG_GLYPHS: dict[str, str] = {
    "started": "▶",
    "finished": OUTCOME_MARKS["done"].glyph,
    "failed": OUTCOME_MARKS["error"].glyph,
    "timeout": OUTCOME_MARKS["timeout"].glyph,
    "cancelled": OUTCOME_MARKS["cancelled"].glyph,
    "cancel": OUTCOME_MARKS["cancelled"].glyph,
    "stall": STALL_GLYPH,
    "note": "!",
    "dropped": STALL_GLYPH,
    "run": RUN_MARKS["completed"].glyph,
}

KIND_WORDS: dict[str, str] = {
    TaskKind.THREAD: "thread",
    TaskKind.PROCESS: "process pool item",
    TaskKind.ASYNC: "asyncio task",
    TaskKind.CALL: "thread pool call",
}

# What cancelled a task (tui.events.CauseKind), after the word "cancelled" or "timed out".
CAUSE_WORDS: dict[str, str] = {
    CauseKind.TIMEOUT: "by timeout",
    CauseKind.TASKGROUP: "by TaskGroup",
    CauseKind.GATHER: "by gather",
    CauseKind.RUN_EXIT: "by asyncio.run",
    CauseKind.USER: "by you",
    CauseKind.PROGRAM: "by program",
}


def status_mark(outcome: str | None, queued: bool = False) -> Mark:
    """How a task stands: queued (not started), not ended (None), or its outcome."""
    if queued:
        return STATE_MARKS[TaskState.QUEUED]
    if outcome is None:
        return NOT_ENDED
    return OUTCOME_MARKS.get(outcome) or Mark("?", "?", outcome, outcome)


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
