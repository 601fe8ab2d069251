"""The one event stream: what the runner, its workers and the supervisor say happened.

Every event is a JSON object on its own line with at least ``e`` (its type),
``t`` (``time.perf_counter_ns()``, CLOCK_MONOTONIC, so every process shares one
clock) and ``pid`` (the process that emitted it). The full schema, with every
field, is in ``docs/events.md``; ``SCHEMA`` below is its machine-checked core.

This module is imported by the runner, so it must stay standard-library only.
"""

from __future__ import annotations

import json
import math
import re
from enum import StrEnum
from typing import Any, Literal

VERSION = 1

Event = dict[str, Any]

# type -> the fields (besides e, t, pid) every event of that type carries, with their JSON types.
_NUM = (int, float)
_OPT_STR = (str, type(None))
SCHEMA: dict[str, dict[str, tuple[type, ...]]] = {
    "hello": {"v": (int,), "scenario": (str,), "params": (dict,), "python": (str,)},
    "run_start": {},
    "run_end": {"outcome": (str,), "error": _OPT_STR},
    "task_start": {"id": (str,), "kind": (str,), "name": (str,)},
    "task_end": {"id": (str,), "outcome": (str,)},
    "rename": {"id": (str,), "name": (str,)},
    "wait": {"id": (str,), "state": (str,), "t0": (int,), "what": (str,)},
    "wait_start": {"id": (str,), "state": (str,), "what": (str,)},
    "step": {"id": (str,), "t0": (int,)},
    "ready": {"id": (str,), "t0": (int,)},
    "steps": {"flat": (list,)},
    "window": {"t0": (int,), "threads": (dict,)},
    "cancel": {"id": (str,), "cause": (dict,)},
    "gil": {"t0": (int,), "busy": _NUM, "lags_us": (list,)},
    "loop": {"t0": (int,), "lags_us": (list,)},
    "stall": {"t0": (int,), "file": (str,), "line": (int,), "code": (str,)},
    "stall_end": {"t0": (int,)},
    "output": {"stream": (str,), "text": (str,)},
    # per_core: every program's use of each core; scenario / tool: the run's processes'
    # and concur-tui's own share of it (absent from older recordings)
    "cpu": {
        "t0": (int,),
        "per_core": (list,),
        "scenario": (list, type(None)),
        "tool": (list, type(None)),
    },
    "threads": {"rows": (list,)},
    "procs": {"rows": (list,)},
    "note": {"text": (str,)},
    "gil_words": {"words": (list,), "enabled": (bool,)},
    "attribution": {"mode": (str,), "reason": _OPT_STR},
    "offcpu": {"t0": (int,), "rows": (list,)},
    "supervisor_end": {"exit_code": (int,)},
    "dropped": {"what": (str,), "count": (int,)},
}

# The fields of each type that carry text from the program (names, messages, output), which
# is shown only as literal text (``tui.literal``); the rest are numbers and our own words.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "hello": ("scenario", "params", "python", "implementation", "start_method", "source_file"),
    "run_end": ("error", "traceback"),
    "task_start": ("id", "name", "coro", "parent", "kind"),
    "task_end": ("id", "outcome", "error", "traceback", "result", "cancelled_by"),
    "rename": ("id", "name"),
    "wait": ("id", "state", "what"),
    "wait_start": ("id", "state", "what"),
    "step": ("id",),
    "ready": ("id",),
    "steps": ("flat",),
    "window": ("threads", "waiting"),
    "cancel": ("id", "cause"),
    "stall": ("file", "function", "code"),
    "output": ("stream", "text"),
    "note": ("text", "id"),
    "procs": ("rows",),
    "threads": ("rows",),
    "supervisor_end": ("error",),
}

# Types only the supervisor writes: a datagram from the runner's side claiming one is refused.
# (Output is written by both: the runner and its workers stamp what the program writes to
# sys.stdout/sys.stderr; the supervisor reads what reaches the pipes by other ways.)
SUPERVISOR_TYPES = frozenset(
    {"cpu", "threads", "procs", "offcpu", "attribution", "supervisor_end", "dropped"}
)

# A ``steps`` event's ``flat`` list holds four values a step: ``id, t0, t, ready``, an asyncio
# task's step from ``t0`` to ``t``; ``ready`` is when the task was due (its sleep over) if the
# loop ran it more than 1 ms late, else 0. Many steps a second are sent this way, batched (and
# flat: nothing per step for the runner's garbage collector to track), not as an event each.
STEP_ROW_LEN = 4
MAX_ID = 200  # characters of a task id in a row

