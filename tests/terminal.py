"""concur-tui as a person runs it: in a terminal (a pty), to be ended every way there is.

``Terminal`` starts a command on a fresh pty (80x30... big enough for the dashboard), keeps
reading its screen output so the app never blocks on a full terminal, and watches the
processes it starts: every pid of the run's tree it ever saw, the run's private folder,
and the semaphores the run listed there (``tui.runner.leftovers``). ``leftovers()`` then
says what outlived the run. Used by the reliability matrix and the flood tests.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import psutil
from conftest import SEMAPHORES, until

LEAVE_ALT_SCREEN = b"\x1b[?1049l"  # what a dashboard writes when it gives the terminal back


class Terminal:
    def __init__(self, *args: str, cols: int = 120, rows: int = 36, pty_: bool = True) -> None:
        self.seen: dict[int, float] = {}  # pid -> create time, of the runner's tree
        self.private: Path | None = None
        self.ledger: list[str] = []
        self.screen = bytearray()
        self.peak_rss = 0
        self._reading = True
        self._master: int | None = None
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
        cmd = [sys.executable, "-m", "tui", *args]
        if pty_:
            master, slave = pty.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            self.proc = subprocess.Popen(
                cmd,
                stdin=slave,
                stdout=slave,
                stderr=slave,  # where Textual draws
                start_new_session=True,
                env=env,
            )
            os.close(slave)
            self._master = master
            threading.Thread(target=self._read_screen, daemon=True).start()
        else:
            self.proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
            )
            threading.Thread(target=self._drain, daemon=True).start()
        threading.Thread(target=self._watch, daemon=True).start()

    # -- keeping up with it -----------------------------------------------------------------
    def _read_screen(self) -> None:
        assert self._master is not None
        while self._reading:
            try:
                data = os.read(self._master, 65536)
            except OSError:
                return
            if not data:
                return
            self.screen += data
            del self.screen[: max(0, len(self.screen) - 200_000)]

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        while data := self.proc.stdout.read1(65536):
            self.screen += data
            del self.screen[: max(0, len(self.screen) - 200_000)]

    def _watch(self) -> None:
        """Every 50 ms: the run's tree (pids and create times), its folder, its ledger."""
        while self.proc.poll() is None:
            try:
                me = psutil.Process(self.proc.pid)
                self.peak_rss = max(self.peak_rss, me.memory_info().rss)
                for child in me.children(recursive=True):
                    self.seen.setdefault(child.pid, child.create_time())
                    if self.private is None and "tui.runner" in " ".join(child.cmdline()):
                        args = child.cmdline()
                        self.private = Path(args[args.index("--socket") + 1]).parent
            except psutil.Error:
                pass
            if self.private is not None:
                with contextlib.suppress(OSError):
                    self.ledger = (self.private / "leftovers").read_text().split()[1::2]
                    SEMAPHORES.update(self.ledger)
            time.sleep(0.05)

    # -- driving it -------------------------------------------------------------------------
    def wait_for(self, condition, timeout: float = 20.0, what: str = "") -> None:
        """``until`` the condition holds, failing at once if concur-tui ends first."""
        until(lambda: condition() or self.proc.poll() is not None, timeout, what)
        if not condition():
            raise AssertionError(f"concur-tui ended while waiting for {what or condition}")

    def runner(self) -> psutil.Process | None:
        with contextlib.suppress(psutil.Error):
            for child in psutil.Process(self.proc.pid).children(recursive=True):
                if "tui.runner" in " ".join(child.cmdline()):
                    return child
        return None

    def wait_for_run(self, processes: int = 1, timeout: float = 60.0) -> None:
        """Until the runner and ``processes`` - 1 more are up (a pool's workers took over 20 s
        to start beside three suites and two CPU hogs)."""
        self.wait_for(
            lambda: (
                (r := self.runner()) is not None
                and len(r.children(recursive=True)) + 1 >= processes
            ),
            timeout=timeout,
            what=f"a run of {processes} processes",
        )

    def keys(self, text: str) -> None:
        assert self._master is not None
        os.write(self._master, text.encode())

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def close_terminal(self) -> None:
        """The terminal window goes away: the pty is hung up (no signal is sent)."""
        self._reading = False
        if self._master is not None:
            os.close(self._master)
            self._master = None

    def wait(self, timeout: float = 10.0) -> int:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"concur-tui did not end within {timeout} s") from None
        return self.proc.returncode

    def text(self) -> str:
        """What it wrote (the last 200 kB): the screen, or stdout and stderr without a pty."""
        if self.proc.stderr is not None:
            self.screen += self.proc.stderr.read()
        return self.screen.decode(errors="replace")

    def leftovers(self, within: float = 5.0) -> list[str]:
        """What outlived the run, once ``within`` seconds have not sufficed: live processes
        of its tree, its private folder, the semaphores it listed."""
        deadline = time.monotonic() + within
        while True:
            left = [f"process {pid}" for pid, created in self.seen.items() if _alive(pid, created)]
            if self.private is not None and self.private.exists():
                left.append(f"folder {self.private}")
            left += [
                f"semaphore {n}" for n in self.ledger if Path(f"/dev/shm/sem.{n[1:]}").exists()
            ]
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.1)

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.close_terminal()
        for pid, created in self.seen.items():
            if _alive(pid, created):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)


def _alive(pid: int, created: float) -> bool:
    try:
        process = psutil.Process(pid)
        return process.create_time() == created and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
