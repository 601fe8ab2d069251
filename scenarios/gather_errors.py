"""Errors in asyncio.gather: collect them per task, or fail fast (others run on)."""

import asyncio

TITLE = "gather: per-task errors, and fail-fast"
KIND = "asyncio"
LESSON = """\
Part 1: gather(..., return_exceptions=True) waits for every task and
returns each result or exception in order, so each error can be handled on
its own (the guide's "error handling per task"). Part 2: a plain gather
raises the first error at once, but does NOT cancel the other tasks: they
run on, unlike in a TaskGroup. Here main waits for fetch-A, which finishes
fine; fetch-C is still running when main returns, so asyncio.run cancels it
at exit. On the timeline, watch the rows go on after the error marker."""
PARAMS = {
    "delay": {"default": 1.0, "min": 0.0, "max": 10.0, "help": "seconds a good task takes"},
    "fail_after": {"default": 0.3, "min": 0.0, "max": 10.0, "help": "seconds before a task fails"},
}


async def fetch(name: str, delay: float) -> str:
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        print(f"{name}: cancelled")
        raise  # always let a cancellation through
    print(f"{name}: finished")
    return f"{name} done"


async def fail(name: str, delay: float) -> str:
    await asyncio.sleep(delay)
    raise ValueError(f"{name} failed")


async def part1(delay: float, fail_after: float) -> None:
    tasks = [
        asyncio.create_task(fetch("get-A", delay), name="get-A"),
        asyncio.create_task(fail("get-B", fail_after), name="get-B"),
        asyncio.create_task(fetch("get-C", delay), name="get-C"),
    ]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for task, result in zip(tasks, results, strict=True):
        if isinstance(result, Exception):
            print(f"  {task.get_name()} -> error: {result!r}")
        else:
            print(f"  {task.get_name()} -> {result!r}")


async def part2(delay: float, fail_after: float) -> None:
    slow = asyncio.create_task(fetch("fetch-A", delay), name="fetch-A")
    failing = asyncio.create_task(fail("fetch-B", fail_after), name="fetch-B")
    slower = asyncio.create_task(fetch("fetch-C", 3 * delay), name="fetch-C")
    try:
        await asyncio.gather(slow, failing, slower)
    except ValueError as error:
        print(f"gather raised {error!r} but did not cancel fetch-A or fetch-C")
    await slow  # wait for one of them; fetch-C is left running
    print("main returns")


async def run(delay: float, fail_after: float) -> None:
    print("Part 1: gather(return_exceptions=True)")
    await part1(delay, fail_after)
    print("Part 2: gather without return_exceptions")
    await part2(delay, fail_after)


def main(delay: float = 1.0, fail_after: float = 0.3) -> None:
    asyncio.run(run(delay, fail_after))


if __name__ == "__main__":
    main()
