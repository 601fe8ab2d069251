"""Cancellation: a TaskGroup cancels its other tasks; asyncio.timeout expires."""

import asyncio

TITLE = "TaskGroup cancels, asyncio.timeout expires"
KIND = "asyncio"
LESSON = """\
Part 1: three tasks in an asyncio.TaskGroup. When "failing" raises, the
TaskGroup cancels its other tasks and raises an ExceptionGroup: no task is
left running behind your back. Part 2: asyncio.timeout() gives a block a
deadline; when it passes, the task inside is cancelled and TimeoutError is
raised. On the timeline, watch the end markers: one error, the rest
cancelled (part 1), one timed out (part 2); the log says who cancelled
whom. These are the guide's "timeout and cancellation paths"."""
PARAMS = {
    "fail_after": {"default": 0.5, "min": 0.0, "max": 10.0, "help": "seconds before a task fails"},
    "timeout": {"default": 1.0, "min": 0.0, "max": 10.0, "help": "deadline for part 2, seconds"},
    "work": {"default": 3.0, "min": 0.0, "max": 30.0, "help": "seconds the other tasks need"},
}


async def work_for(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "done"


async def fail_after_delay(seconds: float) -> None:
    await asyncio.sleep(seconds)
    raise ValueError("something went wrong")


def outcome(task: asyncio.Task) -> str:
    if task.cancelled():
        return "cancelled"
    if task.exception() is not None:
        return f"failed: {task.exception()!r}"
    return f"finished: {task.result()!r}"


async def part1(fail_after: float, work: float) -> None:
    tasks = []
    try:
        async with asyncio.TaskGroup() as group:
            tasks.append(group.create_task(work_for(work), name="worker-A"))
            tasks.append(group.create_task(work_for(work), name="worker-B"))
            tasks.append(group.create_task(fail_after_delay(fail_after), name="failing"))
    except ExceptionGroup as error:  # a TaskGroup wraps its tasks' errors in one
        print(f"TaskGroup raised ExceptionGroup: {list(error.exceptions)!r}")
    for task in tasks:
        print(f"  {task.get_name()}: {outcome(task)}")


async def part2(timeout: float, work: float) -> None:
    task = asyncio.create_task(work_for(work), name="slow")
    try:
        async with asyncio.timeout(timeout):
            # The deadline cancels the task running this block (main), and
            # awaiting "slow" passes that cancellation on to it.
            await task
    except TimeoutError:
        print(f"asyncio.timeout({timeout}) expired: TimeoutError")
    print(f"  slow: {outcome(task)}")


async def run(fail_after: float, timeout: float, work: float) -> None:
    print("Part 1: a TaskGroup where one task fails")
    await part1(fail_after, work)
    print("Part 2: a deadline with asyncio.timeout")
    await part2(timeout, work)


def main(fail_after: float = 0.5, timeout: float = 1.0, work: float = 3.0) -> None:
    asyncio.run(run(fail_after, timeout, work))


if __name__ == "__main__":
    main()
