"""Many asyncio tasks at once: thousands of waits on one thread."""

import asyncio
import random

TITLE = "Many asyncio tasks"
KIND = "asyncio"
LESSON = """\
Thousands of tasks, each sleeping a random 0.1-1.0 s, all on one thread
and one event loop. Their waits overlap, so the run takes about one second
however many tasks there are, where thousands of threads would each need a
stack and an OS thread. Watch the timeline fill with rows that end at
scattered times, and the event-loop lag pane: with ten thousand tasks the
loop has many more callbacks to run each turn, and its lag can rise."""
PARAMS = {
    "tasks": {"default": 1000, "min": 1, "max": 20000, "help": "number of tasks"},
    "seed": {"default": 0, "min": 0, "max": 1_000_000, "help": "random seed for the sleeps"},
}


async def wait(delay: float) -> float:
    await asyncio.sleep(delay)
    return delay


async def run(tasks: int, seed: int) -> None:
    rng = random.Random(seed)  # seeded: the same sleeps on every run
    delays = [rng.uniform(0.1, 1.0) for _ in range(tasks)]
    pending = [asyncio.create_task(wait(delay), name=f"task-{i}") for i, delay in enumerate(delays)]
    results = await asyncio.gather(*pending)
    print(f"{len(results)} tasks done")
    print(f"{sum(results):.1f} s of sleeping in total, the longest {max(results):.2f} s")


def main(tasks: int = 1000, seed: int = 0) -> None:
    asyncio.run(run(tasks, seed))


if __name__ == "__main__":
    main()
