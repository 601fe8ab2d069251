"""The runner process: instrument the standard library, run one scenario, report what happened.

Started by the supervisor in a session of its own (so one ``killpg`` ends it
and everything it started). It reads commands from a private control pipe;
end-of-file there means the supervisor is gone, and the runner then kills its
whole process group rather than outlive it.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import ctypes
import importlib
import importlib.util
import json
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.util
import os
import platform
import resource
import runpy
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tui import events, procfs
from tui.runner import (
    asyncio_tasks,
    emit,
    forkserver_ready,
    gil_words,
    leftovers,
    observer,
    patches,
    pools,
    threads,
)
from tui.runner.patches import private

now_ns = time.perf_counter_ns
SITE_DIR = str(Path(__file__).parent / "site")
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
POOL_WORDS = ("multiprocessing", "ProcessPool", "concurrent.futures")
FORKSERVER_WAIT_S = 1.0


_socket_dir: str | None = None


def _kill_own_group(*_: Any) -> None:
    """The supervisor is gone: end every process below this one (those that left the group
    with setsid too), remove what the run created (the semaphores it listed, the private
    folder), which the supervisor no longer can, and end the group."""
    for pid in procfs.descendants(os.getpid())[1:]:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    if _socket_dir is not None:
        leftovers.remove_listed(os.path.join(_socket_dir, leftovers.LEDGER_NAME))
        shutil.rmtree(_socket_dir, ignore_errors=True)
    os.killpg(0, signal.SIGKILL)


def _cancel_before_start(*_: Any) -> None:
    """A cancel that arrives while the runner sets up: the program is cancelled as it starts."""
    _ProgramState.cancel_pending = True  # no lock: a handler must not wait on the main thread


def _die_with_parent() -> None:
    """If the supervisor dies, the kernel sends us SIGTERM, and we take our group down. As a
    subreaper, a process of the program that double-forks stays below us, to be found."""
    signal.signal(signal.SIGTERM, _kill_own_group)
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1)


class _ProgramState:
    """Whether the program has started, so a cancel that comes while the runner is still
    setting up (a busy machine can make that take a while) cancels the program instead of
    interrupting the runner itself."""

    lock = threading.Lock()
    started = False
    cancel_pending = False


def _interrupt_program() -> None:
    with _ProgramState.lock:
        if not _ProgramState.started:
            _ProgramState.cancel_pending = True
            return
    os.kill(os.getpid(), signal.SIGINT)


def _start_program() -> None:
    """Called inside the program's ``try``: from here on a cancel is a KeyboardInterrupt."""
    with _ProgramState.lock:
        _ProgramState.started = True
        if _ProgramState.cancel_pending:
            raise KeyboardInterrupt


def _control_loop(fd: int, em: emit.Emitter) -> None:
    """Commands from the supervisor, one a line; end of file means it is gone."""
    with os.fdopen(fd, "rb", buffering=0) as pipe:
        for raw in iter(pipe.readline, b""):
            words = raw.decode(errors="replace").split()
            if not words:
                continue
            if words[0] == "cancel":
                _interrupt_program()
            elif words[0] == "cancel_task" and len(words) == 2:
                _cancel_task(words[1], em)
    _kill_own_group()


def _cancel_task(task_id: str, em: emit.Emitter) -> None:
    if asyncio_tasks.cancel_task(task_id):
        return
    queued = pools.cancel_queued(task_id)
    if queued:
        return
    if queued is False:
        text = "a worker has already started this item: Python cannot interrupt it."
    elif task_id.startswith("th"):
        text = "Python cannot stop a running thread from outside: it has to return on its own."
    elif task_id.startswith("p"):
        text = (
            "a pool item that has started runs to its end; and multiprocessing.Pool"
            " has no way to cancel queued items (concurrent.futures can)."
        )
    else:
        text = f"task {task_id} is not running, so there is nothing to cancel."
    em.emit("note", text=text, id=task_id)


def _start_daemon(target: Any, *args: Any) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, name="concur-control", daemon=True)
    thread._concur_internal = True  # type: ignore[attr-defined]
    threads.start_own(thread)
    return thread


def _prepare_children(socket_path: str, source: str, module: str | None) -> tuple[str, str | None]:
    """Pools start hooked, by a method that is safe in a process with threads."""
    os.environ[emit.SOCKET_ENV] = socket_path
    os.environ[leftovers.LEDGER_ENV] = os.path.join(
        os.path.dirname(socket_path), leftovers.LEDGER_NAME
    )
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (SITE_DIR, os.environ.get("PYTHONPATH", "")) if p
    )
    if any(word in source for word in POOL_WORDS):
        # Workers fork from a server that has already imported the scenario, as a forked
        # child of the program itself would have.
        ready = os.path.join(os.path.dirname(socket_path), "forkserver-ready")
        os.environ[forkserver_ready.READY_ENV] = ready
        try:
            preload = [module] if module else ["__main__"]
            multiprocessing.set_forkserver_preload([*preload, forkserver_ready.__name__])
            multiprocessing.forkserver.ensure_running()
        finally:
            del os.environ[forkserver_ready.READY_ENV]  # the server's alone, not the program's
        # Starting it chose no method: the program may still choose its own.
        private(multiprocessing.context, "_default_context")._actual_context = None
        return "forkserver", ready
    return "forkserver", None  # the default (tui.runner.patches), unless the program chooses


def _wait_until_ready(ready: str | None) -> None:
    """Until the forkserver has started (its imports take ~50 ms of a core), so that its
    start is not counted in, nor competes with, the program's time; bounded, since a
    program whose import blocks would keep it from ever saying so."""
    deadline = time.monotonic() + FORKSERVER_WAIT_S
    while ready is not None and not os.path.exists(ready) and time.monotonic() < deadline:
        threads.real_sleep(0.002)


