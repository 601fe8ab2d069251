"""The guide's rule of thumb turned into numbers from the parameters, never from a measurement."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

# A measured speed-up "agrees" with the prediction within this factor either way.
AGREE_FACTOR = 1.35

# How a row's measurement compares with the prediction; "-" is the baseline itself, "n/a"
# a row with no speed-up to compare (no sequential run to measure it against).
Verdict = Literal["agrees", "differs", "failed", "n/a", "-"]


@dataclass(frozen=True)
class Prediction:
    speedup: float
    reason: str


def predict(
    workload: str,
    mode: str,
    tasks: int,
    io_s: float,
    cpu_s: float,
    cores: int,
    gil_enabled: bool = True,
) -> Prediction:
    """The guide's rule of thumb as a speed-up over sequential, from the parameters alone.

    Each task waits ``io_s`` and/or computes ``cpu_s``. Sequentially they add
    up. Waits overlap under threads and asyncio; computing holds the GIL, so
    threads take turns (unless the interpreter has no GIL) and asyncio's
    coroutines, which compute without awaiting, block the loop and run one
    after another. A process pool has one worker per core (the guide's
    ``Pool()``), so the tasks run in ceil(tasks / workers) rounds. Start-up
    costs are not predicted: they are what the measurement adds.
    """
    wait = io_s if workload in ("io", "mixed") else 0.0
    work = cpu_s if workload in ("cpu", "mixed") else 0.0
    workers = max(1, min(tasks, cores))
    rounds = math.ceil(tasks / workers)
    sequential = tasks * (wait + work)
    if mode == "sequential":
        return Prediction(1.0, "the baseline: one task after another")
    if mode == "threads" and gil_enabled:
        expected = wait + tasks * work
        reason = {
            "io": "I/O-bound: the waits overlap",
            "cpu": "CPU-bound: the GIL lets one thread run Python at a time",
            "mixed": "the waits overlap; the computing takes turns on the GIL",
        }[workload]
    elif mode == "threads":
        expected = wait + rounds * work
        reason = "no GIL: the waits overlap and the computing spreads over the cores"
    elif mode == "asyncio":
        expected = wait + tasks * work
        reason = {
            "io": "I/O-bound: the waits overlap on one event loop",
            "cpu": "computing inside coroutines blocks the loop: one after another",
            "mixed": "the waits overlap; the computing blocks the loop, one after another",
        }[workload]
    elif mode == "processes":
        expected = rounds * (wait + work)
        reason = f"{workers} worker processes (one per core), each with its own GIL"
        if workload == "io":
            reason = f"{workers} worker processes: only {workers} waits overlap at a time"
    else:
        raise ValueError(f"unknown mode {mode!r}")
    speedup = sequential / expected if expected > 0 else 1.0
    return Prediction(round(speedup, 2), reason)


def verdict(measured: float | None, predicted: float) -> Verdict:
    """Whether a measured speed-up agrees with the predicted one (within ``AGREE_FACTOR``)."""
    if measured is None or measured <= 0:
        return "n/a"
    ratio = measured / predicted
    return "agrees" if 1 / AGREE_FACTOR <= ratio <= AGREE_FACTOR else "differs"
