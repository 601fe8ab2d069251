"""Nothing left behind: interrupt, terminate or kill concur-tui mid-run, and no process survives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from conftest import until

PROGRAMS = Path(__file__).parent / "programs"


def _interruptible() -> None:
    """A command run in the background of a script inherits SIGINT ignored, and Python then
    leaves it ignored: give the CLI the Ctrl-C a person at a terminal would have."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tui", "run", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=None if env is None else {**os.environ, **env},
        preexec_fn=_interruptible,
    )


def runner_tree(cli: subprocess.Popen[str], want_processes: int, timeout: float = 60) -> list[int]:
    """The runner's pid and its descendants, once at least ``want_processes`` of them exist."""

    def tree() -> list[psutil.Process]:
        if cli.poll() is not None:
            pytest.fail("concur-tui ended before its runner (and its workers) started")
        children = psutil.Process(cli.pid).children()
        runners = [c for c in children if "tui.runner" in " ".join(c.cmdline())]
        return [runners[0], *runners[0].children(recursive=True)] if runners else []

    until(lambda: len(tree()) >= want_processes, timeout, "the runner (and its workers)")
    time.sleep(0.3)  # let the program get going
    return [p.pid for p in tree()]


def assert_gone(pids: list[int], within: float) -> None:

    def alive() -> list[int]:
        return [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]

    until(lambda: not alive(), within, f"{pids} to end")


CASES = {
    "threads": (["thread-sleep", "--set", "delay=30"], 1),
    "process pool": (["cpu-processes", "--set", "work=10"], 3),
    "asyncio": (["async-gather", "--set", "delay=30"], 1),
}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("case", list(CASES))
def test_interrupt_cancels_the_run_and_ends_every_process(case: str, sig: int) -> None:
    args, processes = CASES[case]
    cli = start(*args)
    pids = runner_tree(cli, processes)
    began = time.monotonic()
    cli.send_signal(sig)
    out, err = cli.communicate(timeout=40)
    assert cli.returncode == 130, err
    # Sooner than the program could end on its own (30 s of sleep; 10 CPU-seconds a worker,
    # never less than 10 s however many cores): the cancel, a 2 s grace, then a kill.
    assert time.monotonic() - began < (10 if case == "process pool" else 20)
    assert "cancelled" in out
    assert "Traceback" not in err
    assert_gone(pids, within=10)


def test_a_program_that_ignores_cancellation_is_killed(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    cli = start(str(PROGRAMS / "ignores_cancel.py"), env={"STARTED_MARKER": str(marker)})
    pids = runner_tree(cli, 1)
    # The interrupt must reach the program's loop, however slow its start.
    until(lambda: marker.exists() or cli.poll() is not None, 30, "the program to start")
    assert cli.poll() is None, "concur-tui ended before the program started"
    cli.send_signal(signal.SIGINT)
    out, err = cli.communicate(timeout=40)
    assert cli.returncode == 130, (out, err)
    assert "ignoring the interrupt" in out
    assert_gone(pids, within=10)


@pytest.mark.parametrize("program", ["pool_forever.py", "ignores_cancel.py"])
def test_runner_and_workers_exit_when_concur_tui_is_killed(program: str) -> None:
    cli = start(str(PROGRAMS / program))
    pids = runner_tree(cli, 3 if "pool" in program else 1)
    runner_args = psutil.Process(pids[0]).cmdline()
    private_dir = Path(runner_args[runner_args.index("--socket") + 1]).parent
    assert private_dir.is_dir()
    os.kill(cli.pid, signal.SIGKILL)
    cli.communicate(timeout=20)
    assert_gone(pids, within=10)
    assert not private_dir.exists(), "the runner removes the private folder the supervisor left"


def test_a_crashed_runner_is_reported_and_its_workers_end() -> None:
    cli = start("cpu-processes", "--set", "work=10")
    pids = runner_tree(cli, 3)
    os.kill(pids[0], signal.SIGKILL)  # the runner dies; its pool workers are still busy
    out, err = cli.communicate(timeout=40)
    assert cli.returncode == 1
    assert "the runner was killed by SIGKILL" in out
    assert "Traceback" not in err
    assert_gone(pids, within=10)


def test_a_finished_session_has_stopped_its_samplers_and_heard_them_first(monkeypatch) -> None:
    """A sampler slow to stop (a busy machine) is waited for: its last sample comes before
    ``supervisor_end``, and once the session is done none of its threads runs or holds a
    /proc file."""
    from tui import catalog
    from tui.supervisor import sampler as sampler_module
    from tui.supervisor.session import RunSession

    real_close = sampler_module.TreeSampler.close

    def slow_close(self: sampler_module.TreeSampler) -> None:
        time.sleep(0.5)
        real_close(self)

    monkeypatch.setattr(sampler_module.TreeSampler, "close", slow_close)
    scenario = catalog.find("thread-sleep")
    session = RunSession(scenario, scenario.resolve(["delay=0.1"])).start()
    events = []
    try:
        assert session.done.wait(60)
        while not session.queue.empty():
            events += session.queue.get_nowait()
    finally:
        session.kill()
    assert events[-1]["e"] == "supervisor_end", [e["e"] for e in events[-5:]]
    workers = [t for t in session._threads if t.name != "session-_wait"]  # it sets done
    assert not any(t.is_alive() for t in workers), [t.name for t in workers if t.is_alive()]


SESSION_FILES = """
import os, sys
from tui import catalog
from tui.supervisor.session import RunSession

def open_files():
    return set(os.listdir("/proc/self/fd"))

before = open_files()
scenario = catalog.find("async-gather")
session = RunSession(scenario, scenario.resolve(["delay=0.2"])).start()
for _ in session.events():
    pass
session.done.wait(30)
for thread in session._threads:
    thread.join(30)
left = {fd: os.readlink(f"/proc/self/fd/{fd}") for fd in open_files() - before
        if os.path.exists(f"/proc/self/fd/{fd}")}
assert session.exit_code == 0, session.exit_code
assert not left, left
"""


def test_a_finished_session_leaves_no_descriptor_open() -> None:
    """Its sockets, the runner's output pipes, the pipe that wakes its event reader, the
    samplers' /proc files: all closed once the run is over (a dashboard reruns many times)."""
    done = subprocess.run(
        [sys.executable, "-c", SESSION_FILES], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
