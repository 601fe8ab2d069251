"""A process pool whose items never end on their own."""

import time
from concurrent.futures import ProcessPoolExecutor


def forever(n):
    while True:
        time.sleep(0.1)


if __name__ == "__main__":
    print("started", flush=True)
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(forever, range(2)))
