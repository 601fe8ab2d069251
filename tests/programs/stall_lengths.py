"""Blocking steps back to back, each timing itself: the stalls must match these lengths."""

import asyncio
import time


async def block(seconds: float) -> None:
    await asyncio.sleep(0.05)
    began = time.perf_counter()
    time.sleep(seconds)  # the blocking call
    print(f"{seconds} {time.perf_counter() - began:.6f}")


async def ticker() -> None:
    for _ in range(50):
        await asyncio.sleep(0.01)


async def main() -> None:
    await asyncio.gather(ticker(), block(0.3), block(0.25), block(0.4))


if __name__ == "__main__":
    asyncio.run(main())
