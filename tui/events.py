"""The one event stream: what the runner, its workers and the supervisor say happened.

Every event is a JSON object on its own line with at least ``e`` (its type),
``t`` (``time.perf_counter_ns()``, CLOCK_MONOTONIC, so every process shares one
clock) and ``pid`` (the process that emitted it). The full schema, with every
field, is in ``docs/events.md``; ``SCHEMA`` below is its machine-checked core.

This module is imported by the runner, so it must stay standard-library only.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

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
    "window": {"t0": (int,), "threads": (dict,)},
    "cancel": {"id": (str,), "cause": (dict,)},
    "gil": {"t0": (int,), "busy": _NUM, "lags_us": (list,)},
    "loop": {"t0": (int,), "lags_us": (list,)},
    "stall": {"t0": (int,), "file": (str,), "line": (int,), "code": (str,)},
    "stall_end": {"t0": (int,)},
    "output": {"stream": (str,), "text": (str,)},
    "cpu": {"t0": (int,), "per_core": (list,)},
    "threads": {"rows": (list,)},
    "procs": {"rows": (list,)},
    "note": {"text": (str,)},
    "gil_words": {"words": (list,), "enabled": (bool,)},
    "attribution": {"mode": (str,), "reason": _OPT_STR},
    "offcpu": {"t0": (int,), "rows": (list,)},
    "supervisor_end": {"exit_code": (int,)},
}


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


def check(event: Any) -> Event:
    """Return ``event`` if it follows the schema, else raise ``SchemaError`` naming the problem."""
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
    return event


def dumps(event: Event) -> str:
    return json.dumps(event, separators=(",", ":"), default=repr)
