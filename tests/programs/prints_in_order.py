"""Output and task events that happen one after another, from the runner, a thread and a pool
worker: the log must list them in the order they happened."""

import asyncio
import threading
from concurrent.futures import ProcessPoolExecutor


def work(n: int) -> int:
    print(f"worker item {n}")
    return n


async def fetch() -> None:
    print("fetching")


async def both() -> None:
    await asyncio.create_task(fetch(), name="fetch-A")


def main() -> None:
    print("before", end="")
    print(" the thread")
    printer = threading.Thread(target=print, args=("in the thread",), name="printer")
    printer.start()
    printer.join()
    print("after the thread")
    with ProcessPoolExecutor(max_workers=1) as pool:
        pool.submit(work, 1).result()
    print("after the pool")
    asyncio.run(both())
    print("no newline at the end", end="")


if __name__ == "__main__":
    main()
