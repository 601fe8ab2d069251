"""Every other way to hand work to a thread pool: to_thread, run_in_executor, map over a
partial, and a submitted call cancelled before a worker took it."""

import asyncio
import functools
import time
from concurrent.futures import ThreadPoolExecutor


def square(n: int) -> int:
    time.sleep(0.05)
    return n * n


def power(base: int, exponent: int) -> int:
    return base**exponent


async def main() -> None:
    loop = asyncio.get_running_loop()
    print(await asyncio.to_thread(square, 3))
    print(await loop.run_in_executor(None, functools.partial(square, 4)))


asyncio.run(main())
with ThreadPoolExecutor(max_workers=1) as pool:
    busy = pool.submit(time.sleep, 0.3)
    never = pool.submit(square, 5)
    print("cancelled:", never.cancel())
    print(list(pool.map(functools.partial(power, 2), [1, 2])))
