"""A blocking call inside async code freezes the whole event loop."""

import asyncio
import time

TITLE = "Blocking call inside async code"
KIND = "asyncio"
LESSON = """\
Two tickers wake every 0.1 s and report how late they woke. Meanwhile a
third task calls time.sleep() inside an async function. time.sleep blocks
the thread, and the event loop runs on that thread: nothing else runs until
it returns. Watch the event-loop lag pane jump to the length of the block,
and the tickers' rows stop on the timeline. This is the guide's common
mistake: in async code, await asyncio.sleep() (or an async library), or
move the blocking call off the loop with asyncio.to_thread()."""
PARAMS = {
    "block": {"default": 1.0, "min": 0.0, "max": 10.0, "help": "seconds time.sleep() blocks"},
}

TICK = 0.1  # seconds between ticks
LATE = 0.02  # report ticks later than this (seconds)


async def ticker(name: str, run_for: float) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + run_for
    worst = 0.0
    while loop.time() < end:
        expected = loop.time() + TICK
        await asyncio.sleep(TICK)
        late = loop.time() - expected
        worst = max(worst, late)
        if late > LATE:
            print(f"{name}: woke {late * 1000:.0f} ms late")
    print(f"{name}: done, worst wake-up {worst * 1000:.0f} ms late")


async def blocker(block: float) -> None:
    await asyncio.sleep(0.5)  # let the tickers run normally first
    print(f"blocker: time.sleep({block}) inside async def")
    time.sleep(block)  # the mistake: blocks the event loop (await asyncio.sleep would not)
    print("blocker: done")


async def run(block: float) -> None:
    run_for = block + 1.0
    await asyncio.gather(
        asyncio.create_task(ticker("ticker-A", run_for), name="ticker-A"),
        asyncio.create_task(ticker("ticker-B", run_for), name="ticker-B"),
        asyncio.create_task(blocker(block), name="blocker"),
    )


def main(block: float = 1.0) -> None:
    asyncio.run(run(block))


if __name__ == "__main__":
    main()
