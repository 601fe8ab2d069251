"""Threads that only sleep, in a process a helper pauses (SIGSTOP) for 5 ms of every 20,
as a virtual machine's host or a debugger does: every wake-up comes late, and no thread
holds the GIL."""

import os
import subprocess
import sys
import threading
import time

PAUSER = """
import os, signal, sys, time
target = int(sys.argv[1])
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    os.kill(target, signal.SIGSTOP)
    time.sleep(0.005)
    os.kill(target, signal.SIGCONT)
    time.sleep(0.015)
"""

pauser = subprocess.Popen([sys.executable, "-c", PAUSER, str(os.getpid()), "1.0"])
sleepers = [threading.Thread(target=time.sleep, args=(1.0,), name=f"sleeper-{i}") for i in range(3)]
for thread in sleepers:
    thread.start()
for thread in sleepers:
    thread.join()
pauser.wait()
print("slept through the pauses")
