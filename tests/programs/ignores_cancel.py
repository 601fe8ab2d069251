"""Refuses to stop: swallows KeyboardInterrupt, so only a kill ends it."""

import time

print("started", flush=True)
while True:
    try:
        time.sleep(10)
    except KeyboardInterrupt:
        print("ignoring the interrupt", flush=True)
