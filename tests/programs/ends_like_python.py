"""Ends the way plain Python ends it: idle pool threads stop, threads are joined, atexit runs."""

import atexit
import threading
import time
from concurrent.futures import ThreadPoolExecutor

POOL = ThreadPoolExecutor(2)
print(POOL.submit(lambda: 41 + 1).result())
atexit.register(print, "bye")


def late():
    time.sleep(0.2)
    print("thread finished")


threading.Thread(target=late).start()
