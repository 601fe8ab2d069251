"""A real terminal for benchmarks: concur-tui in a tmux pane, driven by keys, read back
from the screen, its process's CPU read from /proc. Shared by the bench scripts that
measure the dashboard as a person runs it (not through Textual's test driver)."""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

CLI = str(Path(sys.executable).parent / "concur-tui")
TICKS = os.sysconf("SC_CLK_TCK")


class Pane:
    """One tmux session running one command at a fixed size."""

    def __init__(self, command: list[str], width: int = 140, height: int = 45) -> None:
        self.name = f"bench{os.getpid()}_{time.monotonic_ns()}"
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
             shlex.join(command)],
            check=True,
        )  # fmt: skip
        self.pid = int(self._tmux("display-message", "-p", "-t", self.name, "#{pane_pid}"))

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout.strip()

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.name)

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", self.name, *keys)

    def wait_for(self, text: str, timeout_s: float = 30.0) -> float:
        """Seconds until ``text`` is on screen."""
        started = time.monotonic()
        while text not in self.screen():
            if time.monotonic() - started > timeout_s:
                raise SystemExit(f"{text!r} did not appear within {timeout_s:.0f} s")
            time.sleep(0.005)
        return time.monotonic() - started

    def cpu_s(self) -> float:
        """CPU seconds (user + system) the pane's process has used so far."""
        return process_cpu_s(self.pid)

    def main_thread_cpu_s(self) -> float:
        """The same for its main thread alone (a Textual app's UI: its loop, panes, drawing)."""
        return process_cpu_s(self.pid, self.pid)

    def close(self) -> None:
        self._tmux("kill-session", "-t", self.name)


def process_cpu_s(pid: int, tid: int | None = None) -> float:
    path = f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat"
    fields = Path(path).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


@contextlib.contextmanager
def pane(command: list[str], width: int = 140, height: int = 45) -> Iterator[Pane]:
    opened = Pane(command, width, height)
    try:
        yield opened
    finally:
        with contextlib.suppress(Exception):
            opened.keys("q")
            time.sleep(1.0)
        opened.close()
