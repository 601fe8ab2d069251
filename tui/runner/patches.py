"""Every hook the runner puts into the standard library, installed and undone in one place, and
every private CPython name the runner relies on, listed in one place.

The hooks live beside what they observe (``threads``, ``asyncio_tasks``, ``pools``,
``executors``, ``output``, ``leftovers``), each a factory that takes the original and returns
its replacement; the tables here say where each goes. ``install`` saves the original, gives
the replacement the original's name and docstring (``functools.update_wrapper``, so
``__wrapped__`` leads back to it), and installs each hook once however often it is called;
``uninstall`` puts every original back. A CPython release that renames one of the private
names below breaks the runner quietly (a hook never fires), so ``missing()`` names them and
tests/test_patches.py fails loudly on an interpreter that lacks one.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple


@dataclass(frozen=True)
class Patch:
    """``owner.name`` replaced by ``make(original)``."""

    owner: Any
    name: str
    make: Callable[[Any], Any]


class _Saved(NamedTuple):
    owner: Any
    name: str
    original: Any
    own: bool  # the owner held it itself (not inherited from a base class)
    replacement: Any


_installed: dict[tuple[int, str], _Saved] = {}


def install(table: Iterable[Patch]) -> None:
    """Install each hook of ``table`` that is not installed yet."""
    for patch in table:
        key = (id(patch.owner), patch.name)
        if key in _installed:
            continue
        original = getattr(patch.owner, patch.name)
        replacement = patch.make(original)
        if isinstance(replacement, types.FunctionType) and callable(original):
            functools.update_wrapper(replacement, original)
        own = patch.name in vars(patch.owner)
        setattr(patch.owner, patch.name, replacement)
        _installed[key] = _Saved(patch.owner, patch.name, original, own, replacement)


def uninstall() -> None:
    """Put back every original, the last installed first."""
    for saved in reversed(list(_installed.values())):
        if saved.own:
            setattr(saved.owner, saved.name, saved.original)
        else:
            delattr(saved.owner, saved.name)
    _installed.clear()


def installed() -> list[tuple[Any, str]]:
    """Where a hook is installed now: (owner, name), in the order they were installed."""
    return [(saved.owner, saved.name) for saved in _installed.values()]


# -- what is hooked where --------------------------------------------------------------------


def for_runner(ledger: str) -> list[Patch]:
    """The runner process: its threads, waits, asyncio loops, pools' queues and thread pools;
    the semaphores the program creates are listed in ``ledger``; pools start by forkserver."""
    import asyncio
    import asyncio.base_events
    import asyncio.events
    import asyncio.tasks
    import asyncio.timeouts
    import concurrent.futures.process as cf_process
    import multiprocessing
    import multiprocessing.context
    import multiprocessing.pool as mp_pool

    from tui.runner import asyncio_tasks, pools

    loop = asyncio.base_events.BaseEventLoop
    default_context = private(multiprocessing.context, "_default_context")
    return [
        *_resources(ledger),
        *_threads(),
        Patch(loop, "__init__", asyncio_tasks.observe_loop_init),
        Patch(loop, "run_forever", asyncio_tasks.observe_run_forever),
        Patch(asyncio.events.Handle, "_run", asyncio_tasks.time_steps),
        Patch(asyncio, "sleep", asyncio_tasks.observe_sleep),
        Patch(asyncio.tasks, "sleep", asyncio_tasks.observe_sleep),
        Patch(asyncio.timeouts, "timeout", asyncio_tasks.mark_wait_for_timeouts),
        Patch(cf_process.ProcessPoolExecutor, "submit", pools.announce_submits),
        Patch(mp_pool.Pool, "__init__", pools.announce_pool_tasks),
        *_thread_pools(),
        # The runner has threads of its own: forking it could copy a held lock into a child.
        # Forkserver becomes the default without being "set", so a program may still choose
        # its own method with multiprocessing.set_start_method().
        Patch(
            default_context,
            "_default_context",
            lambda _: multiprocessing.get_context("forkserver"),
        ),
    ]


def for_output() -> list[Patch]:
    """The program's ``sys.stdout`` and ``sys.stderr``, stamped as they are written."""
    from tui.runner import output

    return [
        Patch(sys, "stdout", output.stamped("stdout")),
        Patch(sys, "stderr", output.stamped("stderr")),
    ]


