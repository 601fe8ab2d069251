"""The least any Python hook on the asyncio hot path costs: ``many_steps.py``'s work (20 000
tasks x 5 ``await asyncio.sleep(0)``), timed plain and with the smallest pieces a per-task
running/waiting split needs, each alone, in one process each, alternating.

    python bench/hook_floor.py [--rounds 5] [--instructions]

- ``empty wrapper``: ``Handle._run`` replaced by a Python function that only calls it;
- ``timed steps``: the same, reading the clock before and after and keeping the two values;
- ``task subclass``: every task made by a task factory as a Python subclass of
  ``asyncio.Task`` with one slot set in its ``__init__`` (how a task's start is seen).

Each is the CPU time of the program's work (the best of 5 runs in a process, and of
``--rounds`` processes) as a ratio to plain: no supervisor, no events, no encoding. CPU
times on this virtual machine move by 10 % from one process to the next, more than the
pieces cost, so ``--instructions`` counts each mode's instructions under valgrind's callgrind
instead (one run of the work, start-up included in every mode alike): a count no other
process changes. The runner needs all three pieces and more; what they cost on their own is
the least a Python hook on every step costs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from instructions import callgrind

MODES = ("plain", "empty wrapper", "timed steps", "task subclass")

PROGRAM = """
import asyncio, asyncio.events, sys, time

mode, runs = sys.argv[1], int(sys.argv[2])
original_run = asyncio.events.Handle._run
now = time.perf_counter_ns
kept = []
keep = kept.extend

if mode == "empty wrapper":
    def _run(self):
        original_run(self)
    asyncio.events.Handle._run = _run
elif mode == "timed steps":
    def _run(self):
        start = now()
        try:
            original_run(self)
        finally:
            keep((start, now()))
    asyncio.events.Handle._run = _run
elif mode == "task subclass":
    class Observed(asyncio.Task):
        __slots__ = ("seen",)
        def __init__(self, *args, **kwargs):
            self.seen = True
            super().__init__(*args, **kwargs)
    def factory(loop, coro, **kwargs):
        return Observed(coro, loop=loop, **kwargs)
    original_init = asyncio.BaseEventLoop.__init__
    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.set_task_factory(factory)
    asyncio.BaseEventLoop.__init__ = __init__

async def hop():
    for _ in range(5):
        await asyncio.sleep(0)

async def main():
    await asyncio.gather(*(hop() for _ in range(20_000)))

best = float("inf")
for _ in range(runs):  # warm: the first run also pays for what is made once
    started = time.process_time()
    asyncio.run(main())
    best = min(best, time.process_time() - started)
print(best)
"""


def cpu_s(mode: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", PROGRAM, mode, "5"], capture_output=True, text=True, check=True
    )
    return float(out.stdout)


def instructions(mode: str) -> float:
    return callgrind([sys.executable, "-c", PROGRAM, mode, "1"], mode) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--instructions", action="store_true", help="count, under callgrind")
    args = parser.parse_args()
    best = dict.fromkeys(MODES, float("inf"))
    for _ in range(1 if args.instructions else args.rounds):
        for mode in MODES:
            best[mode] = min(best[mode], instructions(mode) if args.instructions else cpu_s(mode))
    unit = "G instr" if args.instructions else "CPU s"
    print(f"{'many_steps work':<30} {unit:>9} {'ratio':>6}")
    for mode in MODES:
        print(f"{mode:<30} {best[mode]:>9.3f} {best[mode] / best['plain']:>6.2f}")


if __name__ == "__main__":
    main()
