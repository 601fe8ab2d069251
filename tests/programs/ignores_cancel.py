"""Refuses to stop: swallows KeyboardInterrupt, so only a kill ends it."""

import os
import time
from pathlib import Path

print("started", flush=True)
if os.environ.get("STARTED_MARKER"):  # tells a test the loop below is running
    Path(os.environ["STARTED_MARKER"]).touch()
while True:
    try:
        time.sleep(10)
    except KeyboardInterrupt:
        print("ignoring the interrupt", flush=True)
