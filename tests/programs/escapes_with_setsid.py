"""A child that leaves the runner's session (setsid) and would outlive the run."""

import os
import sys
import time

pid = os.fork()
if pid == 0:
    os.setsid()
    time.sleep(60)
    os._exit(0)
print(f"escaped {pid}", flush=True)
time.sleep(60)
sys.exit(0)
