"""One thread in each kind of call the hooks don't know, for about a second each, all at once."""

import queue
import select
import socket
import subprocess
import sys
import threading
import time

HOLD_S = 1.2
lock = threading.Lock()
lock.acquire()
simple = queue.SimpleQueue()
reader, writer = socket.socketpair()
select_r, select_w = socket.socketpair()


def on_simple_queue() -> None:
    simple.get()


def on_lock() -> None:
    lock.acquire()


def on_recv() -> None:
    reader.recv(16)


def on_select() -> None:
    select.select([select_r], [], [])


def on_child() -> None:
    subprocess.run([sys.executable, "-c", f"import time; time.sleep({HOLD_S})"], check=True)


threads = [
    threading.Thread(target=f, name=f.__name__)
    for f in (on_simple_queue, on_lock, on_recv, on_select, on_child)
]
for t in threads:
    t.start()
time.sleep(HOLD_S)
simple.put(1)
lock.release()
writer.send(b"x")
select_w.send(b"x")
for t in threads:
    t.join()
