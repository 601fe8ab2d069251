"""Closes every file descriptor it did not open itself, as daemon-style code does: the
runner's event socket goes with them."""

import os
import threading
import time

os.closerange(3, 65536)
worker = threading.Thread(target=time.sleep, args=(0.1,), name="after-closing")
worker.start()
worker.join()
print("closed and carried on")
