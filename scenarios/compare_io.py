"""Sequential vs threads vs asyncio on the same waits: the guide's Example 3."""

import asyncio
import threading
import time

TITLE = "Compare: sequential, threads, asyncio on I/O"
KIND = "mixed"
LESSON = """\
The same waits three ways. Sequentially they add up: tasks x delay. With
threads and with asyncio they overlap, so each takes about one delay. On the
timeline, first the main thread sleeps again and again, then a stack of
threads sleep together, then a stack of asyncio tasks sleep together on
one thread. Waiting needs no CPU, so the CPU and
GIL panes stay quiet throughout: for I/O-bound work, threads or asyncio."""
PARAMS = {
    "tasks": {"default": 5, "min": 1, "max": 50, "help": "number of waits"},
    "delay": {"default": 1.0, "min": 0.0, "max": 10.0, "help": "seconds each wait takes"},
}


def io_sleep(delay: float) -> None:
    time.sleep(delay)  # stands in for a network or disk wait


def run_sequential(tasks: int, delay: float) -> float:
    start = time.perf_counter()
    for _ in range(tasks):
        io_sleep(delay)
    return time.perf_counter() - start


def run_threading(tasks: int, delay: float) -> float:
    start = time.perf_counter()
    threads = [
        threading.Thread(target=io_sleep, args=(delay,), name=f"io-{i}") for i in range(tasks)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


async def run_asyncio(tasks: int, delay: float) -> float:
    start = time.perf_counter()
    await asyncio.gather(
        *(asyncio.create_task(asyncio.sleep(delay), name=f"io-{i}") for i in range(tasks))
    )
    return time.perf_counter() - start


def main(tasks: int = 5, delay: float = 1.0) -> None:
    seq_time = run_sequential(tasks, delay)
    thr_time = run_threading(tasks, delay)
    async_time = asyncio.run(run_asyncio(tasks, delay))

    print(f"Sequential: {seq_time:.2f}s")
    print(f"Threading : {thr_time:.2f}s")
    print(f"Asyncio   : {async_time:.2f}s")


if __name__ == "__main__":
    main()
