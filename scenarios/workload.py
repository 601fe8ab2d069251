"""One workload, four ways: sequentially, with threads, with a process pool, with asyncio."""

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

TITLE = "One workload: sequential, threads, processes or asyncio"
KIND = "mixed"
LESSON = """\
The same tasks run one of four ways (the mode): one after another, one
thread each, in a process pool with one worker per core, or as asyncio
coroutines. Each task waits (io), computes in pure Python (cpu), or waits
then computes (mixed). Waits overlap under threads and asyncio, so N waiting
tasks take about one wait. Computing holds the GIL: threads take turns and
bring no speed-up, while processes, each with its own GIL, use every core.
In asyncio mode the computing runs inside the coroutines with no await, so
it blocks the event loop: that is the guide's common mistake, made on
purpose. Process start-up is part of the measured time. `concur-tui compare`
runs every mode and sets the results side by side."""
PARAMS = {
    "mode": {
        "default": "sequential",
        "choices": ["sequential", "threads", "processes", "asyncio"],
        "help": "how the tasks run",
    },
    "workload": {
        "default": "io",
        "choices": ["io", "cpu", "mixed"],
        "help": "io (each task waits), cpu (each task computes) or mixed (waits, then computes)",
    },
    "tasks": {"default": 4, "min": 1, "max": 64, "help": "number of tasks"},
    "io_s": {"default": 0.5, "min": 0.0, "max": 10.0, "help": "seconds each task waits"},
    "cpu_work": {
        "default": 0.5,
        "min": 0.0,
        "max": 10.0,
        "help": "work each task computes, in ~CPU seconds",
    },
}

# The choices above are the one list of modes and workloads: `concur-tui compare` reads them too.
MODES = tuple(PARAMS["mode"]["choices"])
WORKLOADS = tuple(PARAMS["workload"]["choices"])

# Loop steps that take about one second of CPU time on CPython 3.11 on the
# reference machine: the same constant as cpu_threads and cpu_processes.
STEPS_PER_UNIT = 28_000_000


def crunch(steps: int) -> None:
    """Pure-Python arithmetic, no I/O: holds the GIL whenever it runs."""
    total = 0
    for i in range(steps):
        total += i % 7


# One task of each workload, written the ordinary (blocking) way. Each takes only
# what its workload uses, so a pool item reads `cpu_task(0.5)`, not every setting.
def io_task(io_s: float) -> None:
    time.sleep(io_s)  # stands in for a network or disk wait


def cpu_task(cpu_work: float) -> None:
    crunch(int(cpu_work * STEPS_PER_UNIT))


def mixed_task(io_s: float, cpu_work: float) -> None:
    io_task(io_s)
    cpu_task(cpu_work)


def task_for(workload: str, io_s: float, cpu_work: float) -> tuple[Callable[..., None], tuple]:
    """The task function of a workload and the arguments it takes."""
    if workload == "io":
        return io_task, (io_s,)
    if workload == "cpu":
        return cpu_task, (cpu_work,)
    return mixed_task, (io_s, cpu_work)


async def async_task(workload: str, io_s: float, cpu_work: float) -> None:
    """The same task as a coroutine."""
    if workload in ("io", "mixed"):
        await asyncio.sleep(io_s)  # the loop runs other tasks meanwhile
    if workload in ("cpu", "mixed"):
        cpu_task(cpu_work)  # no await in here: nothing else on the loop runs until it returns


def run_sequential(workload: str, tasks: int, io_s: float, cpu_work: float) -> None:
    task, args = task_for(workload, io_s, cpu_work)
    for _ in range(tasks):
        task(*args)


def run_threads(workload: str, tasks: int, io_s: float, cpu_work: float) -> None:
    task, args = task_for(workload, io_s, cpu_work)
    threads = [
        threading.Thread(target=task, args=args, name=f"{workload}-{i}") for i in range(tasks)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run_processes(workload: str, tasks: int, io_s: float, cpu_work: float) -> None:
    # Like the guide's Pool(): one worker process per core. The task must be a
    # module-level function: the pool sends it to the workers by name.
    task, args = task_for(workload, io_s, cpu_work)
    with ProcessPoolExecutor() as pool:
        futures = [pool.submit(task, *args) for _ in range(tasks)]
        for future in futures:
            future.result()


async def run_asyncio(workload: str, tasks: int, io_s: float, cpu_work: float) -> None:
    await asyncio.gather(
        *(
            asyncio.create_task(async_task(workload, io_s, cpu_work), name=f"{workload}-{i}")
            for i in range(tasks)
        )
    )


def main(
    mode: str = "sequential",
    workload: str = "io",
    tasks: int = 4,
    io_s: float = 0.5,
    cpu_work: float = 0.5,
) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if workload not in WORKLOADS:
        raise ValueError(f"workload must be one of {', '.join(WORKLOADS)}, not {workload!r}")
    start = time.perf_counter()
    if mode == "sequential":
        run_sequential(workload, tasks, io_s, cpu_work)
    elif mode == "threads":
        run_threads(workload, tasks, io_s, cpu_work)
    elif mode == "processes":
        run_processes(workload, tasks, io_s, cpu_work)
    else:
        asyncio.run(run_asyncio(workload, tasks, io_s, cpu_work))
    elapsed = time.perf_counter() - start
    print(f"{mode}: {tasks} {workload} tasks")
    print(f"Elapsed: {elapsed:.2f}s")


if __name__ == "__main__":
    main()
