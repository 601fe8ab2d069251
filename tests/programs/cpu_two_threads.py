"""Two CPU-bound threads: the GIL lets one run at a time, so each waits about half its life."""

import threading
import time


def spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += 1


threads = [threading.Thread(target=spin, args=(1.5,), name=f"cpu-{i}") for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