def for_worker(ledger: str | None) -> list[Patch]:
    """A fresh interpreter the program starts (forkserver, spawned pool worker): each item a
    pool worker runs is timed where it runs."""
    import concurrent.futures.process as cf_process
    import multiprocessing.pool as mp_pool

    from tui.runner import pools

    return [
        *(_resources(ledger) if ledger else []),
        *_threads(),
        Patch(mp_pool, "worker", pools.time_pool_items),
        Patch(cf_process, "_process_worker", pools.time_call_items),
        *for_output(),
        *_thread_pools(),
    ]


def _resources(ledger: str) -> list[Patch]:
    from multiprocessing import resource_tracker

    from tui.runner import leftovers

    return [Patch(resource_tracker, "register", leftovers.list_registrations(ledger))]


def _threads() -> list[Patch]:
    import multiprocessing.connection
    import multiprocessing.forkserver
    import selectors
    import threading
    import time

    from tui.events import TaskState
    from tui.runner import threads

    starting_worker = threads.blocking("starting a worker process")
    return [
        Patch(threading.Thread, "_bootstrap_inner", threads.observe_thread),
        Patch(threading, "excepthook", threads.note_thread_error),
        Patch(time, "sleep", threads.observe_sleep),
        Patch(threading.Thread, "join", threads.blocking("Thread.join")),
        Patch(threading.Condition, "wait", threads.observe_condition_wait),
        Patch(
            multiprocessing.connection.Connection,
            "_recv_bytes",
            threads.blocking("reading from a pipe to another process", TaskState.IO),
        ),
        Patch(multiprocessing.forkserver.ForkServer, "connect_to_new_process", starting_worker),
        Patch(multiprocessing.forkserver, "read_signed", starting_worker),
        *(
            Patch(cls, "select", threads.observe_select)
            for name in ("EpollSelector", "PollSelector", "SelectSelector", "DevpollSelector")
            if (cls := getattr(selectors, name, None)) is not None
        ),
    ]


def _thread_pools() -> list[Patch]:
    import concurrent.futures.thread as cf_thread

    from tui.runner import executors

    return [
        Patch(cf_thread.ThreadPoolExecutor, "submit", executors.announce_calls),
        Patch(cf_thread.ThreadPoolExecutor, "__init__", executors.watch_idle_workers),
    ]


# -- the private CPython names the runner relies on ------------------------------------------


class Reliance(NamedTuple):
    """A name outside Python's public API: where it is, what the runner does with it, and the
    versions that have it (checked on 3.11.7, 3.12.1, 3.13.0)."""

    path: str  # a module, then attributes; an instance attribute is one its __init__ sets
    why: str
    since: tuple[int, int] = (3, 11)


