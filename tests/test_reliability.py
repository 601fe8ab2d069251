"""The reliability matrix: each way a run can end, on the kinds of program that stress it,
and nothing is left behind: no process, semaphore, private folder or socket (the socket lives
in the folder), the terminal given back where it is still there, memory under the cap.

Not every kind x ending pair: the cells below each take a distinct path through the code,
named in ``why``. Threads and asyncio under SIGINT/SIGTERM/kill of ``run`` are in
test_cleanup.py. Cells run four at a time (each is its own concur-tui on its own pty), so the
matrix costs about as long as its slowest cells.
"""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import PROGRAMS
from terminal import LEAVE_ALT_SCREEN, Terminal

MEMORY_CAP_MB = 300  # README: what concur-tui itself may use on any input
INTERRUPTED = 130


@dataclass(frozen=True)
class Cell:
    kind: str
    ending: str
    command: str  # watch: the dashboard on a pty; run: headless
    why: str

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.ending}-{self.command}"


KINDS: dict[str, tuple[list[str], int]] = {
    # program arguments, processes to wait for
    "pool": ([str(PROGRAMS / "semaphores_forever.py")], 4),
    "pool-finishing": (["process-pool-squares"], 1),
    "flood": ([str(PROGRAMS / "prints_forever.py")], 1),
    "escapee": ([str(PROGRAMS / "escapes_with_setsid.py")], 2),
    "asyncio": (["async-gather", "--set", "delay=30"], 1),
}

CELLS = [
    Cell("pool-finishing", "finish", "run", "the program's finalizers and tracker clean up"),
    Cell("pool", "c", "watch", "cancel: SIGINT in the runner, then the group is ended"),
    Cell("pool", "q", "watch", "group SIGKILLed with its resource tracker: ledger unlinked"),
    Cell("pool", "SIGTERM", "watch", "the app's signal handler quits as q does, exit 130"),
    Cell("pool", "runner-killed", "run", "the supervisor's wait thread ends the group"),
    Cell("pool", "concur-tui-killed", "run", "PDEATHSIG: the runner cleans up and ends all"),
    Cell("pool", "hangup", "watch", "SIGHUP: HangupGuard quits, or ends runs and exits"),
    Cell("pool", "tty-gone", "watch", "pty hung up with no signal: tcgetattr fails"),
    Cell("flood", "q", "watch", "bounded output keeps the UI loop free to take a key"),
    Cell("flood", "c", "watch", "cancel while the program is blocked writing"),
    Cell("flood", "SIGINT", "run", "headless loop under a flood, exit 130"),
    Cell("flood", "tty-gone", "watch", "the orphan case: Textual's writer blocked"),
    Cell("escapee", "q", "watch", "a setsid child, ended from the pids the supervisor saw"),
    Cell("escapee", "concur-tui-killed", "run", "the runner, a subreaper, ends descendants"),
    Cell("asyncio", "SIGINT", "watch", "SIGINT to the dashboard: exit 130, terminal back"),
]


@dataclass
class Outcome:
    code: int | None = None
    left: list[str] = field(default_factory=list)
    restored: bool | None = None
    text: str = ""
    peak_mb: float = 0.0
    semaphores: int = 0  # how many the run created (so "none left" says something)
    processes: int = 0
    error: str | None = None


EXPECTED_CODE = {
    "finish": 0,
    "c": 0,  # then q
    "q": 0,
    "SIGINT": INTERRUPTED,
    "SIGTERM": INTERRUPTED,
    "runner-killed": 1,
    "concur-tui-killed": -signal.SIGKILL,
    "hangup": INTERRUPTED,
    "tty-gone": INTERRUPTED,
}


def play(cell: Cell) -> Outcome:
    args, processes = KINDS[cell.kind]
    term = Terminal(cell.command, *args, pty_=cell.command == "watch")
    outcome = Outcome()
    try:
        term.wait_for_run(processes)
        time.sleep(0.5)
        runner = term.runner()
        if cell.ending == "c":
            term.keys("c")
            term.wait_for(lambda: term.runner() is None, timeout=15, what="the run to end")
            term.keys("q")
        elif cell.ending == "q":
            term.keys("q")
        elif cell.ending in ("SIGINT", "SIGTERM"):
            term.signal(getattr(signal, cell.ending))
        elif cell.ending == "hangup":
            term.signal(signal.SIGHUP)
        elif cell.ending == "tty-gone":
            term.close_terminal()
        elif cell.ending == "runner-killed":
            assert runner is not None
            runner.kill()
        elif cell.ending == "concur-tui-killed":
            term.proc.kill()
        outcome.code = term.wait(timeout=20)
        outcome.left = term.leftovers(within=5)
        outcome.text = term.text()
        if cell.command == "watch" and cell.ending != "tty-gone":
            outcome.restored = LEAVE_ALT_SCREEN in term.screen[-20_000:]
        outcome.peak_mb = term.peak_rss / 2**20
        outcome.semaphores = len(term.ledger)
        outcome.processes = len(term.seen)
    except AssertionError as exc:
        outcome.error = str(exc)
    finally:
        term.close()
    return outcome


@pytest.fixture(scope="module")
def matrix() -> dict[str, Outcome]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip([c.id for c in CELLS], pool.map(play, CELLS), strict=True))


@pytest.mark.parametrize("cell", CELLS, ids=[c.id for c in CELLS])
def test_every_ending_leaves_nothing_behind(cell: Cell, matrix: dict[str, Any]) -> None:
    outcome = matrix[cell.id]
    assert outcome.error is None, outcome.error
    assert outcome.processes >= KINDS[cell.kind][1]
    if cell.kind.startswith("pool"):
        assert outcome.semaphores >= 4, "the pool made no semaphores: nothing was checked"
    assert outcome.left == [], f"{cell.why}: left {outcome.left}"
    assert outcome.code == EXPECTED_CODE[cell.ending], outcome.text[-2000:]
    assert "Traceback" not in outcome.text, outcome.text[-3000:]
    if outcome.restored is not None:
        assert outcome.restored, "the terminal was not given back"
    assert outcome.peak_mb < MEMORY_CAP_MB
