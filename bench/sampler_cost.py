"""What the kernel sampler costs: CPU time of the sweeping thread per second of a run.

Starts a program with ``--threads`` threads (most blocked on a queue, one spinning, one
sleeping in a loop — a mix of the calls it classifies), then sweeps it as the supervisor
does, every 10 ms for ``--seconds``, and prints the sweeping thread's own CPU time
(``thread_time``) as a share of one core, and per sweep. Goal: <= 3 % with 20 threads.

    python bench/sampler_cost.py [--threads 20] [--seconds 5] [--python PYTHON]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui.supervisor.attribution import SWEEP_S, KernelSampler

PROGRAM = """
import queue, sys, threading, time
n = int(sys.argv[1])
q = queue.SimpleQueue()
def spin():
    while True:
        pass
def nap():
    while True:
        time.sleep(0.003)
threading.Thread(target=spin, daemon=True).start()
threading.Thread(target=nap, daemon=True).start()
for _ in range(n - 3):
    threading.Thread(target=q.get, daemon=True).start()
print("ready", flush=True)
time.sleep(3600)
"""


def timer_only(seconds: float) -> float:
    """The CPU share of waking up 100 times a second and doing nothing (the floor)."""
    result: list[float] = []

    def idle() -> None:
        cpu0, wall0 = time.thread_time_ns(), time.perf_counter_ns()
        deadline = time.perf_counter() + seconds
        next_at = time.perf_counter()
        while time.perf_counter() < deadline:
            next_at += SWEEP_S
            time.sleep(max(0.0, next_at - time.perf_counter()))
        result.append((time.thread_time_ns() - cpu0) / (time.perf_counter_ns() - wall0))

    worker = threading.Thread(target=idle)
    worker.start()
    worker.join()
    return result[0]


def measure(python: str, threads: int, seconds: float) -> tuple[float, float, int]:
    child = subprocess.Popen(
        [python, "-c", PROGRAM, str(threads)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().startswith("ready")
        sampler = KernelSampler(child.pid)
        result: dict[str, float] = {}

        def sweep() -> None:
            cpu0, wall0, sweeps = time.thread_time_ns(), time.perf_counter_ns(), 0
            deadline = time.perf_counter() + seconds
            next_at = time.perf_counter()
            while time.perf_counter() < deadline:
                sampler.sweep()
                sweeps += 1
                next_at += SWEEP_S
                time.sleep(max(0.0, next_at - time.perf_counter()))
            result["cpu"] = (time.thread_time_ns() - cpu0) / 1e9
            result["wall"] = (time.perf_counter_ns() - wall0) / 1e9
            result["sweeps"] = sweeps

        worker = threading.Thread(target=sweep)
        worker.start()
        worker.join()
        seen = len(sampler._threads)
        sampler.close()
        return result["cpu"] / result["wall"], result["cpu"] / result["sweeps"], seen
    finally:
        child.kill()
        child.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--python", default=sys.executable, help="the observed program's Python")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    share, per_sweep, seen = measure(args.python, args.threads, args.seconds)
    floor = timer_only(args.seconds)
    print(
        "| threads seen | sweeps/s | CPU per sweep | share of one core"
        " | of which the 100 Hz timer alone | load average |"
    )
    print("|---|---|---|---|---|---|")
    print(
        f"| {seen} | {1 / SWEEP_S:.0f} | {per_sweep * 1e6:.0f} us | {share * 100:.2f} %"
        f" | {floor * 100:.2f} % | {load:.1f} |"
    )


if __name__ == "__main__":
    main()
