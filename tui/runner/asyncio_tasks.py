"""asyncio tasks, their steps, sleeps, and who cancelled them.

Every loop gets a task factory that creates ``ObservedTask``, a subclass of
``asyncio.Task``: its ``cancel()`` sees every cancellation, the ones asyncio
makes from C included, and reads the cause from its caller's frames (DESIGN.md,
"Who cancelled a task"). A task's steps are timed where the loop runs its
handles (``Handle._run``), the aiodebug approach. Event-loop lag comes from a
timer handle that records how late it runs.
"""

from __future__ import annotations

import asyncio
import asyncio.events
import itertools
import os
import re
import sys
import threading
import time
from types import FrameType
from typing import Any

from tui.events import TaskState
from tui.runner import emit, threads

now_ns = time.perf_counter_ns
LAG_INTERVAL_S = 0.02
_ids = itertools.count(1)
_STDLIB_PREFIXES = (sys.prefix, sys.base_prefix)


class ObservedTask(asyncio.Task):  # type: ignore[type-arg]
    _concur_id: str
    _concur_cause: dict[str, Any] | None
    _concur_wake_due: int

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._concur_id = f"a{os.getpid()}.{next(_ids)}"
        self._concur_cause = None
        self._concur_wake_due = 0
        parent = _current_task_id()
        super().__init__(*args, **kwargs)
        em = emit.emitter()
        if em is not None:
            coro = self.get_coro()
            qualname = getattr(coro, "__qualname__", type(coro).__name__)
            em.emit(
                "task_start",
                id=self._concur_id,
                kind="async",
                name=self.get_name(),
                parent=parent,
                tid=threading.get_native_id(),
                coro=qualname,
                internal=qualname.startswith("BaseEventLoop."),
            )
        self.add_done_callback(_on_done)

    def set_name(self, value: object) -> None:
        super().set_name(value)
        em = emit.emitter()
        if em is not None:
            em.emit("rename", id=self._concur_id, name=str(value))

    def cancel(self, msg: Any = None) -> bool:
        if not self.done():
            cause = _find_cause(sys._getframe(1), self)
            self._concur_cause = cause
            em = emit.emitter()
            if em is not None:
                em.emit("cancel", id=self._concur_id, cause=cause)
        return super().cancel(msg)


def _current_task_id() -> str | None:
    try:
        task = asyncio.current_task()
    except RuntimeError:
        return None
    return getattr(task, "_concur_id", None)


def _task_id(task: object) -> str | None:
    return getattr(task, "_concur_id", None)


def _where(frame: FrameType) -> str:
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _is_library(frame: FrameType) -> bool:
    filename = frame.f_code.co_filename
    return "/asyncio/" in filename or "/tui/runner/" in filename or filename.startswith("<")


def _inherited(owner: ObservedTask) -> dict[str, Any]:
    """The cause of a cancel passed down from ``owner``, the task that awaited the victim."""
    parent_cause = owner._concur_cause or {"kind": "program", "detail": ""}
    return {
        **parent_cause,
        "by": owner._concur_id,
        "detail": f"{_name_of(owner)} was cancelled while awaiting it"
        f" ({parent_cause.get('detail', '')})",
    }


def _find_cause(frame: FrameType | None, victim: ObservedTask) -> dict[str, Any]:
    """Name why ``victim`` is being cancelled, from the frames that called ``cancel()``."""
    via_gather = False
    depth = 0
    while frame is not None and depth < 40:
        code = frame.f_code
        name = code.co_name
        owner = frame.f_locals.get("self")
        if name == "cancel" and isinstance(owner, ObservedTask) and owner is not victim:
            return _inherited(owner)  # cancelling a task cancels what it awaits
        if name in ("wait_for", "_cancel_and_wait") and "asyncio" in code.co_filename:
            # 3.11's wait_for also cancels its inner task when the task awaiting it was cancelled.
            outer = asyncio.current_task()
            if isinstance(outer, ObservedTask) and outer.cancelling() and outer._concur_cause:
                return _inherited(outer)
            return {
                "kind": "timeout",
                "by": None,
                "detail": "asyncio.wait_for timed out",
                "where": None,
            }
        if name == "_on_timeout":
            return {
                "kind": "timeout",
                "by": None,
                "detail": "asyncio.timeout expired",
                "where": None,
            }
        if name == "_on_task_done" and type(owner).__name__ == "TaskGroup":
            failed = frame.f_locals.get("task")
            return {
                "kind": "taskgroup",
                "by": _task_id(failed),
                "detail": f"TaskGroup cancelled its tasks after task {_name_of(failed)!r} failed"
                f" ({_exc_text(failed)})",
                "where": None,
            }
        if name == "__aexit__" and type(owner).__name__ == "TaskGroup":
            return {
                "kind": "taskgroup",
                "by": None,
                "detail": "TaskGroup cancelled its tasks: its body raised or was cancelled",
                "where": None,
            }
        if name == "_cancel_all_tasks":
            return {
                "kind": "run_exit",
                "by": None,
                "detail": "asyncio.run cancelled tasks still pending when main() returned",
                "where": None,
            }
        if name == "_on_sigint":
            return {"kind": "user", "by": None, "detail": "the run was interrupted", "where": None}
        if name == "_user_cancel":
            return {
                "kind": "user",
                "by": None,
                "detail": "cancelled from concur-tui",
                "where": None,
            }
        if name == "cancel" and type(owner).__name__ == "_GatheringFuture":
            via_gather = True
        elif not _is_library(frame):
            where = _where(frame)
            detail = f"task.cancel() called at {where}"
            if via_gather:
                detail = f"the gather() it belongs to was cancelled at {where}"
            return {
                "kind": "gather" if via_gather else "program",
                "by": _current_task_id(),
                "detail": detail,
                "where": where,
            }
        frame = frame.f_back
        depth += 1
    return {"kind": "program", "by": _current_task_id(), "detail": "cancel() called", "where": None}


