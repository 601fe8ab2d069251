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
import functools
import itertools
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from types import FrameType
from typing import Any

from tui.events import (
    DEFAULT_ASYNC_NAME,
    MAX_ROW_TEXT,
    Cause,
    CauseKind,
    TaskKind,
    TaskOutcome,
    TaskState,
    async_task_id,
)
from tui.runner import emit, threads
from tui.runner.emit import USER_CANCEL, cancel_cause

now_ns = time.perf_counter_ns
_get_running_loop = asyncio.events._get_running_loop
_current_task = asyncio.current_task
LAG_INTERVAL_S = 0.02
_ids = itertools.count(1)
_pid = os.getpid()


def _forked() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_forked)


class ObservedTask(asyncio.Task):
    # Slots, not an instance dict: one object less per task for the garbage collector.
    __slots__ = ("_concur_cause", "_concur_n", "_concur_passes_down", "_concur_wake_due")
    _concur_n: int  # its number in this process: the rows the hot path records carry it
    _concur_cause: Cause | None
    _concur_wake_due: int
    _concur_passes_down: bool

    def __init__(self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> None:
        """Called as a loop's task factory is, ``(loop, coro, **kwargs)``: the class is the
        factory itself, a Python call less a task."""
        self._concur_n = next(_ids)
        self._concur_cause = None
        self._concur_wake_due = 0
        self._concur_passes_down = False
        running = _get_running_loop()
        parent = None if running is None else getattr(_current_task(running), "_concur_n", None)
        super().__init__(coro, loop=loop, **kwargs)
        em = emit._emitter
        if em is not None:
            coro = self.get_coro()
            qualname = getattr(coro, "__qualname__", type(coro).__name__)
            name = self.get_name()
            internal = "." in qualname and _is_asyncio_method(coro)
            tid = threading.get_native_id()
            if len(name) <= MAX_ROW_TEXT and len(qualname) <= MAX_ROW_TEXT:
                # A row of ``starts`` (tui/events.py, STARTS): the common case, cheap to send.
                em.record_start((self._concur_n, now_ns(), name, parent, tid, qualname, internal))
            else:
                em.emit(
                    "task_start",
                    id=self._concur_id,
                    kind=TaskKind.ASYNC,
                    name=name,
                    parent=None if parent is None else async_task_id(_pid, parent),
                    tid=tid,
                    coro=qualname,
                    internal=internal,
                )
        # Its end is seen where the loop runs its last step (``Handle._run``): a task only
        # finishes inside a step of its own, and a done callback a task costs a Context and a
        # callback list for the garbage collector. (An eager task may finish right here.)
        if self.done():
            _on_done(self)

    @property
    def _concur_id(self) -> str:
        """Its id in events (``a<pid>.<n>``): made only when an event names it, since rows
        carry the number alone (``tui.events.from_wire`` makes the same string)."""
        return async_task_id(_pid, self._concur_n)

    def set_name(self, value: object) -> None:
        if value is None and sys._getframe(1).f_code.co_name == "create_task":
            # 3.13.0's create_task calls set_name(None) when a task factory is installed
            # (gh-123220): without a factory the task keeps its default name, so it does here.
            return
        super().set_name(value)
        em = emit.emitter()
        if em is not None:
            em.emit("rename", id=self._concur_id, name=str(value))

    def cancel(self, msg: Any = None) -> bool:
        if not self.done():
            if self is _asked_by_user:
                cause, passes_down = cancel_cause(CauseKind.USER, USER_CANCEL), False
            else:
                cause, passes_down = _find_cause(sys._getframe(1), self)
            if msg is not None:
                cause["msg"] = str(msg)
            self._concur_cause = cause
            self._concur_passes_down = passes_down
            em = emit.emitter()
            if em is not None:
                em.emit("cancel", id=self._concur_id, cause=cause)
        return super().cancel(msg)


# asyncio's own code: a task running one of its methods (a loop accepting a connection,
# a subprocess transport connecting its pipes, shutting down) is machinery, not a row.
_ASYNCIO_DIR = os.path.dirname(asyncio.__file__) + os.sep


def _is_asyncio_method(coro: object) -> bool:
    code = getattr(coro, "cr_code", None)
    return code is not None and code.co_filename.startswith(_ASYNCIO_DIR)


def _task_id(task: object) -> str | None:
    return getattr(task, "_concur_id", None)


def _where(frame: FrameType) -> str:
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _is_library(frame: FrameType) -> bool:
    filename = frame.f_code.co_filename
    return "/asyncio/" in filename or "/tui/runner/" in filename or filename.startswith("<")


def _inherited(owner: ObservedTask) -> Cause:
    """The cause of a cancel passed down from ``owner``, the task that awaited the victim."""
    parent = owner._concur_cause or cancel_cause(CauseKind.PROGRAM, "")
    if owner._concur_passes_down:
        # 3.12+ runs wait_for inside the awaiting task: its timeout cancels that task only to
        # reach what it awaits, which is the one wait_for timed out.
        by, detail = None, parent["detail"]
    else:
        by = owner._concur_id
        detail = f"{_name_of(owner)} was cancelled while awaiting it ({parent['detail']})"
    return cancel_cause(parent["kind"], detail, by, parent["where"], parent.get("msg"))


def _wait_for_timeout(where: str | None) -> Cause:
    return cancel_cause(CauseKind.TIMEOUT, "asyncio.wait_for timed out", where=where)


def _program_frame(frame: FrameType | None) -> FrameType | None:
    """The innermost frame of the program's own code at or above ``frame``."""
    while frame is not None and _is_library(frame):
        frame = frame.f_back
    return frame


def _find_cause(frame: FrameType | None, victim: ObservedTask) -> tuple[Cause, bool]:
    """Name why ``victim`` is being cancelled, from the frames that called ``cancel()``; and
    whether the cancel is really aimed at what ``victim`` awaits (a 3.12+ wait_for timeout)."""
    via_gather = False
    depth = 0
    while frame is not None and depth < 40:
        code = frame.f_code
        name = code.co_name
        owner = frame.f_locals.get("self")
        if name == "cancel" and isinstance(owner, ObservedTask) and owner is not victim:
            return _inherited(owner), False  # cancelling a task cancels what it awaits
        if name in ("wait_for", "_cancel_and_wait") and "asyncio" in code.co_filename:
            # 3.11's wait_for also cancels its inner task when the task awaiting it was cancelled.
            outer = asyncio.current_task()
            if isinstance(outer, ObservedTask) and outer.cancelling() and outer._concur_cause:
                return _inherited(outer), False
            program = _program_frame(frame.f_back)
            return _wait_for_timeout(_where(program) if program else None), False
        if name == "_on_timeout":
            if hasattr(owner, "_concur_wait_for"):
                return _wait_for_timeout(getattr(owner, "_concur_wait_for", None)), True
            return cancel_cause(CauseKind.TIMEOUT, "asyncio.timeout expired"), False
        if name == "_on_task_done" and type(owner).__name__ == "TaskGroup":
            failed = frame.f_locals.get("task")
            detail = (
                f"TaskGroup cancelled its tasks after task {_name_of(failed)!r} failed"
                f" ({_exc_text(failed)})"
            )
            return cancel_cause(CauseKind.TASKGROUP, detail, by=_task_id(failed)), False
        if name == "__aexit__" and type(owner).__name__ == "TaskGroup":
            detail = "TaskGroup cancelled its tasks: its body raised or was cancelled"
            return cancel_cause(CauseKind.TASKGROUP, detail), False
        if name == "_cancel_all_tasks":
            detail = "asyncio.run cancelled tasks still pending when main() returned"
            return cancel_cause(CauseKind.RUN_EXIT, detail), False
        if name == "_on_sigint":
            return cancel_cause(CauseKind.USER, "the run was interrupted"), False
        if name == "cancel" and type(owner).__name__ == "_GatheringFuture":
            via_gather = True
        elif not _is_library(frame):
            where = _where(frame)
            if via_gather:
                detail = f"the gather() it belongs to was cancelled at {where}"
                return cancel_cause(
                    CauseKind.GATHER, detail, threads.current_async_task_id(), where
                ), False
            detail = f"task.cancel() called at {where}"
            return cancel_cause(
                CauseKind.PROGRAM, detail, threads.current_async_task_id(), where
            ), False
        frame = frame.f_back
        depth += 1
    return cancel_cause(
        CauseKind.PROGRAM, "cancel() called", threads.current_async_task_id()
    ), False


def _name_of(task: Any) -> str:
    """A task's name, or what it runs when it has only a default name (as the model labels it)."""
    if not isinstance(task, asyncio.Task):
        return "a task"
    name = task.get_name()
    if DEFAULT_ASYNC_NAME.fullmatch(name):
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
    cancelled = task.cancelled()
    # ``_exception``, not ``exception()``: reading it does not mark it retrieved, so asyncio
    # still says "Task exception was never retrieved" where it would without the tool.
    exc = None if cancelled else task._exception
    if not cancelled and exc is None:
        em.record_end((task._concur_n, now_ns()))  # a row of ``ends`` (tui/events.py, ENDS)
        return
    cause = task._concur_cause
    timeout = cause is not None and cause.get("kind") == CauseKind.TIMEOUT
    error = tb = None
    if cancelled:
        outcome = TaskOutcome.TIMEOUT if timeout else TaskOutcome.CANCELLED
    elif isinstance(exc, TimeoutError) and timeout:
        outcome = TaskOutcome.TIMEOUT
    else:
        outcome = TaskOutcome.ERROR
        error, tb = threads.describe_error(exc)
    em.emit(
        "task_end",
        id=task._concur_id,
        outcome=outcome,
        error=error,
        traceback=tb,
        cancelled_by=cause if outcome != TaskOutcome.ERROR else None,
    )


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

# The loop's own account of a stall: the last few handles each loop thread ran long (start,
# end), so a stall is as long as its step.
SLOW_HANDLE_NS = 50_000_000
# A task the loop runs more than this after it was due (its sleep over) was ready but waiting.
READY_LATE_NS = 1_000_000
slow_handles: dict[int, deque[tuple[int, int]]] = {}


# The task being cancelled because the user asked (set only around that ``cancel()`` call).
_asked_by_user: asyncio.Task[Any] | None = None


def _user_cancel(task: asyncio.Task[Any]) -> None:
    global _asked_by_user
    _asked_by_user = task
    try:
        task.cancel()
    finally:
        _asked_by_user = None


def cancel_task(task_id: str) -> bool:
    """Cancel an asyncio task of the program on its own loop (the user asked for it)."""
    for monitor in monitors:
        for task in asyncio.all_tasks(monitor.loop):
            if _task_id(task) == task_id:
                monitor.loop.call_soon_threadsafe(_user_cancel, task)
                return True
    return False


# -- hooks: each takes the original it replaces (installed by tui.runner.patches) ----------------


def observe_loop_init(original_init: Callable[..., None]) -> Callable[..., None]:
    """``BaseEventLoop.__init__``: every loop makes its tasks ``ObservedTask``."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.set_task_factory(ObservedTask)

    return __init__


def observe_run_forever(original_run_forever: Callable[[Any], None]) -> Callable[[Any], None]:
    """``BaseEventLoop.run_forever``: a running loop has its lag measured."""

    def run_forever(self: Any) -> None:
        monitor = LagMonitor(self)
        monitors.append(monitor)
        try:
            original_run_forever(self)
        finally:
            monitor.stop()

    return run_forever


def time_steps(original_run: Callable[[Any], None]) -> Callable[[Any], None]:
    """``Handle._run``: where the loop runs every callback, so every step of every task."""

    def _run(self: Any) -> None:  # an asyncio.Handle (its ``_callback`` is not in the stubs)
        # The hot path: every callback of every loop comes through here, so it does the least
        # it can (a call-heavy program makes 100 000 steps a fifth of a second: each line here
        # costs it ~1 %). A task's step is recorded as four values (``Emitter.record_step``),
        # sent batched as ``steps`` events. The stall watch reads ``start`` from this frame
        # (``handle_began``): nothing is kept for it here.
        start = now_ns()
        task = getattr(self._callback, "__self__", None)
        if type(task) is not ObservedTask:
            try:
                original_run(self)
            finally:
                end = now_ns()
                if end - start >= SLOW_HANDLE_NS:
                    _ran_long(start, end)
            return
        due = task._concur_wake_due
        if due:
            task._concur_wake_due = 0
            if start - due <= READY_LATE_NS:
                due = 0
        try:
            original_run(self)
        finally:
            end = now_ns()
            em = emit._emitter
            if em is not None:
                em.record_step((task._concur_n, start, end, due))
                if task.done():
                    _on_done(task)
            if end - start >= SLOW_HANDLE_NS:
                _ran_long(start, end)

    return _run


def handle_began(frame: FrameType | None) -> int | None:
    """When the handle a loop thread whose innermost frame is ``frame`` runs began, or None
    if it runs none: read from the ``start`` of that thread's ``_run`` (``time_steps``)."""
    while frame is not None:
        code = frame.f_code
        if code.co_name == "_run" and code.co_filename == __file__:
            began = frame.f_locals.get("start")
            return began if type(began) is int else None
        frame = frame.f_back
    return None


def _ran_long(start: int, end: int) -> None:
    slow_handles.setdefault(threading.get_ident(), deque(maxlen=8)).append((start, end))


def observe_sleep(original_sleep: Callable[..., Any]) -> Callable[..., Any]:
    """``asyncio.sleep``: a task's sleep is a span of its own, and its wake-up is due then."""

    def sleep(delay: float, result: Any = None) -> Any:
        # ``sleep(0)`` only yields to the loop: hand back asyncio's own coroutine, no frame of
        # ours around it (a call-heavy program awaits it in a loop).
        if type(delay) in (int, float) and delay <= 0:
            return original_sleep(delay, result)
        return observed_sleep(delay, result)

    # Named as asyncio's own: a task made of ``wait_for(asyncio.sleep(5), …)`` is labelled by
    # its coroutine's name, and the program never wrote ours.
    @functools.wraps(original_sleep)
    async def observed_sleep(delay: float, result: Any = None) -> Any:
        task = asyncio.current_task()
        if not isinstance(task, ObservedTask) or delay <= 0:
            return await original_sleep(delay, result)
        start = now_ns()
        due = start + int(delay * 1e9)
        task._concur_wake_due = due
        what = f"asyncio.sleep({delay!r})"
        em = emit.emitter()
        if em is not None:
            em.emit("wait_start", id=task._concur_id, state=TaskState.SLEEPING, what=what)
        try:
            return await original_sleep(delay, result)
        finally:
            em = emit.emitter()
            if em is not None:
                end = min(now_ns(), due)
                em.emit(
                    "wait", id=task._concur_id, state=TaskState.SLEEPING, t0=start, what=what, t=end
                )

    return sleep


def mark_wait_for_timeouts(original_timeout: Callable[..., Any]) -> Callable[..., Any]:
    """``asyncio.timeouts.timeout``: 3.12+ builds ``wait_for`` on it; a timeout made by
    ``wait_for`` is marked, so a cancel from it reads as wait_for timing out where the program
    called it."""

    def timeout(delay: float | None) -> asyncio.Timeout:
        made = original_timeout(delay)
        caller = sys._getframe(1)
        if caller.f_code.co_name == "wait_for" and "asyncio" in caller.f_code.co_filename:
            program = _program_frame(caller.f_back)
            made._concur_wait_for = _where(program) if program else None
        return made

    return timeout
