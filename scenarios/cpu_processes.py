"""CPU-bound work in a process pool: every core busy at once."""

import time
from concurrent.futures import ProcessPoolExecutor

TITLE = "CPU-bound work in processes"
KIND = "processes"
LESSON = """\
The same pure-Python loop as cpu-threads, but each copy runs in its own
worker process, and each process has its own GIL. Watch the CPU pane: every
core is busy at once, and with as many workers as cores the run takes about
as long as one copy alone, where cpu-threads took N times as long. This is
the guide's rule of thumb: CPU-bound tasks -> multiprocessing."""
PARAMS = {
    "workers": {"default": 2, "min": 1, "max": 16, "help": "worker processes (one task each)"},
    "work": {"default": 1.0, "min": 0.1, "max": 10.0, "help": "work per task, in ~CPU seconds"},
}

# Same constant as cpu_threads: about one second of CPU time per unit of work.
STEPS_PER_UNIT = 28_000_000


def crunch(steps: int) -> float:
    """The same loop as cpu_threads.crunch. Returns the CPU seconds it used."""
    start = time.thread_time()
    total = 0
    for i in range(steps):
        total += i % 7
    return time.thread_time() - start


def main(workers: int = 2, work: float = 1.0) -> None:
    steps = int(work * STEPS_PER_UNIT)
    start = time.perf_counter()
    # crunch must be a module-level function: the pool pickles it by name.
    with ProcessPoolExecutor(max_workers=workers) as pool:
        cpu = sum(pool.map(crunch, [steps] * workers))
    elapsed = time.perf_counter() - start
    print(f"{workers} processes x {steps:,} steps = {workers * steps:,} steps")
    print(f"Elapsed: {elapsed:.2f}s, CPU time: {cpu:.2f}s -> {cpu / elapsed:.1f} cores busy")


if __name__ == "__main__":
    main()
