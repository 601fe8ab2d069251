"""Process-pool work items, timed inside the worker that runs them.

Workers start as fresh interpreters (forkserver or spawn), so these hooks
arrive through ``sitecustomize`` (see ``site/``). The pool's worker loop is
left as it is; only the queue it reads from is wrapped, so each item's
function is timed where it runs: start and end, pid, core, CPU, result.
"""

from __future__ import annotations

import contextvars
import functools
import itertools
import os
import time
from collections.abc import Callable
from typing import Any

from tui.events import CauseKind, TaskKind, TaskOutcome
from tui.runner import emit, threads
from tui.runner.patches import private

now_ns = time.perf_counter_ns
_seq = itertools.count(1)
MAX_REPR = 60


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_REPR else text[: MAX_REPR - 1] + "…"


def _label(func: Callable[..., Any], args: tuple[Any, ...]) -> str:
    """``square(3)``: what runs, named by its function and first arguments, not its wrappers
    (``functools.partial``; the ``Context.run`` that ``asyncio.to_thread`` wraps calls in)."""
    while True:
        if isinstance(func, functools.partial):
            args = (*func.args, *args)
            func = func.func
        elif isinstance(getattr(func, "__self__", None), contextvars.Context) and args:
            func, args = args[0], args[1:]
        else:
            break
    name = getattr(func, "__name__", type(func).__name__)
    return f"{name}({', '.join(_short(a) for a in args)})"[:80]