# asyncio's own name for a task nobody named (``Task-3``): shown with what the task runs.
DEFAULT_ASYNC_NAME = re.compile(r"Task-\d+")

# What the supervisor drops to stay within its bounds, counted on screen and in the summary.
DropKind = Literal["invalid_event", "output_line", "task"]
DROP_KINDS: tuple[DropKind, ...] = ("invalid_event", "output_line", "task")
DROP_WORDS: dict[DropKind, str] = {
    "invalid_event": "invalid events dropped",
    "output_line": "output lines dropped",
    "task": "tasks past the limit not shown",
}

# Bounds on any one event's values (the transport bounds a whole event: a datagram, a line).
MAX_TEXT = 1 << 17  # characters of one string
MAX_ITEMS = 100_000  # items of one list or object
MAX_DEPTH = 8
_INT_RANGE = (-(1 << 63), 1 << 63)

TASK_KINDS = ("thread", "process", "async")
TASK_OUTCOMES = ("done", "error", "timeout", "cancelled")
RUN_OUTCOMES = ("completed", "failed", "cancelled")
WAIT_STATES = ("sleeping", "blocked")


class CauseKind(StrEnum):
    """What cancelled a task (a cause's ``kind``): on screen, in JSON and in exports."""

    TIMEOUT = "timeout"  # asyncio.wait_for or asyncio.timeout
    TASKGROUP = "taskgroup"  # a TaskGroup cancelling the siblings of a failed task
    GATHER = "gather"  # the gather() a task belongs to was cancelled
    RUN_EXIT = "run_exit"  # asyncio.run cancelling what is still pending at the end
    USER = "user"  # asked from concur-tui, or the run was interrupted
    PROGRAM = "program"  # task.cancel() in the program's own code


class TaskKind(StrEnum):
    """What a task is: a thread, a process-pool item, an asyncio task, a thread-pool call."""

    THREAD = "thread"
    PROCESS = "process"
    ASYNC = "async"
    CALL = "call"  # a call submitted to a thread pool (submit, map, run_in_executor, to_thread)


class TaskOutcome(StrEnum):
    DONE = "done"
    ERROR = "error"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"


class TaskState(StrEnum):
    """Why a task is where it is at a moment: the one vocabulary of spans, JSON and colours.

    The order is the legend's. How each is known is in README, "What the figures mean".
    """

    RUNNING = "running"  # on a CPU
    GIL = "gil"  # off-CPU in a futex wait on its process's GIL
    CORE = "core"  # runnable, but every core was busy (the run queue)
    WAITING = "waiting"  # ready but not running for another reason: the event loop was busy,
    # or (hooks-only) off-CPU for a reason nothing measured
    QUEUED = "queued"  # submitted to an executor or pool, no worker has taken it yet
    SLEEPING = "sleeping"  # time.sleep, asyncio.sleep, clock_nanosleep
    IO = "io"  # waiting for I/O or a child process (read, recv, poll, select, wait4, ...)
    BLOCKED = "blocked"  # on a lock, queue, condition, event, join; an asyncio task awaiting


class Attribution(StrEnum):
    """How off-CPU time is told apart: by the kernel's view of each thread, or by hooks only."""

    KERNEL = "kernel"
    HOOKS_ONLY = "hooks-only"


TASK_KINDS = tuple(TaskKind)
TASK_OUTCOMES = tuple(TaskOutcome)
RUN_OUTCOMES = ("completed", "failed", "cancelled")
WAIT_STATES = (TaskState.SLEEPING, TaskState.BLOCKED, TaskState.IO)
CANCEL_CAUSES = ("timeout", "taskgroup", "gather", "run_exit", "user", "program")


class SchemaError(ValueError):
    """An event that does not follow the schema (only raised for streams read from outside)."""


