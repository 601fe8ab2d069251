"""A process pool that squares numbers: the guide's Example 1, with real CPU work."""

import time
from functools import partial
from multiprocessing import Pool

TITLE = "Process pool squares numbers"
KIND = "processes"
LESSON = """\
A multiprocessing.Pool maps square() over 1..numbers. Each item also burns
some CPU, so watch the CPU pane: every core lights up at once, because each
worker is a separate process with its own GIL. On the timeline, each work
item is a row inside its worker process; a pool has as many workers as
cores, so items run in waves. This is the guide's tool for CPU-bound work."""
PARAMS = {
    "numbers": {"default": 5, "min": 1, "max": 1000, "help": "square the numbers 1..numbers"},
    "delay": {"default": 0.5, "min": 0.0, "max": 10.0, "help": "CPU seconds each item burns"},
}


def burn_cpu(seconds: float) -> None:
    """Compute in pure Python until this thread has used `seconds` of CPU time."""
    # thread_time() counts CPU time only: time spent waiting for a core
    # does not count, so each item does the same amount of work.
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        for _ in range(10_000):
            pass


def square(n: int, delay: float = 0.0) -> int:
    burn_cpu(delay)
    return n * n


def main(numbers: int = 5, delay: float = 0.5) -> None:
    # Pool() starts one worker process per core. square must be a module-level
    # function: the pool pickles it by name to send it to the workers.
    with Pool() as pool:
        print(pool.map(partial(square, delay=delay), range(1, numbers + 1)))


if __name__ == "__main__":
    main()
