"""Process-pool work items, timed inside the worker that runs them.

Workers start as fresh interpreters (forkserver or spawn), so these hooks
arrive through ``sitecustomize`` (see ``site/``). The pool's worker loop is
left as it is; only the queue it reads from is wrapped, so each item's
function is timed where it runs: start and end, pid, core, CPU, result.
"""

from __future__ import annotations

import functools
import itertools
import os
import time
from collections.abc import Callable
from typing import Any

from tui.runner import emit, threads

now_ns = time.perf_counter_ns
_seq = itertools.count(1)
MAX_REPR = 60


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_REPR else text[: MAX_REPR - 1] + "…"


def _label(func: Callable[..., Any], args: tuple[Any, ...]) -> str:
    name = getattr(func, "__name__", type(func).__name__)
    return f"{name}({', '.join(_short(a) for a in args)})"[:80]


def timed_call(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run one work item as a task of kind ``process``."""
    em = emit.emitter()
    rec = threads.record_for_current()
    if em is None or rec is None:
        return func(*args, **kwargs)
    task_id = f"p{os.getpid()}.{next(_seq)}"
    rec.id = task_id
    rec.sleep_ns = rec.block_ns = 0
    core = threads.current_core()
    em.emit(
        "task_start",
        id=task_id,
        kind="process",
        name=_label(func, args),
        tid=rec.native_id,
        core=core,
    )
    em.flush()
    cpu0 = time.thread_time_ns()
    outcome, error, tb, result = "done", None, None, None
    try:
        value = func(*args, **kwargs)
        result = _short(value)
        return value
    except BaseException as exc:
        outcome = "error"
        error, tb = threads._describe_error(exc)
        raise
    finally:
        em.emit(
            "task_end",
            id=task_id,
            outcome=outcome,
            error=error,
            traceback=tb,
            result=result,
            cpu_ns=time.thread_time_ns() - cpu0,
            sleep_ns=rec.sleep_ns,
            block_ns=rec.block_ns,
            cores=sorted({c for c in (core, threads.current_core()) if c is not None}),
            process_cpu_ns=time.process_time_ns(),
        )
        em.flush()


def _per_item(func: Callable[..., Any]) -> Callable[..., Any]:
    return functools.partial(timed_call, func)


def _wrap_pool_task(task: Any) -> Any:
    """A ``multiprocessing.Pool`` task tuple with its function timed per item."""
    import multiprocessing.pool as mp_pool

    if not isinstance(task, tuple) or len(task) != 5:
        return task
    job, i, func, args, kwds = task
    if func in (mp_pool.mapstar, mp_pool.starmapstar):
        ((inner, chunk),) = args
        return (job, i, func, ((_per_item(inner), chunk),), kwds)
    return (job, i, _per_item(func), args, kwds)


def _wrap_call_item(item: Any) -> Any:
    """A ``ProcessPoolExecutor`` call item with its function timed per item."""
    import concurrent.futures.process as cf_process

    fn = getattr(item, "fn", None)
    if fn is None:
        return item
    if isinstance(fn, functools.partial) and fn.func is cf_process._process_chunk:
        item.fn = functools.partial(cf_process._process_chunk, _per_item(fn.args[0]))
    else:
        item.fn = _per_item(fn)
    return item


class _TimedQueue:
    """Stands in for the queue a pool worker reads, wrapping each item it hands out."""

    def __init__(self, queue: Any, wrap: Callable[[Any], Any]) -> None:
        self._queue = queue
        self._wrap = wrap

    def get(self, *args: Any, **kwargs: Any) -> Any:
        item = self._queue.get(*args, **kwargs)
        try:
            return self._wrap(item)
        except Exception:  # an item we cannot time still runs, untimed
            return item

    def __getattr__(self, name: str) -> Any:
        return getattr(self._queue, name)


def install() -> None:
    import concurrent.futures.process as cf_process
    import multiprocessing.pool as mp_pool

    original_worker = mp_pool.worker
    original_process_worker = cf_process._process_worker

    def worker(inqueue: Any, outqueue: Any, *args: Any, **kwargs: Any) -> Any:
        _worker_record()
        return original_worker(_TimedQueue(inqueue, _wrap_pool_task), outqueue, *args, **kwargs)

    def _process_worker(call_queue: Any, *args: Any, **kwargs: Any) -> Any:
        _worker_record()
        return original_process_worker(_TimedQueue(call_queue, _wrap_call_item), *args, **kwargs)

    mp_pool.worker = worker
    cf_process._process_worker = _process_worker


def _worker_record() -> None:
    """Track the worker's own thread (for its sleeps), without showing it as a task."""
    rec = threads.ThreadRecord("worker")
    threads.records[rec.ident] = rec