def loads(text: str | bytes) -> Any:
    """Parse one line of JSON from outside: ``ValueError`` for NaN, Infinity or a number too
    large for a float, which ``json.loads`` would let through."""
    return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number an event may hold")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def check(event: Any, deep: bool = True) -> Event:
    """Return ``event`` if it follows the schema, else raise ``SchemaError`` naming the problem.

    ``deep`` also walks every value (finite numbers, sizes, nesting); an event parsed with
    ``loads`` from a bounded line (a datagram, a recording's line) only needs its top level."""
    if not isinstance(event, dict):
        raise SchemaError(f"an event must be a JSON object, not {type(event).__name__}")
    kind = event.get("e")
    fields = SCHEMA.get(kind) if isinstance(kind, str) else None
    if fields is None:
        raise SchemaError(f"unknown event type {kind!r}")
    if not isinstance(event.get("t"), int) or not isinstance(event.get("pid"), int):
        raise SchemaError(f"{kind} event without integer 't' and 'pid'")
    for name, types in fields.items():
        value = event.get(name)
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise SchemaError(f"{kind} event: field {name!r} missing or of the wrong type")
    if kind == "hello" and event["v"] != VERSION:
        raise SchemaError(f"event stream version {event['v']} (this concur-tui reads {VERSION})")
    if kind == "dropped" and event["what"] not in DROP_KINDS:
        raise SchemaError(f"dropped event: unknown kind {event['what']!r}")
    if not 0 <= event["t"] < _INT_RANGE[1]:
        raise SchemaError(f"{kind} event: 't' out of range")
    if kind == "steps":
        problem = _steps_problem(event["flat"])
        if problem:
            raise SchemaError(f"steps event: {problem}")
    problem = _value_problem(event, 0) if deep else _top_level_problem(event)
    if problem:
        raise SchemaError(f"{kind} event: {problem}")
    return event


def _steps_problem(flat: list[Any]) -> str | None:
    """What is wrong with a ``steps`` event's values (checked whatever ``deep`` says: the
    model reads every one)."""
    if len(flat) > MAX_ITEMS or len(flat) % STEP_ROW_LEN:
        return f"not a multiple of {STEP_ROW_LEN} values, or more than {MAX_ITEMS}"
    high = _INT_RANGE[1]
    for at in range(0, len(flat), STEP_ROW_LEN):
        task_id, t0, t, ready = flat[at : at + STEP_ROW_LEN]
        if type(task_id) is not str or not 0 < len(task_id) <= MAX_ID:
            return f"a step whose id is not a string of 1 to {MAX_ID} characters"
        if type(t0) is not int or type(t) is not int or type(ready) is not int:
            return "a step whose times are not integers"
        if not 0 <= ready <= t0 <= t < high:
            return "a step whose times are out of range or order (0 <= ready <= t0 <= t)"
    return None


def _top_level_problem(event: Event) -> str | None:
    for value in event.values():
        if isinstance(value, str) and len(value) > MAX_TEXT:
            return f"a string longer than {MAX_TEXT} characters"
        if isinstance(value, int) and not _INT_RANGE[0] <= value < _INT_RANGE[1]:
            return "an integer out of range"
    return None


def _value_problem(value: Any, depth: int) -> str | None:
    """What makes a value unfit to show or store: a non-finite or huge number, a string or
    list past its bound, nesting too deep. None when it is fine."""
    if isinstance(value, str):
        return f"a string longer than {MAX_TEXT} characters" if len(value) > MAX_TEXT else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if _INT_RANGE[0] <= value < _INT_RANGE[1] else "an integer out of range"
    if isinstance(value, float):
        return None if math.isfinite(value) else "a number that is not finite"
    if depth >= MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH}"
    if isinstance(value, dict):
        items: Any = value.values()
        if any(not isinstance(key, str) or len(key) > MAX_TEXT for key in value):
            return "an object key that is not a short string"
    elif isinstance(value, list | tuple):
        items = value
    else:
        return f"a value of type {type(value).__name__}"
    if len(value) > MAX_ITEMS:
        return f"more than {MAX_ITEMS} items in one list or object"
    for item in items:
        problem = _value_problem(item, depth + 1)
        if problem:
            return problem
    return None


# Made once: ``json.dumps`` with options makes a new encoder at every call, which costs more
# than encoding a small event (the runner encodes each event it sends).
_encode = json.JSONEncoder(separators=(",", ":"), default=repr).encode


def dumps(event: Event) -> str:
    return _encode(event)


def strict_json(value: Any) -> Any:
    """``value`` with every non-finite number replaced by None: what strict JSON can hold."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: strict_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [strict_json(item) for item in value]
    return value


def dumps_strict(value: Any, **kwargs: Any) -> str:
    """JSON that any parser reads: non-finite numbers become null (never NaN or Infinity)."""
    return json.dumps(strict_json(value), allow_nan=False, **kwargs)
