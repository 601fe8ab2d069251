"""Preloaded last by the forkserver the runner starts: its import says the server is ready.

By then the server has imported the program and the worker hooks, so the runner can begin
the program's clock knowing the first worker forks at once: the server's own start is the
tool's choice (a plain script on Linux forks), not the program's time.
"""

import os

READY_ENV = "CONCUR_TUI_FORKSERVER_READY"

_path = os.environ.pop(READY_ENV, "")
if _path:
    try:
        with open(_path, "x"):
            pass
    except OSError:
        pass  # the runner waits a bounded time and goes on without it
