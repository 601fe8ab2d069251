"""Writes 50 MB to stdout in one call, then sleeps: a burst concur-tui must not keep whole."""

import sys
import time

sys.stdout.write(("x" * 99 + "\n") * 500_000)
sys.stdout.flush()
print("after the burst", flush=True)
time.sleep(30)
