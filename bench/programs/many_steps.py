"""20 000 asyncio tasks, each awaiting ``asyncio.sleep(0)`` five times: a step-heavy program
(100 000 steps) whose in-program time shows what timing every step costs."""

import asyncio
import time


async def hop() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def main() -> None:
    await asyncio.gather(*(hop() for _ in range(20_000)))


if __name__ == "__main__":
    started = time.perf_counter()
    asyncio.run(main())
    print(f"elapsed {time.perf_counter() - started:.4f}")
