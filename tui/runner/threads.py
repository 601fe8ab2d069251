"""Thread tasks and the waits inside them, seen by hooks on ``threading`` and ``time.sleep``.

Each thread's life is split by ``perf_counter_ns`` and the thread's own CPU
clock: CPU time is running, the sleeps and blocking calls hooked here are
sleeping, I/O or blocked (exactly), and whatever off-CPU time is left is
explained by the supervisor's kernel sampler (GIL, another futex, I/O, the run
queue; ``tui.supervisor.attribution``) — or, where the kernel can't be asked,
counted as waiting.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tui.events import TaskState
from tui.runner import emit, schedstat

now_ns = time.perf_counter_ns
real_sleep = time.sleep
MAX_TRACEBACK = 8000
# A wait shorter than this is counted in the totals but not sent as its own span.
MIN_WAIT_EVENT_NS = 500_000
# Returning this much later than a wait's deadline or wake-up means waiting for the GIL.
LATE_NS = 250_000
# Threads these start for their own machinery (a process pool's manager, asyncio's child
# watcher and executor shutdown) are not rows; a thread pool's workers are.
INTERNAL_MODULES = ("multiprocessing", "concurrent.futures.process", "asyncio.", "tui.")

# The OS name (``comm``) of the runner's own threads: the supervisor's kernel sampler skips them.
OWN_THREAD_PREFIX = "concur-"

_ids = itertools.count(1)
# A member read from its class costs ~70 ns on 3.11 (a descriptor): end_wait runs every wait.
_SLEEPING, _IO = TaskState.SLEEPING, TaskState.IO


def start_own(thread: threading.Thread) -> None:
    """Start one of the runner's own threads under its name as the OS sees it. A thread takes
    its creator's OS name when it is made, so the creator lends it its own for that moment:
    the thread is never seen unnamed (naming itself, it would be, by a sampler that looked
    first)."""
    assert thread.name.startswith(OWN_THREAD_PREFIX)
    path = "/proc/thread-self/comm"
    try:
        with open(path) as f:
            mine = f.read().rstrip("\n")
        with open(path, "w") as f:
            f.write(thread.name[:15])
    except OSError:  # not Linux, or /proc not mounted: the thread is sampled like any other
        thread.start()
        return
    try:
        thread.start()
    finally:
        with open(path, "w") as f:
            f.write(mine)


class ThreadRecord:
    """What the hooks know about one live thread; read by the observer thread."""

    __slots__ = (
        "block_ns",
        "clock",
        "error",
        "id",
        "ident",
        "io_ns",
        "native_id",
        "sleep_ns",
        "start_cpu",
        "start_ns",
        "start_queued",
        "wait_start",
        "wait_state",
        "wait_what",
        "woken_at",
    )

    def __init__(self, task_id: str) -> None:
        self.id = task_id
        self.ident = threading.get_ident()
        self.native_id = threading.get_native_id()
        self.clock = time.pthread_getcpuclockid(self.ident)
        self.start_ns = now_ns()
        self.start_cpu = time.thread_time_ns()
        self.start_queued = schedstat.run_queue_ns()
        self.sleep_ns = 0
        self.block_ns = 0
        self.io_ns = 0
        self.wait_state: TaskState | None = None
        self.wait_what = ""
        self.wait_start = 0
        self.woken_at = 0
        self.error: tuple[str, str] | None = None

    def waited_ns(self, at: int) -> int:
        """Sleeping plus blocked time so far, counting a wait still in progress."""
        total = self.sleep_ns + self.block_ns + self.io_ns
        if self.wait_state is not None:
            total += max(0, at - self.wait_start)
        return total


records: dict[int, ThreadRecord] = {}


def record_for_current() -> ThreadRecord | None:
    return records.get(threading.get_ident())


def start_task(name: str, internal: bool = False) -> ThreadRecord:
    """Register the calling thread as a task and announce it."""
    rec = ThreadRecord(f"th{os.getpid()}.{next(_ids)}")  # pool workers start threads too
    records[rec.ident] = rec
    em = emit.emitter()
    if em is not None:
        em.emit(
            "task_start",
            id=rec.id,
            kind="thread",
            name=name,
            tid=rec.native_id,
            internal=internal,
            t=rec.start_ns,
        )
    return rec


def end_task(rec: ThreadRecord, outcome: str | None = None) -> None:
    end = now_ns()
    cpu = time.thread_time_ns() - rec.start_cpu
    records.pop(rec.ident, None)
    em = emit.emitter()
    if em is None:
        return
    error, tb = rec.error if rec.error else (None, None)
    em.emit(
        "task_end",
        id=rec.id,
        outcome=outcome or ("error" if rec.error else "done"),
        error=error,
        traceback=tb,
        cpu_ns=cpu,
        sleep_ns=rec.sleep_ns,
        block_ns=rec.block_ns,
        io_ns=rec.io_ns,
        cpu_queue_ns=schedstat.run_queue_ns() - rec.start_queued,
        core=current_core(),
        t=end,
    )


def current_core() -> int | None:
    """The CPU this thread last ran on (field 39 of /proc/thread-self/stat)."""
    try:
        with open("/proc/thread-self/stat", "rb") as f:
            data = f.read()
        return int(data.rsplit(b")", 1)[1].split()[36])
    except (OSError, IndexError, ValueError):
        return None


@contextmanager
def waiting(
    state: TaskState, what: str, async_task_id: str | None = None, due_ns: int | None = None
) -> Iterator[None]:
    """Mark the calling thread as sleeping or blocked for the duration of the block.

    A wait ends when its deadline passes (``due_ns``) or another thread wakes it
    (``ThreadRecord.woken_at``, stamped by ``Condition.notify``); the thread then
    needs the GIL back before the call returns. Lateness beyond that point is not
    counted as the wait, so it is left over as time waiting for the GIL.
    """
    rec = records.get(threading.get_ident())
    if rec is None or rec.wait_state is not None:
        yield
        return
    start = begin_wait(rec, state, what)
    try:
        yield
    finally:
        end_wait(rec, start, due_ns, async_task_id)


def begin_wait(rec: ThreadRecord, state: TaskState, what: str) -> int:
    start = now_ns()
    rec.wait_state, rec.wait_start, rec.wait_what, rec.woken_at = state, start, what, 0
    return start


def end_wait(
    rec: ThreadRecord, start: int, due_ns: int | None = None, async_task_id: str | None = None
) -> None:
    """Count a wait that began at ``start`` (``begin_wait``) and has just returned."""
    end = now_ns()
    state, what = rec.wait_state, rec.wait_what
    wake = rec.woken_at or due_ns or end
    if not start <= wake <= end or end - wake < LATE_NS:
        wake = end
    rec.wait_state = None
    if state is _SLEEPING:
        rec.sleep_ns += wake - start
    elif state is _IO:
        rec.io_ns += wake - start
    else:
        rec.block_ns += wake - start
    if end - start >= MIN_WAIT_EVENT_NS:
        em = emit.emitter()
        if em is not None:
            em.emit("wait", id=rec.id, state=state, t0=start, what=what, t=wake)
            if async_task_id is not None:
                em.emit(
                    "wait", id=async_task_id, state=TaskState.BLOCKED, t0=start, what=what, t=end
                )


def describe_error(exc: BaseException | None) -> tuple[str, str]:
    if exc is None:
        return ("unknown error", "")
    text = "".join(traceback.format_exception(exc))
    return (f"{type(exc).__name__}: {exc}", text[-MAX_TRACEBACK:])


def is_internal(thread: threading.Thread) -> bool:
    if getattr(thread, "_concur_internal", False):
        return True
    target = getattr(thread, "_target", None)
    owner = getattr(target, "__module__", None) or type(thread).__module__ or ""
    return owner.startswith(INTERNAL_MODULES)


# -- hooks: each takes the original it replaces (installed by tui.runner.patches) ----------------


def observe_thread(original: Callable[[threading.Thread], None]) -> Callable[..., None]:
    """``Thread._bootstrap_inner``: the thread is a task from its first line to its last."""

    def _bootstrap_inner(self: threading.Thread) -> None:
        if getattr(self, "_concur_internal", False) or emit.emitter() is None:
            return original(self)
        rec = start_task(self.name, internal=is_internal(self))
        try:
            original(self)
        finally:
            end_task(rec)

    return _bootstrap_inner


def note_thread_error(previous_hook: Callable[[Any], Any]) -> Callable[[Any], None]:
    """``threading.excepthook``: the exception that ended a thread is its task's error."""

    def excepthook(args: Any) -> None:
        rec = records.get(threading.get_ident())
        if rec is not None:
            rec.error = describe_error(args.exc_value)
        previous_hook(args)

    return excepthook


