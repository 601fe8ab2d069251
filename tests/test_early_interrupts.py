"""Interrupts that come while things are still starting: no traceback, the documented ends."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from conftest import until

from tui import catalog
from tui.model.run import RunModel
from tui.supervisor.session import RunSession

SCRIPT = Path(sys.executable).parent / "concur-tui"  # the installed command, as a person runs it
DELAYS = (0.0, 0.05, 0.1, 0.2, 0.3)


def cancel_after(delay: float) -> RunModel:
    scenario = catalog.find("thread-sleep")
    session = RunSession(scenario, scenario.resolve(["delay=5"])).start()
    time.sleep(delay)
    session.cancel()
    model = RunModel()
    for batch in session.events():
        model.feed_many(batch)
    return model


@pytest.fixture(scope="module")
def early_cancels() -> list[RunModel]:
    with ThreadPoolExecutor(max_workers=len(DELAYS)) as pool:
        return list(pool.map(cancel_after, DELAYS))


@pytest.mark.parametrize("index", range(len(DELAYS)), ids=[f"{d}s" for d in DELAYS])
def test_a_cancel_while_the_runner_starts_cancels_the_program(
    index: int, early_cancels: list[RunModel]
) -> None:
    """`c` in a run's first 0.3 s used to interrupt the runner itself (its traceback in the
    Log, "killed by SIGINT"); now the program is cancelled as it starts."""
    model = early_cancels[index]
    assert model.outcome == "cancelled", model.error
    stderr = "".join(text for _, stream, text in model.output if stream == "stderr")
    assert "Traceback" not in stderr
    assert "killed" not in (model.error or "")


# When to interrupt: as soon as the command's own imports are under way (the socket module's
# library is mapped, which the supervisor's session imports: the quiet handler is set), a
# little later, and as soon as its runner appears.
# Points in its start-up rather than fixed delays: on a busy machine Python's own start-up
# (before any line of ours runs, where a traceback is Python's) can take longer than 0.3 s.
START_POINTS = ("imports", "imports+0.2s", "runner")


def reached(proc: subprocess.Popen[str], point: str) -> bool:
    if point == "runner":
        return bool(psutil.Process(proc.pid).children())
    with open(f"/proc/{proc.pid}/maps") as maps:
        return "/_socket." in maps.read()


def interrupt_at(point: str) -> tuple[int, str]:
    proc = subprocess.Popen(
        [str(SCRIPT), "run", "thread-sleep", "--set", "delay=5"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    until(lambda: proc.poll() is not None or reached(proc, point.removesuffix("+0.2s")), 30, point)
    assert proc.poll() is None, f"ended before {point}"
    if point.endswith("+0.2s"):
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    return proc.returncode, err


@pytest.mark.skipif(not SCRIPT.exists(), reason="concur-tui is not installed in this venv")
@pytest.mark.parametrize("point", START_POINTS)
def test_ctrl_c_while_concur_tui_starts_ends_it_quietly(point: str) -> None:
    """Ctrl-C while `run` imports its modules or starts its runner: 130, no traceback."""
    code, err = interrupt_at(point)
    assert code == 130, f"exit {code}\n{err}"
    assert "Traceback" not in err, err


@pytest.mark.skipif(not SCRIPT.exists(), reason="concur-tui is not installed in this venv")
def test_output_into_a_closed_pipe_ends_quietly() -> None:
    """`concur-tui run … | head`, with head gone before the summary is written: exit 141 as a
    command ended by SIGPIPE, and no traceback."""
    proc = subprocess.Popen(
        [str(SCRIPT), "run", "thread-sleep", "--set", "delay=0.2", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before anything was written
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 141, f"exit {proc.returncode}\n{err}"
    assert "Traceback" not in err and "Exception ignored" not in err, err
