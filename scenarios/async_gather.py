"""asyncio.gather: the guide's asyncio example, with named tasks."""

import asyncio
import string

TITLE = "asyncio.gather of named tasks"
KIND = "asyncio"
LESSON = """\
Tasks A, B, C... each await asyncio.sleep(delay). One thread, one event loop:
while a task waits, the loop runs the others, so all the waits overlap and
the whole run takes about one delay. On the timeline the rows sleep side by
side; the event-loop lag pane stays near zero because nothing blocks the
loop. This is how asyncio handles many I/O waits without many threads."""
PARAMS = {
    "tasks": {"default": 3, "min": 1, "max": 26, "help": "number of tasks (A, B, C...)"},
    "delay": {"default": 1.0, "min": 0.0, "max": 30.0, "help": "seconds each task sleeps"},
}


async def fetch(name: str, delay: float) -> str:
    await asyncio.sleep(delay)  # stands in for a network call
    return f"{name} done"


async def run(tasks: int, delay: float) -> None:
    names = string.ascii_uppercase[:tasks]
    # create_task(name=...) gives each task the name logs and the timeline show.
    pending = [asyncio.create_task(fetch(name, delay), name=name) for name in names]
    results = await asyncio.gather(*pending)
    print(results)


def main(tasks: int = 3, delay: float = 1.0) -> None:
    asyncio.run(run(tasks, delay))


if __name__ == "__main__":
    main()
