"""Calls submitted to a thread pool are tasks of their own (kind ``call``).

``ThreadPoolExecutor.submit`` — which ``map``, ``loop.run_in_executor`` and
``asyncio.to_thread`` all go through — announces each call as *queued*, named
by its function and first arguments, linked to the asyncio task (or thread)
that submitted it. The worker thread that takes it announces it again with
its own thread, and ends it: done, error (with the exception and traceback),
or, when ``future.cancel()`` won before a worker took it, cancelled. While it
runs, the call's states are its worker thread's.
"""

from __future__ import annotations

import functools
import itertools
import os
from collections.abc import Callable
from typing import Any

from tui.events import TaskKind, TaskState
from tui.runner import emit, pools, threads

_ids = itertools.count(1)


def announce_calls(original_submit: Callable[..., Any]) -> Callable[..., Any]:
    """``ThreadPoolExecutor.submit``: each call is a task, queued until a worker runs it."""

    def submit(self: Any, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        em = emit.emitter()
        if em is None:
            return original_submit(self, fn, *args, **kwargs)
        task_id = f"x{os.getpid()}.{next(_ids)}"
        label = pools._label(fn, args)
        submitter = threads.record_for_current()
        parent = threads.current_async_task_id() or (submitter.id if submitter else None)
        em.emit(
            "task_start", id=task_id, kind=TaskKind.CALL, name=label, queued=True, parent=parent
        )
        future = original_submit(
            self, functools.partial(_run_call, task_id, label, fn), *args, **kwargs
        )
        pools.queued[task_id] = future
        future.add_done_callback(functools.partial(pools._on_future_done, task_id))
        return future

    return submit


def watch_idle_workers(original_init: Callable[..., None]) -> Callable[..., None]:
    """``ThreadPoolExecutor.__init__``: an idle worker's wait for work is a hooked wait."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self._work_queue = _IdleWait(self._work_queue)

    return __init__


class _IdleWait:
    """A thread pool's work queue whose blocking ``get`` is a hooked wait: an idle worker is
    blocked waiting for work (exactly, even where the kernel can't be asked)."""

    def __init__(self, queue: Any) -> None:
        self._queue = queue

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        if not block:
            return self._queue.get(block, timeout)
        with threads.waiting(TaskState.BLOCKED, "idle pool worker: waiting for work"):
            return self._queue.get(block, timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._queue, name)


def _run_call(task_id: str, label: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run one call on the worker thread that took it, as the task announced at submit."""
    em = emit.emitter()
    rec = threads.record_for_current()
    if em is None or rec is None:
        return fn(*args, **kwargs)
    try:
        return pools.run_as_task(
            em, rec, TaskKind.CALL, task_id, label, fn, args, kwargs, worker=rec.id
        )
    finally:
        pools.queued.pop(task_id, None)
