"""asyncio.wait_for timing out: the guide's Example 2."""

import asyncio

TITLE = "asyncio.wait_for times out"
KIND = "asyncio"
LESSON = """\
slow() needs `work` seconds but wait_for gives it only `timeout` seconds.
When the time is up, wait_for cancels the task and raises TimeoutError,
which main catches. On the timeline the row "slow" ends early with a
timed-out marker instead of "done". Timeouts are the guide's first safety
rule: a task that never answers must not hang the program."""
PARAMS = {
    "work": {"default": 3.0, "min": 0.0, "max": 30.0, "help": "seconds slow() needs"},
    "timeout": {"default": 1.0, "min": 0.0, "max": 30.0, "help": "seconds wait_for allows"},
}


async def slow(work: float) -> str:
    await asyncio.sleep(work)
    return "done"


async def run(work: float, timeout: float) -> None:
    # The guide passes slow() straight to wait_for; a named task makes the
    # same thing show up as a row called "slow".
    task = asyncio.create_task(slow(work), name="slow")
    try:
        result = await asyncio.wait_for(task, timeout=timeout)
        print(result)
    except TimeoutError:  # asyncio.TimeoutError is the same class since 3.11
        print("Task timed out")


def main(work: float = 3.0, timeout: float = 1.0) -> None:
    asyncio.run(run(work, timeout))


if __name__ == "__main__":
    main()
