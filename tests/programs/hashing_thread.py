"""hashlib over a large buffer releases the GIL: the thread is running, not waiting for it."""

import hashlib
import threading

DATA = bytes(64 * 2**20)


def digest() -> None:
    for _ in range(12):
        hashlib.sha256(DATA).hexdigest()


t = threading.Thread(target=digest, name="hashing")
t.start()
t.join()
