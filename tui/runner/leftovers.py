"""Write down every named semaphore and shared-memory block the observed program creates.

multiprocessing registers them with its resource tracker, which unlinks what a
program leaves behind, unless it is killed too, as a forced end of the run's
process group does. So every registration is also appended, as it happens, to a
file in the run's private folder: whoever ends the run (the supervisor, or the
runner when the supervisor is gone) unlinks what is listed there. Standard
library only: this runs inside the runner and its workers.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import Any

LEDGER_ENV = "CONCUR_TUI_LEDGER"
# The ledger's name in the run's private folder (written by the runner, read by the supervisor).
LEDGER_NAME = "leftovers"
_KINDS = ("semaphore", "shared_memory")


def list_registrations(ledger: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The hook for ``resource_tracker.register(name, kind)``: each registration of this process
    is also written in ``ledger`` (installed by ``tui.runner.patches``)."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def register(name: str, rtype: str) -> Any:
            if rtype in _KINDS:
                with contextlib.suppress(OSError):
                    fd = os.open(ledger, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                    try:
                        os.write(fd, f"{rtype} {name}\n".encode())
                    finally:
                        os.close(fd)
            return original(name, rtype)

        return register

    return make


def remove_listed(ledger: str) -> int:
    """Unlink every semaphore and shared-memory block listed in ``ledger`` that still exists;
    return how many were removed."""
    try:
        with open(ledger, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return 0
    removed = 0
    for line in dict.fromkeys(lines):
        kind, _, name = line.partition(" ")
        if not name.startswith("/"):
            continue
        try:
            if kind == "semaphore":
                import _multiprocessing  # type: ignore[import-not-found]  # typeshed has no stub

                _multiprocessing.sem_unlink(name)
            elif kind == "shared_memory":
                import _posixshmem  # type: ignore[import-not-found]  # typeshed has no stub

                _posixshmem.shm_unlink(name)
            else:
                continue
        except OSError:  # already unlinked by the program or its resource tracker
            continue
        removed += 1
    return removed
