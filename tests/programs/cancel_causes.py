"""Every way a task gets cancelled, with known answers (test_causes.py checks each)."""

import asyncio


async def sleeper() -> None:
    await asyncio.sleep(10)


async def parent() -> None:
    await asyncio.create_task(sleeper(), name="child")


async def main() -> None:
    slow = asyncio.create_task(sleeper(), name="slow")
    try:
        await asyncio.wait_for(slow, 0.05)  # WAIT_FOR_LINE
    except TimeoutError:
        print("wait_for timed out")
    left = asyncio.create_task(sleeper())  # unnamed: left pending for asyncio.run to cancel
    told = asyncio.create_task(parent(), name="parent")
    await asyncio.sleep(0.02)
    told.cancel("enough")  # CANCEL_LINE
    try:
        await told
    except asyncio.CancelledError:
        print("parent cancelled")
    bounded = asyncio.create_task(sleeper(), name="bounded")
    try:
        async with asyncio.timeout(0.05):
            await bounded
    except TimeoutError:
        print("timeout expired")
    # a task of asyncio.sleep itself, unnamed: labelled by asyncio's name, not the tool's hook
    await asyncio.create_task(asyncio.sleep(0.01))
    assert not left.done()


if __name__ == "__main__":
    asyncio.run(main())
