"""Find this process's GIL futex words by watching a thread wait for the GIL.

The supervisor tells "waiting for the GIL" from "blocked on a lock" by the
futex address a thread waits on (``/proc/PID/task/TID/syscall``). Where the
GIL's condition variable lives differs by version and build, so it is found
by calibration, never by offsets: a helper thread that wants the GIL back
every 0.1 ms is made to wait while this thread holds the GIL inside a
``ctypes.PyDLL`` call (PyDLL calls keep the GIL), and this thread reads the
helper's syscall line without letting go. Checked on 3.11.7, 3.12.1 and
3.13.0: two adjacent words (the condition variable's), 15-40 ms.
Each process has its own GIL, so the runner and every pool worker calibrate.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
import time
from collections.abc import Callable

from tui.runner.emit import Emitter

FUTEX = "202"  # x86-64; other architectures find no words and fall back to "blocked"
HOLDS = 6
READS_PER_HOLD = 2
HOLD_US = 1000
MIN_HOLDS = 2
MAX_S = 0.1


def gil_enabled() -> bool:
    return bool(getattr(sys, "_is_gil_enabled", lambda: True)())


def calibrate(sleep: Callable[[float], None] = time.sleep) -> list[int]:
    """The futex addresses a thread waiting for the GIL was seen waiting on (maybe none)."""
    if not gil_enabled():
        return []
    try:
        libc = ctypes.PyDLL(None, use_errno=True)
        libc.usleep.argtypes = [ctypes.c_uint]
        libc.pread.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_long]
        libc.pread.restype = ctypes.c_ssize_t
    except (OSError, AttributeError):
        return []
    started = threading.Event()
    stop = False

    def want_the_gil() -> None:
        started.set()
        while not stop:
            sleep(0.0001)  # each wake-up needs the GIL back

    helper = threading.Thread(target=want_the_gil, name="concur-gil-calibration", daemon=True)
    helper._concur_internal = True  # type: ignore[attr-defined]
    helper.start()
    words: set[int] = set()
    try:
        started.wait(1.0)
        fd = os.open(f"/proc/self/task/{helper.native_id}/syscall", os.O_RDONLY)
    except OSError:
        stop = True
        return []
    buf = ctypes.create_string_buffer(256)
    try:
        deadline = time.perf_counter() + MAX_S
        for hold in range(HOLDS):
            if hold >= MIN_HOLDS and words and time.perf_counter() > deadline:
                break  # a loaded machine: what was seen is enough (the margin does the rest)
            for _ in range(READS_PER_HOLD):
                libc.usleep(HOLD_US)  # holding the GIL: the helper now waits for it
                n = libc.pread(fd, buf, 256, 0)
                fields = buf.raw[: max(0, n)].split()
                if len(fields) > 1 and fields[0] == FUTEX.encode():
                    with contextlib.suppress(ValueError):
                        words.add(int(fields[1], 16))
            sleep(0.0005)  # let it have the GIL, so it asks again
    finally:
        stop = True
        os.close(fd)
    helper.join(0.5)
    return sorted(words)


def announce(em: Emitter, sleep: Callable[[float], None] = time.sleep) -> None:
    """Calibrate and tell the supervisor (``gil_words``), before the program's code runs."""
    words = calibrate(sleep)
    em.emit("gil_words", words=words, enabled=gil_enabled())
    em.flush()
