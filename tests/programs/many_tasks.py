"""20 000 asyncio tasks at once: a flood of events, each one valid."""

import asyncio


async def tick(i):
    await asyncio.sleep(0.01)


async def main():
    await asyncio.gather(*(tick(i) for i in range(20_000)))
    print("all done", flush=True)


asyncio.run(main())