PRIVATE_NAMES: tuple[Reliance, ...] = (
    # hooked
    Reliance("threading.Thread._bootstrap_inner", "hooked: every thread's life runs in it"),
    Reliance("multiprocessing.connection.Connection._recv_bytes", "hooked: a pipe read is I/O"),
    Reliance("multiprocessing.forkserver.ForkServer.connect_to_new_process", "hooked: blocked"),
    Reliance("multiprocessing.forkserver.read_signed", "hooked: starting a worker is blocked"),
    Reliance("multiprocessing.resource_tracker.register", "hooked: semaphores go in the ledger"),
    Reliance("asyncio.events.Handle._run", "hooked: the loop runs every callback (step) in it"),
    Reliance("asyncio.events.Handle._callback", "read in _run: a task's step is its __step"),
    Reliance("asyncio.timeouts.timeout", "hooked: 3.12+ wait_for makes its timeout with it"),
    Reliance("multiprocessing.pool.worker", "hooked in workers: a Pool's items are timed"),
    Reliance("concurrent.futures.process._process_worker", "hooked in workers: items timed"),
    Reliance("multiprocessing.pool.Pool._taskqueue", "wrapped: items announced when queued"),
    Reliance(
        "concurrent.futures.thread.ThreadPoolExecutor._work_queue",
        "wrapped: an idle worker's wait for work is blocked",
    ),
    Reliance(
        "multiprocessing.context._default_context._default_context",
        "replaced: forkserver is the default start method without being set",
    ),
    Reliance(
        "multiprocessing.context.DefaultContext._actual_context",
        "cleared after starting the forkserver early, so no method counts as chosen",
    ),
    # read
    Reliance("multiprocessing.pool.mapstar", "a Pool.map chunk: its items are timed one by one"),
    Reliance("multiprocessing.pool.starmapstar", "a Pool.starmap chunk, likewise"),
    Reliance("multiprocessing.pool._helper_reraises_exception", "not a program's item"),
    Reliance("concurrent.futures.process._process_chunk", "a ProcessPoolExecutor.map chunk"),
    Reliance("concurrent.futures.process._CallItem.fn", "the call a worker is about to run"),
    Reliance("threading.Thread._target", "whose code a thread runs: the library's are internal"),
    Reliance("multiprocessing.forkserver._forkserver", "the forkserver, stopped at the end"),
    Reliance("multiprocessing.forkserver.ForkServer._forkserver_pid", "whether one runs"),
    Reliance("multiprocessing.forkserver.ForkServer._stop", "stop it (and so its workers)"),
    Reliance("multiprocessing.util._run_finalizers", "unlink the program's semaphores at the end"),
    Reliance("threading._threading_atexits", "the program's end, as the interpreter does it"),
    Reliance("atexit._run_exitfuncs", "the program's atexit functions, run before run_end"),
    Reliance("_multiprocessing.sem_unlink", "remove a semaphore a killed run left"),
    Reliance("_posixshmem.shm_unlink", "remove a shared-memory block a killed run left"),
    Reliance("sys._getframe", "who called cancel(), set_name(), timeout()"),
    Reliance("sys._current_frames", "the line a stalled event loop is stuck on"),
    Reliance("sys._is_gil_enabled", "free-threaded builds have no GIL to measure", (3, 13)),
    # recognised by name in the frames that call Task.cancel() (asyncio_tasks._find_cause)
    Reliance("asyncio.tasks._cancel_and_wait", "3.11's wait_for cancels its inner task in it"),
    Reliance("asyncio.timeouts.Timeout._on_timeout", "a timeout (3.12+: wait_for's too)"),
    Reliance("asyncio.taskgroups.TaskGroup._on_task_done", "a TaskGroup after a task failed"),
    Reliance("asyncio.runners._cancel_all_tasks", "asyncio.run cancelling what is left"),
    Reliance("asyncio.runners.Runner._on_sigint", "asyncio.run interrupted by Ctrl-C"),
    Reliance("asyncio.tasks._GatheringFuture", "a gather() being cancelled"),
)


def private(owner: object, name: str) -> Any:
    """``owner.name``, a private name listed in ``PRIVATE_NAMES`` (typeshed leaves them out)."""
    return getattr(owner, name)


def missing(version: tuple[int, int] | None = None) -> list[str]:
    """The names in ``PRIVATE_NAMES`` this interpreter should have and does not."""
    version = version or (sys.version_info.major, sys.version_info.minor)
    return [r.path for r in PRIVATE_NAMES if version >= r.since and not _exists(r.path)]


def _exists(path: str) -> bool:
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
            break
        except ImportError:
            continue
    else:
        return False
    for at, part in enumerate(parts[cut:], start=cut):
        if hasattr(found, part):
            found = getattr(found, part)
        elif at == len(parts) - 1 and isinstance(found, type):
            # an instance attribute: one the class's own __init__ sets
            code = getattr(vars(found).get("__init__"), "__code__", None)
            return code is not None and part in code.co_names
        else:
            return False
    return True