def observe_sleep(original: Callable[[float], None]) -> Callable[[float], None]:
    def sleep(secs: float) -> None:
        try:
            due = now_ns() + int(secs * 1e9)
        except (TypeError, ValueError, OverflowError):
            return original(secs)  # raises just what plain Python would
        with waiting(TaskState.SLEEPING, f"time.sleep({secs!r})", current_async_task_id(), due):
            original(secs)

    return sleep


def blocking(
    label: str, state: TaskState = TaskState.BLOCKED
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A hook for a call that waits: the time in it is ``state``, described by ``label``."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def blocking_call(*args: Any, **kwargs: Any) -> Any:  # a method or a plain function
            with waiting(state, label):
                return original(*args, **kwargs)

        return blocking_call

    return make


def observe_select(original: Callable[..., Any]) -> Callable[..., Any]:
    def select(self: Any, timeout: float | None = None) -> Any:
        with waiting(TaskState.IO, "waiting for I/O or a timer (select)"):
            return original(self, timeout)

    return select


CONDITION_WAIT = "waiting on a condition / event / queue"


def observe_condition_wait(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Condition.wait`` (every Queue, Event, Semaphore and Barrier wait goes through it)."""
    get_ident = threading.get_ident
    blocked = TaskState.BLOCKED

    def wait(self: threading.Condition, timeout: float | None = None) -> Any:
        # A hot path in queue-heavy programs (two threads passing items through a Queue wait
        # every few items): each line here costs such a program ~1 %.
        rec = records.get(get_ident())
        if rec is None or rec.wait_state is not None:
            return original(self, timeout)
        # The records waiting on this Condition, in the order they began (as it wakes them).
        # While one waits, ``notify`` on this Condition stamps when it woke it: an instance
        # attribute, so the many notifies nobody waits for (every ``Queue.put``) cost nothing.
        state = self.__dict__
        waiters: list[ThreadRecord] | None = state.get("_concur_waiters")
        if waiters is None:
            waiters = state["_concur_waiters"] = []
        if "notify" not in state:  # (a cycle through the Condition only while one waits)
            state["notify"] = _stamping_notify.__get__(self)
        waiters.append(rec)
        start = rec.wait_start = now_ns()
        rec.wait_what, rec.woken_at, rec.wait_state = CONDITION_WAIT, 0, blocked
        try:
            return original(self, timeout)
        finally:
            due = start + int(timeout * 1e9) if timeout is not None and timeout >= 0 else None
            end_wait(rec, start, due)
            waiters.remove(rec)
            if not waiters:
                state.pop("notify", None)

    return wait


def _stamping_notify(self: threading.Condition, n: int = 1) -> None:
    """``notify`` while a hooked thread waits on this Condition: say when it woke whom."""
    now = now_ns()
    woken = 0
    for rec in self.__dict__["_concur_waiters"]:  # woken first come, first served
        if rec.wait_state is not None and not rec.woken_at:
            if woken >= n:
                break
            rec.woken_at = now
            woken += 1
    else:  # every waiter is woken: nobody left to stamp, back to the class's own notify
        self.__dict__.pop("notify", None)
    type(self).notify(self, n)


def current_async_task_id() -> str | None:
    """The id of the asyncio task whose step runs on this thread now, if any. (Asked of asyncio
    itself, which keeps it anyway: keeping it again where the loop runs each step cost a
    call-heavy program two dictionary writes a step.)"""
    events, tasks = sys.modules.get("asyncio.events"), sys.modules.get("asyncio.tasks")
    if events is None or tasks is None:  # a process that never imported asyncio runs no task
        return None
    loop = events._get_running_loop()
    return None if loop is None else getattr(tasks.current_task(loop), "_concur_id", None)
