"""Hooks every fresh interpreter the observed program starts (forkserver, spawned workers).

The runner puts this folder on PYTHONPATH for its children only and sets
CONCUR_TUI_SOCKET; any other interpreter that finds this file does nothing
here. A ``sitecustomize`` this one shadows still runs.
"""

import os
import sys

if os.environ.get("CONCUR_TUI_SOCKET"):
    try:
        from tui.runner.worker import install_in_worker

        install_in_worker()
    except Exception as exc:  # never break the observed program
        print(f"concur-tui: worker hooks not installed: {exc}", file=sys.stderr)


def _run_shadowed() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    for entry in sys.path:
        if not entry or os.path.abspath(entry) == here:
            continue
        candidate = os.path.join(entry, "sitecustomize.py")
        if os.path.isfile(candidate):
            import runpy

            runpy.run_path(candidate, run_name="sitecustomize")
            return


_run_shadowed()
