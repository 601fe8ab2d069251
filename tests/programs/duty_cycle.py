"""Ground truth for the GIL probe: one thread holds the GIL a known fraction of the time."""

import threading
import time

PARAMS = {
    "fraction": {"default": 0.5, "min": 0.0, "max": 1.0, "help": "share of time spent computing"},
    "seconds": {"default": 2.0, "min": 0.1, "max": 10.0, "help": "how long to run"},
}


def spin(fraction: float, seconds: float) -> None:
    period = 0.02
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        busy_until = time.perf_counter() + period * fraction
        while time.perf_counter() < busy_until:  # holds the GIL
            pass
        time.sleep(period * (1 - fraction))  # releases it


def main(fraction: float = 0.5, seconds: float = 2.0) -> None:
    worker = threading.Thread(target=spin, args=(fraction, seconds), name="duty")
    worker.start()
    worker.join()
