"""The GIL convoy: a CPU-bound thread slows down a quick I/O thread."""

import queue
import statistics
import sys
import threading
import time

TITLE = "GIL convoy: CPU thread slows I/O responses"
KIND = "threads"
LESSON = """\
A server thread answers quick requests from a client thread; each answer
needs almost no work. First they run alone: responses take a fraction of a
millisecond. Then a CPU-bound thread starts. It never waits, so it holds the
GIL, and each time the server or the client wakes up it must wait for the
GIL, up to one switch interval. Responses now take about one switch
interval or more, though the work per answer did not change. Watch the GIL
pane go busy and its latency rise, and the server and client rows show a
short "waiting for the GIL" at every wake-up. Try switch_interval_ms 1 or 20."""
PARAMS = {
    "switch_interval_ms": {
        "default": 5.0,
        "min": 0.1,
        "max": 100.0,
        "help": "sys.setswitchinterval, in ms (CPython's default is 5)",
    },
    "duration": {"default": 1.0, "min": 0.1, "max": 30.0, "help": "seconds for each phase"},
}

GAP = 0.002  # seconds the client waits between requests


def server(requests: queue.Queue, replies: queue.Queue) -> None:
    while (request := requests.get()) is not None:
        replies.put(request * 2)  # the "answer": almost no work


def client(requests: queue.Queue, replies: queue.Queue, duration: float, times: list) -> None:
    """Send requests for `duration` seconds; record each response time in seconds."""
    end = time.perf_counter() + duration
    while True:
        sent = time.perf_counter()
        requests.put(len(times))
        replies.get()
        times.append(time.perf_counter() - sent)
        if time.perf_counter() >= end:
            break
        time.sleep(GAP)  # like waiting for the next request from the network


def cpu_hog(stop: threading.Event) -> None:
    """Pure-Python arithmetic until told to stop: holds the GIL whenever it runs."""
    total = 0
    while not stop.is_set():
        for i in range(10_000):
            total += i % 7


def phase(label: str, duration: float) -> None:
    requests: queue.Queue = queue.Queue()
    replies: queue.Queue = queue.Queue()
    times: list[float] = []
    srv = threading.Thread(target=server, args=(requests, replies), name="server")
    cli = threading.Thread(target=client, args=(requests, replies, duration, times), name="client")
    srv.start()
    cli.start()
    cli.join()
    requests.put(None)  # tell the server to stop
    srv.join()
    p50, worst = statistics.median(times) * 1000, max(times) * 1000
    print(f"{label}: {len(times)} requests, p50 {p50:.2f} ms, max {worst:.2f} ms")


def main(switch_interval_ms: float = 5.0, duration: float = 1.0) -> None:
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(switch_interval_ms / 1000)
    try:
        phase("alone       ", duration)
        stop = threading.Event()
        hog = threading.Thread(target=cpu_hog, args=(stop,), name="cpu-hog")
        hog.start()
        try:
            phase("with CPU hog", duration)
        finally:
            stop.set()
            hog.join()
    finally:
        sys.setswitchinterval(old_interval)


if __name__ == "__main__":
    main()
