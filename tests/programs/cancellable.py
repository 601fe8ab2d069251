"""Things a person can cancel from the dashboard: an asyncio task, and pool calls still queued."""

import asyncio
import time
from concurrent.futures import ProcessPoolExecutor


def slow(n):
    time.sleep(0.4)
    return n


async def sleeper():
    await asyncio.sleep(30)


async def main():
    task = asyncio.create_task(sleeper(), name="sleeper")
    try:
        await task
    except asyncio.CancelledError:
        print("sleeper cancelled")


if __name__ == "__main__":
    with ProcessPoolExecutor(1) as pool:
        futures = [pool.submit(slow, n) for n in range(4)]
        print([f.result() if not f.cancelled() else "cancelled" for f in futures])
    asyncio.run(main())
