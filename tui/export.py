"""Export a run to Chrome Trace Event Format JSON, for Perfetto (ui.perfetto.dev) and chrome://tracing.

Built from the ``RunModel`` (the same spans, series and causes the dashboard draws), never
re-derived from the raw events. What the trace holds:

- one process per real process: the runner (``runner: <scenario>``) and each pool worker
  (``worker <pid>``), plus a pseudo process ``machine`` for the per-core CPU counters;
- one thread track per task. Threads use their native thread id. Process-pool work items run
  one after another in their worker, so they share the worker's track (grouped by worker pid).
  **Each asyncio task gets its own track** (a synthetic tid inside the runner pid, named after
  the task): the tasks of one loop overlap in time on one OS thread, so on the thread's own
  track their slices would not nest; Perfetto's async (``b``/``e``) tracks would show them,
  but grouped by event name, without thread names or a sort order, and chrome://tracing draws
  them differently again. Own tracks give a row per task, named and ordered like the
  dashboard's timeline, in both viewers. Any task that would overlap another on its track
  gets its own track the same way;
- on each track, a complete (``X``) slice per task (named after it, with its outcome, error
  and cause in ``args``) and, nested inside, one ``X`` slice per state span (running /
  waiting / sleeping / blocked, coloured with chrome://tracing's thread-state colours);
- instant events (``i``) for cancellation requests (the cause in ``args``), timeouts,
  cancellations and errors, and a global one for the run's end; loop stalls as slices on an
  ``event loop stalls`` track;
- counter tracks (``C``): ``CPU core N`` (percent, on ``machine``), ``GIL busy`` (fraction)
  and ``loop lag`` (ms) on the runner.

Timestamps are microseconds since the run's first event (``displayTimeUnit`` is ms).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tui.events import TaskKind, TaskOutcome, TaskState, dumps_strict, strict_json
from tui.files import write_atomically
from tui.model.run import RunModel, Task

US = 1e6
MACHINE_PID = 0x7FFF_FFF0  # a pid no real process has: the machine-wide CPU counters
SYNTHETIC_TID = 1 << 24  # above Linux's pid_max: tracks that are not an OS thread
STATE_COLOUR: dict[TaskState, str] = {  # chrome://tracing's reserved colour names (by name)
    TaskState.RUNNING: "thread_state_running",
    TaskState.GIL: "thread_state_runnable",
    TaskState.CORE: "thread_state_runnable",
    TaskState.WAITING: "thread_state_runnable",
    TaskState.QUEUED: "thread_state_unknown",
    TaskState.SLEEPING: "thread_state_sleeping",
    TaskState.IO: "thread_state_iowait",
    TaskState.BLOCKED: "thread_state_uninterruptible",
}

# Task ends marked by an instant event, and its name.
_ENDED_BADLY = {
    TaskOutcome.ERROR: "error",
    TaskOutcome.TIMEOUT: "timed out",
    TaskOutcome.CANCELLED: "cancelled",
}


def _us(seconds: float) -> float:
    return round(seconds * US, 3)


def runner_pid(model: RunModel) -> int:
    """The runner's pid: where its threads and asyncio tasks live."""
    for task in model.tasks.values():
        if task.kind in (TaskKind.THREAD, TaskKind.ASYNC):
            return task.pid
    return next((t.pid for t in model.tasks.values()), 1)


class _Tracks:
    """Assigns each task a (pid, tid) track on which its slices do not overlap another task's."""

    def __init__(self) -> None:
        self.busy: dict[tuple[int, int], list[tuple[float, float]]] = {}
        self.names: dict[tuple[int, int], list[str]] = {}
        self.next_tid = SYNTHETIC_TID

    def place(self, task: Task, now: float) -> tuple[int, int]:
        end = task.end if task.end is not None else now
        preferred = (
            None
            if task.kind == TaskKind.ASYNC
            else task.tid or (task.pid if task.kind == TaskKind.PROCESS else None)
        )
        if preferred is not None:
            key = (task.pid, preferred)
            if all(end <= s or task.start >= e for s, e in self.busy.get(key, [])):
                return self._take(key, task, end)
        self.next_tid += 1
        return self._take((task.pid, self.next_tid), task, end)

    def _take(self, key: tuple[int, int], task: Task, end: float) -> tuple[int, int]:
        self.busy.setdefault(key, []).append((task.start, end))
        self.names.setdefault(key, []).append(task.label if task.kind != TaskKind.PROCESS else "")
        return key

    def name(self, key: tuple[int, int], kind: str) -> str:
        labels = self.names[key]
        if kind == TaskKind.PROCESS:
            return f"worker {key[0]}"
        return labels[0] if len(labels) == 1 else f"thread {key[1]}"


