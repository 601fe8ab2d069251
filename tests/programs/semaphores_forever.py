"""A pool with its own semaphores and locks, busy until it is ended by force."""

import multiprocessing
import time


def forever(n):
    while True:
        time.sleep(0.1)


if __name__ == "__main__":
    lock = multiprocessing.Lock()
    event = multiprocessing.Event()
    print("started", flush=True)
    with multiprocessing.Pool(2) as pool:
        pool.map(forever, range(2))
