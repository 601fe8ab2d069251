"""A thread's ``schedstat`` from /proc: time on a CPU, time runnable without one, times run.

One reader for the runner (a thread reading its own, ``/proc/thread-self``) and the
supervisor (every thread of the run's tree, from outside). Files are kept open and read
with ``pread`` where they are read often (2-4 us a read).
"""

from __future__ import annotations

import os
from collections.abc import Callable

OWN = "/proc/thread-self/schedstat"


def read(fd: int) -> tuple[int, int, int]:
    """(ns on a CPU, ns waiting in the run queue, times scheduled) from an open schedstat file;
    ``OSError`` when the thread is gone, ``ValueError`` or ``IndexError`` when unreadable."""
    fields = os.pread(fd, 128, 0).split()
    return int(fields[0]), int(fields[1]), int(fields[2])


def run_queue_ns() -> int:
    """Time the calling thread has spent runnable but without a CPU; 0 where unavailable."""
    try:
        fd = os.open(OWN, os.O_RDONLY)
    except OSError:
        return 0
    try:
        return read(fd)[1]
    except (OSError, ValueError, IndexError):
        return 0
    finally:
        os.close(fd)


def own_reader() -> Callable[[], tuple[int, int]]:
    """(ns on a CPU, ns in the run queue) of the calling thread, for a thread that asks often:
    its file opened once (by that thread); (0, 0) where unavailable."""
    try:
        fd = os.open(OWN, os.O_RDONLY)
    except OSError:
        return lambda: (0, 0)

    def own() -> tuple[int, int]:
        try:
            return read(fd)[:2]
        except (OSError, ValueError, IndexError):
            return 0, 0

    return own