def _cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _children_cpu() -> list[list[float]]:
    """``[pid, CPU seconds]`` of each process below the runner (a pool's server), from /proc."""
    rows: list[list[float]] = []
    with procfs.StatFiles.given_or_own(None) as files:
        for pid in procfs.descendants(os.getpid(), files)[1:]:
            stat = files.read(f"/proc/{pid}/stat")
            with contextlib.suppress(IndexError, ValueError):
                if stat is not None:
                    rows.append([pid, procfs.cpu_seconds(stat[1])])
    return rows


def _module_file(name: str) -> str:
    spec = importlib.util.find_spec(name)
    return (spec.origin if spec else None) or ""


def _load_and_run(args: argparse.Namespace, params: dict[str, Any]) -> None:
    if args.module:
        importlib.import_module(args.module).main(**params)
        return
    path = os.path.abspath(args.path)
    sys.argv = [path]
    sys.path.insert(0, os.path.dirname(path))
    if args.entry == "main":
        name = Path(path).stem
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        module.main(**params)
    else:
        runpy.run_path(path, run_name="__main__")


def _exit_code(exc: SystemExit) -> int:
    """The exit status ``sys.exit(value)`` gives, printing a message value as Python does."""
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or 0
    print(exc.code, file=sys.stderr)
    return 1


def _shut_down_like_python() -> None:
    """What the interpreter does when a program's main module ends, in the same order: stop
    idle pool threads (threading's exit hooks), wait for non-daemon threads, run atexit."""
    atexits = private(threading, "_threading_atexits")
    for hook in reversed(atexits):
        hook()
    atexits.clear()
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()


def _finish_children() -> None:
    """Reap the forkserver (and through it the workers), then clean up as interpreter exit would."""
    server = private(multiprocessing.forkserver, "_forkserver")
    if server._forkserver_pid is not None:
        with contextlib.suppress(OSError):
            server._stop()
    private(multiprocessing.util, "_run_finalizers")()  # unlinks the program's semaphores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.runner")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--module")
    group.add_argument("--path")
    parser.add_argument("--entry", choices=("main", "script"), default="script")
    parser.add_argument("--name", required=True)
    parser.add_argument("--params", default="{}")
    parser.add_argument("--socket", required=True)
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--events-fd", type=int)
    signal.signal(signal.SIGINT, _cancel_before_start)
    args = parser.parse_args(argv)
    params = json.loads(args.params)

    global _socket_dir
    _socket_dir = os.path.dirname(args.socket)
    _die_with_parent()
    em = emit.install(args.socket, os.environ.get(emit.SECRET_ENV, ""), args.events_fd, last=True)
    patches.install(patches.for_runner(os.path.join(_socket_dir, leftovers.LEDGER_NAME)))
    source_file = args.path or _module_file(args.module)
    source = Path(source_file).read_text(errors="replace")
    start_method, forkserver_ready_path = _prepare_children(args.socket, source, args.module)
    _start_daemon(_control_loop, args.control_fd, em)
    watcher = observer.Observer(em)
    em.emit(
        "hello",
        v=events.VERSION,
        scenario=args.name,
        params=params,
        python=platform.python_version(),
        implementation=platform.python_implementation(),
        gil_enabled=getattr(sys, "_is_gil_enabled", lambda: True)(),
        start_method=start_method,
        switch_interval_s=sys.getswitchinterval(),
        cores=os.cpu_count() or 1,
        source_file=source_file,
    )
    patches.install(patches.for_output())
    gil_words.announce(em, threads.real_sleep)
    _wait_until_ready(forkserver_ready_path)
    # What the runner and a pool's server used to start (interpreters, hooks, imports) is
    # not the program's; nor is the main thread's life before it (a log line at -0.06 s).
    em.emit("run_start", self_cpu_s=_cpu_s(resource.RUSAGE_SELF), children_cpu=_children_cpu())
    main_rec = threads.start_task("MainThread")
    em.flush()
    threads.start_own(watcher)

    outcome, error, tb, code = "completed", None, None, 0
    try:
        try:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            _start_program()
            _load_and_run(args, params)
        except SystemExit as exc:
            code = _exit_code(exc)
            if code:
                outcome, error = "failed", f"SystemExit({exc.code!r})"
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            outcome, code = "failed", 1
            main_rec.error = threads.describe_error(exc)
            error, tb = main_rec.error
            sys.stderr.write(tb)
        _shut_down_like_python()
    except KeyboardInterrupt:
        outcome, error, code = "cancelled", "interrupted", 130
    # A cancel that comes in now would interrupt the runner itself, not the program.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threads.end_task(main_rec, outcome="cancelled" if outcome == "cancelled" else None)
    ended = now_ns()  # the program is over; what follows is the runner tidying up
    self_cpu_s = _cpu_s(resource.RUSAGE_SELF)
    sys.stdout.flush()
    sys.stderr.flush()
    _finish_children()
    watcher.stopping.set()
    watcher.join(timeout=1)
    run_end = events.RunEndEvent(
        e="run_end",
        t=ended,
        pid=os.getpid(),
        outcome=events.RunOutcome(outcome),
        error=error,
        traceback=tb,
        self_cpu_s=self_cpu_s,
        children_cpu_s=_cpu_s(resource.RUSAGE_CHILDREN),
        switch_interval_s=sys.getswitchinterval(),
        lost_events=em.lost,
    )
    em.flush_last(dict(run_end), _socket_dir)
    os._exit(code)


if __name__ == "__main__":
    main()
