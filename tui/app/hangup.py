"""End the app when its terminal goes away: SIGHUP, or a terminal that stopped answering.

Textual writes to the terminal from a thread, through a bounded queue. Once the
terminal is gone that thread dies (EIO) or blocks, the queue fills, and the next
frame blocks the event loop, and with it any quit scheduled there: concur-tui
hung on as an orphan. So a plain thread watches: on SIGHUP, or when the terminal
fails ``tcgetattr`` (hung up without a signal), it asks the app to quit as ``q``
does, and if the process is still there ``GRACE_S`` later it ends every run
itself (each session's threads still remove what the run left) and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import termios
import threading
from typing import Any

from tui.catalog import EXIT_INTERRUPTED

GRACE_S = 2.5
POLL_S = 0.5


class HangupGuard:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.hung_up = threading.Event()
        self._loop = asyncio.get_running_loop()
        self._tty: int | None = None
        for stream in (sys.__stderr__, sys.__stdout__, sys.__stdin__):  # Textual draws on stderr
            with contextlib.suppress(AttributeError, ValueError, OSError):
                if os.isatty(stream.fileno()):  # type: ignore[union-attr]
                    self._tty = stream.fileno()  # type: ignore[union-attr]
                    break

    def install(self) -> None:
        """Watch from now on (call on the main thread)."""
        signal.signal(signal.SIGHUP, lambda *_: self.hung_up.set())
        threading.Thread(target=self._watch, name="concur-hangup", daemon=True).start()

    def _terminal_gone(self) -> bool:
        if self._tty is None:
            return False
        try:
            termios.tcgetattr(self._tty)
        except termios.error:
            return True
        return False

    def _watch(self) -> None:
        while not self.hung_up.wait(POLL_S):
            if self._terminal_gone():
                self.hung_up.set()
        with contextlib.suppress(RuntimeError):  # the loop may be closed already
            self._loop.call_soon_threadsafe(
                self.app.call_later, self.app.action_quit, EXIT_INTERRUPTED
            )
        threading.Event().wait(GRACE_S)
        from tui.supervisor.session import end_all_runs

        end_all_runs()
        os._exit(EXIT_INTERRUPTED)
