"""Call-heavy code at a small size: asyncio tasks that each await ``sleep(0)`` a few times, a
task that sleeps for real (so the loop is late for it), and two threads passing items through a
small ``queue.Queue`` (put and get wait on its Conditions)."""

import asyncio
import queue
import threading
import time

PARAMS = {
    "tasks": {"default": 300, "min": 1, "max": 20_000, "help": "asyncio tasks"},
    "hops": {"default": 5, "min": 1, "max": 100, "help": "sleep(0) awaits per task"},
    "items": {"default": 3000, "min": 1, "max": 1_000_000, "help": "items through the queue"},
}


async def hop(hops: int) -> None:
    for _ in range(hops):
        sum(range(200))  # a little work in every step
        await asyncio.sleep(0)


async def late() -> None:
    await asyncio.sleep(0.01)  # due while the loop is busy below: ready, then late


async def steps(tasks: int, hops: int) -> None:
    sleeper = asyncio.create_task(late(), name="late")
    await asyncio.sleep(0)
    time.sleep(0.05)  # blocks the loop past the sleeper's wake-up
    await asyncio.gather(*(hop(hops) for _ in range(tasks)), sleeper)


def produce(q: queue.Queue, items: int) -> None:
    for i in range(items):
        q.put(i)
    q.put(None)


def consume(q: queue.Queue) -> None:
    while q.get() is not None:
        pass


def main(tasks: int = 300, hops: int = 5, items: int = 3000) -> None:
    asyncio.run(steps(tasks, hops))
    q: queue.Queue = queue.Queue(maxsize=10)
    threads = [
        threading.Thread(target=produce, args=(q, items), name="producer"),
        threading.Thread(target=consume, args=(q,), name="consumer"),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
