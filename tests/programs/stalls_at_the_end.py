import asyncio
import time


async def main():
    await asyncio.sleep(0.1)
    time.sleep(0.5)


asyncio.run(main())
