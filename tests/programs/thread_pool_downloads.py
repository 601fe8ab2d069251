"""Eight "downloads" on a ThreadPoolExecutor of three; one fails. Each call is its own task."""

import time
from concurrent.futures import ThreadPoolExecutor, as_completed


def download(n: int) -> int:
    time.sleep(0.2)  # stands in for the network
    if n == 5:
        raise ConnectionError(f"host {n} refused the connection")
    return n


with ThreadPoolExecutor(max_workers=3) as pool:
    futures = [pool.submit(download, n) for n in range(8)]
    for future in as_completed(futures):
        try:
            print("got", future.result())
        except ConnectionError as exc:
            print("failed:", exc)
