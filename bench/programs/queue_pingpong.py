"""Two threads pass 100 000 items through a ``queue.Queue(maxsize=10)``: every put and get
takes the queue's Condition, so its in-program time shows what hooking waits costs."""

import queue
import threading
import time

ITEMS = 100_000


def produce(q: queue.Queue) -> None:
    for i in range(ITEMS):
        q.put(i)
    q.put(None)


def consume(q: queue.Queue) -> None:
    while q.get() is not None:
        pass


if __name__ == "__main__":
    started = time.perf_counter()
    q: queue.Queue = queue.Queue(maxsize=10)
    threads = [
        threading.Thread(target=produce, args=(q,)),
        threading.Thread(target=consume, args=(q,)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"elapsed {time.perf_counter() - started:.4f}")
