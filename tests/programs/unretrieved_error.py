"""A task fails and nobody asks for its exception: asyncio says so, as it does without the tool."""

import asyncio
import gc


async def fails() -> None:
    raise ValueError("nobody asked")


async def main() -> None:
    task = asyncio.ensure_future(fails())
    await asyncio.sleep(0.05)
    print("done:", task.done())
    del task
    gc.collect()


asyncio.run(main())