def timed_call(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run one work item as a task of kind ``process``."""
    return _timed(None, func, args, kwargs)


def _timed(
    task_id: str | None, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    em = emit.emitter()
    rec = threads.record_for_current()
    if em is None or rec is None:
        return func(*args, **kwargs)
    task_id = task_id or f"p{os.getpid()}.{next(_seq)}"
    rec.id = task_id  # the worker's waits are this item's while it runs
    label = _label(func, args)
    return run_as_task(em, rec, TaskKind.PROCESS, task_id, label, func, args, kwargs)


def run_as_task(
    em: emit.Emitter,
    rec: threads.ThreadRecord,
    kind: TaskKind,
    task_id: str,
    label: str,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    worker: str | None = None,
) -> Any:
    """Run one work item (a pool item, a thread pool's call) on this worker thread as the task
    ``task_id``: its start, then its end with outcome, result, CPU, the waits inside it and the
    cores it ran on. A process's item is sent at once: its worker may end with ``os._exit``."""
    core = threads.current_core()
    start: dict[str, Any] = {"tid": rec.native_id, "core": core}
    if worker is not None:
        start["worker"] = worker
    em.emit("task_start", id=task_id, kind=kind, name=label, **start)
    at_once = kind == TaskKind.PROCESS
    if at_once:
        em.flush()
    cpu0 = time.thread_time_ns()
    sleep0, block0, io0 = rec.sleep_ns, rec.block_ns, rec.io_ns
    outcome, error, tb, result = TaskOutcome.DONE, None, None, None
    try:
        value = func(*args, **kwargs)
        result = _short(value)
        return value
    except BaseException as exc:
        outcome = TaskOutcome.ERROR
        error, tb = threads.describe_error(exc)
        raise
    finally:
        end: dict[str, Any] = {
            "cpu_ns": time.thread_time_ns() - cpu0,
            "sleep_ns": rec.sleep_ns - sleep0,
            "block_ns": rec.block_ns - block0,
            "io_ns": rec.io_ns - io0,
            "cores": sorted({c for c in (core, threads.current_core()) if c is not None}),
        }
        if at_once:
            end["process_cpu_ns"] = time.process_time_ns()
        em.emit(
            "task_end",
            id=task_id,
            outcome=outcome,
            error=error,
            traceback=tb,
            result=result,
            **end,
        )
        if at_once:
            em.flush()


def _per_item(func: Callable[..., Any]) -> Callable[..., Any]:
    return functools.partial(timed_call, func)


def _wrap_pool_task(task: Any) -> Any:
    """A ``multiprocessing.Pool`` task tuple with its function timed per item."""
    import multiprocessing.pool as mp_pool

    if not isinstance(task, tuple) or len(task) != 5:
        return task
    job, i, func, args, kwds = task
    mapstar, starmapstar = private(mp_pool, "mapstar"), private(mp_pool, "starmapstar")
    if func is mapstar or func is starmapstar:
        ((inner, chunk),) = args
        timed: Callable[..., Any]
        if isinstance(inner, functools.partial) and inner.func is _pool_item:
            timed = functools.partial(_timed_pool_item, inner.args[0])
        elif isinstance(inner, functools.partial) and inner.func is _pool_star_item:
            timed = functools.partial(_timed_pool_star_item, inner.args[0])
        else:
            timed = _per_item(inner)
        return (job, i, func, ((timed, chunk),), kwds)
    if isinstance(func, functools.partial) and func.func is _pool_apply:
        return (job, i, functools.partial(_timed_kwargs, *func.args), args, kwds)
    return (job, i, _per_item(func), args, kwds)


def _pool_item(func: Callable[..., Any], tagged: tuple[str, Any]) -> Any:
    """A ``Pool.map`` item tagged with its queued task's id (the worker times it as that task)."""
    return func(tagged[1])


def _pool_star_item(func: Callable[..., Any], task_id: str, args: tuple[Any, ...]) -> Any:
    return func(*args)


def _pool_apply(task_id: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def _timed_pool_item(func: Callable[..., Any], tagged: tuple[str, Any]) -> Any:
    return _timed(tagged[0], func, (tagged[1],), {})


def _timed_pool_star_item(func: Callable[..., Any], task_id: str, args: tuple[Any, ...]) -> Any:
    return _timed(task_id, func, tuple(args), {})


def _wrap_call_item(item: Any) -> Any:
    """A ``ProcessPoolExecutor`` call item with its function timed per item."""
    import concurrent.futures.process as cf_process

    fn = getattr(item, "fn", None)
    if fn is None:
        return item
    queued_id = None
    if isinstance(fn, functools.partial) and fn.func is _queued:
        queued_id, fn = fn.args
    process_chunk = private(cf_process, "_process_chunk")
    if isinstance(fn, functools.partial) and fn.func is process_chunk:
        inner = fn.args[0]
        if queued_id is not None:
            item.fn = functools.partial(_timed_chunk, queued_id, inner)
        else:
            item.fn = functools.partial(process_chunk, _per_item(inner))
    else:
        item.fn = functools.partial(_timed_kwargs, queued_id, fn)
    return item


def _timed_kwargs(task_id: str | None, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return _timed(task_id, func, args, kwargs)


def _timed_chunk(task_id: str, func: Callable[..., Any], chunk: list[tuple[Any, ...]]) -> list[Any]:
    """A map chunk submitted as one queued task: timed as that task."""
    return (
        _timed(task_id, lambda: [func(*args) for args in chunk], (), {})
        if len(chunk) > 1
        else [_timed(task_id, func, chunk[0], {})]
    )


def _queued(task_id: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Marks a submitted call with the id of its queued task (unwrapped again in the worker)."""
    return func(*args, **kwargs)


# Runner side: calls submitted to a ProcessPoolExecutor and not finished, by task id.
queued: dict[str, Any] = {}


def announce_submits(original_submit: Callable[..., Any]) -> Callable[..., Any]:
    """``ProcessPoolExecutor.submit``: a submitted call is a task while it waits for a worker,
    so it can be cancelled."""
    import concurrent.futures.process as cf_process

    process_chunk = private(cf_process, "_process_chunk")
    counter = itertools.count(1)

    def submit(self: Any, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        em = emit.emitter()
        if em is None:
            return original_submit(self, fn, *args, **kwargs)
        task_id = f"q{os.getpid()}.{next(counter)}"
        if isinstance(fn, functools.partial) and fn.func is process_chunk:
            chunk = args[0] if args else []
            inner = fn.args[0]
            label = (
                _label(inner, chunk[0]) if len(chunk) == 1 else f"{_label(inner, ())} x{len(chunk)}"
            )
        else:
            label = _label(fn, args)
        em.emit("task_start", id=task_id, kind=TaskKind.PROCESS, name=label, queued=True)
        em.flush()  # before a worker can take it and announce the same task from its side
        future = original_submit(self, functools.partial(_queued, task_id, fn), *args, **kwargs)
        queued[task_id] = future
        future.add_done_callback(functools.partial(_on_future_done, task_id))
        return future

    return submit


def _on_future_done(task_id: str, future: Any) -> None:
    queued.pop(task_id, None)
    em = emit.emitter()
    if em is not None and future.cancelled():
        if task_id in _user_cancels:
            cause = emit.cancel_cause(CauseKind.USER, f"{emit.USER_CANCEL} before a worker took it")
        else:
            cause = emit.cancel_cause(CauseKind.PROGRAM, "future.cancel() before a worker took it")
        em.emit("task_end", id=task_id, outcome=TaskOutcome.CANCELLED, cancelled_by=cause)
        em.flush()


_user_cancels: set[str] = set()


def cancel_queued(task_id: str) -> bool | None:
    """Cancel a submitted call that no worker has taken yet: True done, False too late, None unknown."""
    future = queued.get(task_id)
    if future is None:
        return None
    _user_cancels.add(task_id)
    return bool(future.cancel())


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


class _AnnouncedTasks:
    """Stands in for a ``multiprocessing.Pool``'s task queue on the submitting side: each item
    put on it is announced as a queued task and tagged with its id, which the worker reads."""

    def __init__(self, queue: Any) -> None:
        self._queue = queue

    def put(self, item: Any) -> None:
        if isinstance(item, tuple) and len(item) == 2 and item[0] is not None:
            item = (_announce_each(item[0]), item[1])
        self._queue.put(item)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._queue, name)


_pool_ids = itertools.count(1)


def _announce_each(tasks: Any) -> Any:
    for task in tasks:
        try:
            yield _announce(task)
        except Exception:  # a task we cannot announce still runs, unannounced
            yield task


def _announce(task: Any) -> Any:
    import multiprocessing.pool as mp_pool

    em = emit.emitter()
    if em is None or not isinstance(task, tuple) or len(task) != 5:
        return task
    job, i, func, args, kwds = task

    def queued_id(label: str) -> str:
        task_id = f"m{os.getpid()}.{next(_pool_ids)}"
        em.emit("task_start", id=task_id, kind=TaskKind.PROCESS, name=label, queued=True)
        return task_id

    mapstar, starmapstar = private(mp_pool, "mapstar"), private(mp_pool, "starmapstar")
    if func is mapstar or func is starmapstar:
        ((inner, chunk),) = args
        if func is mapstar:
            tagged = [(queued_id(_label(inner, (x,))), x) for x in chunk]
            wrapped = functools.partial(_pool_item, inner)
        else:
            tagged = [(queued_id(_label(inner, tuple(x))), tuple(x)) for x in chunk]
            wrapped = functools.partial(_pool_star_item, inner)
        em.flush()
        return (job, i, func, ((wrapped, tagged),), kwds)
    if func is private(mp_pool, "_helper_reraises_exception"):
        return task
    task_id = queued_id(_label(func, tuple(args)))
    em.flush()
    return (job, i, functools.partial(_pool_apply, task_id, func), args, kwds)


def announce_pool_tasks(original_init: Callable[..., None]) -> Callable[..., None]:
    """``multiprocessing.Pool.__init__``: items are announced when they are queued, not only
    when they run."""
    import multiprocessing.pool as mp_pool

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if not isinstance(self, mp_pool.ThreadPool):  # its workers are threads here, untimed
            self._taskqueue = _AnnouncedTasks(self._taskqueue)

    return __init__


def time_pool_items(original_worker: Callable[..., Any]) -> Callable[..., Any]:
    """``multiprocessing.pool.worker`` (in a worker process): each item it runs is timed."""

    def worker(inqueue: Any, outqueue: Any, *args: Any, **kwargs: Any) -> Any:
        _worker_record()
        return original_worker(_TimedQueue(inqueue, _wrap_pool_task), outqueue, *args, **kwargs)

    return worker


def time_call_items(original_process_worker: Callable[..., Any]) -> Callable[..., Any]:
    """``concurrent.futures.process._process_worker`` (in a worker process): each call item it
    runs is timed."""

    def _process_worker(call_queue: Any, *args: Any, **kwargs: Any) -> Any:
        _worker_record()
        return original_process_worker(_TimedQueue(call_queue, _wrap_call_item), *args, **kwargs)

    return _process_worker


def _worker_record() -> None:
    """Track the worker's own thread (for its sleeps), without showing it as a task; and find
    this worker's GIL, which is its own."""
    rec = threads.ThreadRecord("worker")
    threads.records[rec.ident] = rec
    em = emit.emitter()
    if em is not None:
        from tui.runner import gil_words

        gil_words.announce(em, threads.real_sleep)