def _name_of(task: Any) -> str:
    """A task's name, or what it runs when it has only a default name (as the model labels it)."""
    if not isinstance(task, asyncio.Task):
        return "a task"
    name = task.get_name()
    if re.fullmatch(r"Task-\d+", name):
        coro = task.get_coro()
        return f"{getattr(coro, '__name__', 'task')} ({name})"
    return name


def _exc_text(task: Any) -> str:
    try:
        exc = task.exception()
    except BaseException:
        return "?"
    return f"{type(exc).__name__}: {exc}" if exc is not None else "no exception"


def _on_done(task: asyncio.Future[Any]) -> None:
    em = emit.emitter()
    if em is None or not isinstance(task, ObservedTask):
        return
    cause = task._concur_cause
    error = tb = None
    if task.cancelled():
        outcome = "timeout" if cause and cause.get("kind") == "timeout" else "cancelled"
    else:
        exc = task.exception()
        if exc is None:
            outcome = "done"
        else:
            timed_out = isinstance(exc, TimeoutError) and cause and cause.get("kind") == "timeout"
            outcome = "timeout" if timed_out else "error"
            error, tb = threads.describe_error(exc)
    em.emit(
        "task_end",
        id=task._concur_id,
        outcome=outcome,
        error=error,
        traceback=tb,
        cancelled_by=cause if outcome in ("cancelled", "timeout") else None,
    )


def _task_factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> ObservedTask:
    return ObservedTask(coro, loop=loop, **kwargs)


class LagMonitor:
    """A timer handle on the loop that records how late it runs (the loop's lag)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.thread_ident = threading.get_ident()
        self.lags_us: list[int] = []
        self.last_beat = now_ns()
        self.running = True
        self._due = 0
        self._handle: asyncio.TimerHandle | None = None
        self._schedule()

    def _schedule(self) -> None:
        self._due = now_ns() + int(LAG_INTERVAL_S * 1e9)
        self._handle = self.loop.call_later(LAG_INTERVAL_S, self._beat)

    def _beat(self) -> None:
        now = now_ns()
        self.lags_us.append(max(0, (now - self._due) // 1000))
        self.last_beat = now
        if self.running:
            self._schedule()

    def stop(self) -> None:
        """The loop has stopped: count how late its last beat was, and hand over to the
        observer, which sends what is left and then drops this monitor."""
        now = now_ns()
        if now > self._due:
            self.lags_us.append((now - self._due) // 1000)
        self.last_beat = now
        self.running = False
        if self._handle is not None:
            self._handle.cancel()


monitors: list[LagMonitor] = []


def _user_cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()


def cancel_task(task_id: str) -> bool:
    """Cancel an asyncio task of the program on its own loop (the user asked for it)."""
    for monitor in monitors:
        for task in asyncio.all_tasks(monitor.loop):
            if _task_id(task) == task_id:
                monitor.loop.call_soon_threadsafe(_user_cancel, task)
                return True
    return False


def install() -> None:
    base = asyncio.base_events.BaseEventLoop
    original_init = base.__init__
    original_run_forever = base.run_forever

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.set_task_factory(_task_factory)

    def run_forever(self: Any) -> None:
        monitor = LagMonitor(self)
        monitors.append(monitor)
        try:
            original_run_forever(self)
        finally:
            monitor.stop()

    base.__init__ = __init__
    base.run_forever = run_forever

    original_run = asyncio.events.Handle._run

    def _run(self: asyncio.Handle) -> None:
        task = getattr(self._callback, "__self__", None)
        if not isinstance(task, ObservedTask):
            return original_run(self)
        start = now_ns()
        em = emit.emitter()
        due = task._concur_wake_due
        if due and em is not None and start - due > 1_000_000:
            em.emit("ready", id=task._concur_id, t0=due, t=start)
        task._concur_wake_due = 0
        ident = threading.get_ident()
        threads.stepping[ident] = task._concur_id
        try:
            original_run(self)
        finally:
            threads.stepping.pop(ident, None)
            if em is not None:
                em.emit("step", id=task._concur_id, t0=start)

    asyncio.events.Handle._run = _run

    original_sleep = asyncio.sleep

    async def sleep(delay: float, result: Any = None) -> Any:
        task = asyncio.current_task()
        if not isinstance(task, ObservedTask) or delay <= 0:
            return await original_sleep(delay, result)
        start = now_ns()
        due = start + int(delay * 1e9)
        task._concur_wake_due = due
        em = emit.emitter()
        if em is not None:
            em.emit(
                "wait_start",
                id=task._concur_id,
                state=TaskState.SLEEPING,
                what=f"asyncio.sleep({delay!r})",
            )
        try:
            return await original_sleep(delay, result)
        finally:
            em = emit.emitter()
            if em is not None:
                end = min(now_ns(), due)
                em.emit(
                    "wait",
                    id=task._concur_id,
                    state=TaskState.SLEEPING,
                    t0=start,
                    what=f"asyncio.sleep({delay!r})",
                    t=end,
                )

    asyncio.sleep = sleep
    asyncio.tasks.sleep = sleep
