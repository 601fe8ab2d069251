"""Writes 50 MB to stdout in one call, then a last line, and ends."""

import sys

sys.stdout.write(("x" * 99 + "\n") * 500_000)
print("after the burst", flush=True)