def build_trace(model: RunModel) -> dict[str, Any]:
    """The run as a Chrome Trace Event Format object: ``{"traceEvents": [...], ...}``."""
    now = model.now()
    runner = runner_pid(model)
    events: list[dict[str, Any]] = []
    meta: list[dict[str, Any]] = []
    tracks = _Tracks()
    track_kind: dict[tuple[int, int], str] = {}
    order: dict[tuple[int, int], int] = {}

    for task in model.visible_tasks():
        key = tracks.place(task, now)
        track_kind.setdefault(key, task.kind)
        order.setdefault(key, len(order))
        pid, tid = key
        t0, t1 = _us(task.start), _us(task.end if task.end is not None else now)
        events.append(
            {
                "ph": "X",
                "name": task.label,
                "cat": task.kind,
                "pid": pid,
                "tid": tid,
                "ts": t0,
                "dur": max(0.0, round(t1 - t0, 3)),
                "args": strict_json(
                    {
                        "id": task.id,
                        "kind": task.kind,
                        "outcome": task.outcome or "running",
                        "error": task.error,
                        "cancelled_by": task.cancelled_by,
                        "result": task.result,
                        "parent": model.task_label(task.parent) if task.parent else None,
                        "cores": sorted(task.cores),
                        "os_tid": task.tid,
                        **{f"{s}_s": round(v, 6) for s, v in task.time_in(now).items()},
                    }
                ),
            }
        )
        for span in task.spans(now):
            s0, s1 = max(t0, _us(span.t0)), min(t1, _us(span.t1))
            if s1 < s0:
                continue
            slice_: dict[str, Any] = {
                "ph": "X",
                "name": span.state,
                "cat": "state",
                "pid": pid,
                "tid": tid,
                "ts": s0,
                "dur": round(s1 - s0, 3),
                "cname": STATE_COLOUR.get(span.state, "generic_work"),
            }
            if span.what:
                slice_["args"] = {"what": span.what}
            events.append(slice_)
        for t, cause in task.cancel_requests:
            events.append(
                _instant(
                    f"cancel ({cause.get('kind', '?')})",
                    min(max(t0, _us(t)), t1),
                    pid,
                    tid,
                    {"cause": cause, "why": model.describe_cause(cause), "task": task.label},
                )
            )
        if task.outcome in _ENDED_BADLY and task.end is not None:
            args: dict[str, Any] = {"task": task.label}
            if task.error:
                args["error"] = task.error
            if task.traceback:
                args["traceback"] = task.traceback
            if task.cancelled_by:
                args["cause"] = task.cancelled_by
                args["why"] = model.describe_cause(task.cancelled_by)
            events.append(_instant(_ENDED_BADLY[task.outcome], t1, pid, tid, args))

    if model.stalls:
        tracks.next_tid += 1
        key = (runner, tracks.next_tid)
        track_kind[key] = "stalls"
        order[key] = len(order)
        tracks.names[key] = ["event loop stalls"]
        for stall in model.stalls:
            s0 = _us(stall.t0)
            events.append(
                {
                    "ph": "X",
                    "name": f"loop stalled at {stall.where}",
                    "cat": "stall",
                    "pid": runner,
                    "tid": key[1],
                    "ts": s0,
                    "dur": max(0.0, round(_us(stall.t1 if stall.t1 is not None else now) - s0, 3)),
                    "cname": "terrible",
                    "args": {"code": stall.code, "file": stall.file, "line": stall.line},
                }
            )

    cores = 0
    for t, per_core in model.cpu:
        cores = max(cores, len(per_core))
        for core, percent in enumerate(per_core):
            events.append(_counter(f"CPU core {core}", _us(t), MACHINE_PID, {"percent": percent}))
    for t, busy in model.gil_busy.points:
        events.append(_counter("GIL busy", _us(t), runner, {"fraction": busy}))
    for t, lag in model.loop_lag_ms.points:
        events.append(_counter("loop lag", _us(t), runner, {"ms": lag}))
    if model.ended is not None:
        text = f"run {model.outcome}" + (f": {model.error}" if model.error else "")
        events.append({**_instant(text, _us(model.ended), runner, runner, {}), "s": "g"})

    # Metadata: names and sort order of processes and tracks.
    pids = sorted({pid for pid, _ in track_kind} | {runner})
    for index, pid in enumerate(pids):
        name = f"runner: {model.scenario}" if pid == runner else f"worker {pid}"
        meta.append(_meta("process_name", pid, 0, {"name": name}))
        meta.append(_meta("process_sort_index", pid, 0, {"sort_index": index}))
    if model.cpu:
        meta.append(_meta("process_name", MACHINE_PID, 0, {"name": f"machine ({cores} cores)"}))
        meta.append(_meta("process_sort_index", MACHINE_PID, 0, {"sort_index": len(pids)}))
    for key, kind in track_kind.items():
        name = tracks.names[key][0] if kind == "stalls" else tracks.name(key, kind)
        meta.append(_meta("thread_name", key[0], key[1], {"name": name}))
        meta.append(_meta("thread_sort_index", key[0], key[1], {"sort_index": order[key]}))

    # Sorted by time; at equal times a longer slice (the parent) comes first.
    events.sort(key=lambda e: (e["ts"], -e.get("dur", 0.0)))
    return {
        "traceEvents": meta + events,
        "displayTimeUnit": "ms",
        "otherData": strict_json(
            {
                "tool": "concur-tui",
                "scenario": model.scenario,
                "params": model.params,
                "python": model.info.get("python"),
                "outcome": model.outcome,
                "elapsed_s": round(model.elapsed, 6),
            }
        ),
    }


def _instant(name: str, ts: float, pid: int, tid: int, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "ph": "i",
        "name": name,
        "s": "t",
        "pid": pid,
        "tid": tid,
        "ts": ts,
        "args": strict_json(args),
    }


def _counter(name: str, ts: float, pid: int, args: dict[str, Any]) -> dict[str, Any]:
    return {"ph": "C", "name": name, "pid": pid, "tid": 0, "ts": ts, "args": strict_json(args)}


def _meta(name: str, pid: int, tid: int, args: dict[str, Any]) -> dict[str, Any]:
    return {"ph": "M", "name": name, "pid": pid, "tid": tid, "ts": 0, "args": args}


def dumps(trace: dict[str, Any]) -> str:
    return dumps_strict(trace, separators=(",", ":"), ensure_ascii=False, default=repr)


def write_trace(model: RunModel, path: str | os.PathLike[str]) -> tuple[Path, int]:
    """Write the model's trace to ``path`` (atomically); returns the path and the event count.

    An ``OSError`` says why it could not be written.
    """
    trace = build_trace(model)
    target = write_atomically(path, dumps(trace))
    return target, len(trace["traceEvents"])
