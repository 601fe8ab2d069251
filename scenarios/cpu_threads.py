"""CPU-bound threads: the GIL lets only one of them run at a time."""

import sys
import threading
import time

TITLE = "CPU-bound threads share one GIL"
KIND = "threads"
LESSON = """\
Each thread runs the same pure-Python loop. They never wait for I/O, so
they take turns holding the GIL: on the timeline, with two threads each row
spends about half its time "waiting for the GIL" (more with more threads),
the GIL pane reads busy all the time, and the CPU pane shows about one core
in use however many threads there are. N threads take about N
times as long as one: threads bring no speed-up for CPU-heavy work (compare
cpu-processes). The switch interval is how long a thread may keep the GIL
while others wait for it."""
PARAMS = {
    "threads": {"default": 2, "min": 1, "max": 16, "help": "number of CPU-bound threads"},
    "work": {"default": 1.0, "min": 0.1, "max": 10.0, "help": "work per thread, in ~CPU seconds"},
    "switch_interval_ms": {
        "default": 5.0,
        "min": 0.1,
        "max": 100.0,
        "help": "sys.setswitchinterval, in ms (CPython's default is 5)",
    },
}

# Loop steps that take about one second of CPU time (CPython 3.11 on the
# 2-core reference machine: 28 million steps measured 0.95-1.10 s). Same
# constant as in cpu_processes.
STEPS_PER_UNIT = 28_000_000


def crunch(steps: int) -> float:
    """Pure-Python arithmetic, no I/O: holds the GIL whenever it runs.

    Returns the CPU seconds it used.
    """
    start = time.thread_time()
    total = 0
    for i in range(steps):
        total += i % 7
    return time.thread_time() - start


def main(threads: int = 2, work: float = 1.0, switch_interval_ms: float = 5.0) -> None:
    steps = int(work * STEPS_PER_UNIT)
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(switch_interval_ms / 1000)
    try:
        workers = [
            threading.Thread(target=crunch, args=(steps,), name=f"cpu-{i}") for i in range(threads)
        ]
        start, cpu_start = time.perf_counter(), time.process_time()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu_start  # CPU time of all this process's threads
    finally:
        sys.setswitchinterval(old_interval)
    print(f"{threads} threads x {steps:,} steps = {threads * steps:,} steps")
    print(f"Elapsed: {elapsed:.2f}s, CPU time: {cpu:.2f}s -> {cpu / elapsed:.1f} cores busy")


if __name__ == "__main__":
    main()
