"""Threads that sleep: the guide's first threading example."""

import threading
import time

TITLE = "Threads that sleep"
KIND = "threads"
LESSON = """\
Three threads each sleep for a second. Sleeping releases the GIL, so the
waits overlap: the whole run takes about one second, not three. This is why
threads suit I/O-bound work (network, disk, APIs)."""
PARAMS = {
    "tasks": {"default": 3, "min": 1, "max": 64, "help": "number of threads"},
    "delay": {"default": 1.0, "min": 0.0, "max": 30.0, "help": "seconds each thread sleeps"},
}


def task(name: str, delay: float) -> None:
    time.sleep(delay)  # stands in for waiting on the network or the disk
    print(f"Done: {name}")


def main(tasks: int = 3, delay: float = 1.0) -> None:
    threads = [
        threading.Thread(target=task, args=(f"t{i}", delay), name=f"t{i}") for i in range(tasks)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
