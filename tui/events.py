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
    "supervisor_end": {"exit_code": (int,)},
}

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
