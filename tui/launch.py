"""Start concur-tui so that Ctrl-C while it is still starting ends it quietly (exit 130),
and so does a closed pipe on its output (exit 141).

The commands handle KeyboardInterrupt, but importing them takes a while (a second on a
busy machine); an interrupt then printed a traceback of the import machinery. So the
entry point sets a quiet handler first, imports, and gives SIGINT back to Python.
"""

from __future__ import annotations

import os
import signal
import sys

# a small module: the commands are the slow part
from tui.errors import EXIT_INTERRUPTED, EXIT_PIPE_CLOSED


def _interrupted_while_starting(*_: object) -> None:
    raise SystemExit(EXIT_INTERRUPTED)


def entry() -> None:
    signal.signal(signal.SIGINT, _interrupted_while_starting)
    from tui.cli import main

    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        code = main()
    except KeyboardInterrupt:  # before a command had set itself up
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        # What read the output stopped (``concur-tui run x | head``): end quietly, as command
        # line tools do. Output still buffered would fail again at exit: it goes nowhere.
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), sys.stdout.fileno())
        code = EXIT_PIPE_CLOSED
    sys.exit(code)
