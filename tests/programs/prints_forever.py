"""Prints as fast as it can, forever: concur-tui must stay small and quit on request."""

import sys

line = "all work and no play makes Jack a dull boy " * 2 + "\n"
while True:
    sys.stdout.write(line)
