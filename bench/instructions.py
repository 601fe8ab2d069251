"""What the runner's hooks cost call-heavy code, in instructions: a count that another process
on the machine cannot change (wall-clock ratios, ``overhead.py``, need a quiet machine).

Each program of ``bench/programs`` runs in one interpreter under valgrind's callgrind, plain
and with the runner's hooks and event encoding installed in-process (``tui.runner.patches``,
an emitter whose sends go nowhere, flushed every 50 ms as the observer does: so encoding is
counted, the socket is not). Prints both counts and their ratio; the goal for call-heavy
code is <= 1.25 (a wall-clock goal: a count ranks changes the same way on any load, but the
clock also sees the flusher running on another core between GIL hand-offs).

    python bench/instructions.py [--versus DIR] [program.py ...]

``--versus DIR`` counts another checkout's hooks on the same programs (before a change, say).
Needs valgrind; takes about a minute a program.
"""

from __future__ import annotations

import argparse
import os
import re
import runpy
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

PROGRAMS = Path(__file__).parent / "programs"
CALL_HEAVY = ["many_steps.py", "queue_pingpong.py"]
FLUSH_S = 0.05


def inner(mode: str, program: str) -> None:
    """Run ``program`` here, with the hooks when ``mode`` is "hooks" (under callgrind)."""
    if mode == "hooks":
        from tui.runner import emit, patches

        em = emit.install("/nonexistent/socket", "secret")
        ledger = os.path.join(tempfile.mkdtemp(prefix="concur-tui-bench-"), "leftovers")
        patches.install(patches.for_runner(ledger))
        stop = threading.Event()

        def flush() -> None:
            while not stop.wait(FLUSH_S):
                em.flush()

        flusher = threading.Thread(target=flush, daemon=True)
        flusher._concur_internal = True  # type: ignore[attr-defined]  # not a task
        flusher.start()
    sys.argv = [program]
    runpy.run_path(program, run_name="__main__")
    if mode == "hooks":
        stop.set()
        flusher.join()
        em.flush()
        shutil.rmtree(os.path.dirname(ledger), ignore_errors=True)


def callgrind(command: list[str], what: str, **run: Any) -> int:
    """Instructions valgrind's callgrind counted for one run of ``command`` (start-up
    included); ``run``: more of ``subprocess.run``'s arguments (cwd, env)."""
    if shutil.which("valgrind") is None:
        raise SystemExit("counting instructions needs valgrind (apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="concur-tui-bench-") as folder:
        valgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/callgrind.out"]
        out = subprocess.run(
            [*valgrind, *command],
            capture_output=True,
            text=True,
            check=True,
            **run,
        )
    found = re.search(r"Collected : (\d+)", out.stderr)
    if found is None:
        raise SystemExit(f"no count from callgrind for {what}:\n{out.stderr[-500:]}")
    return int(found.group(1))


def count(mode: str, program: Path, tree: Path) -> int:
    """Instructions counted for one run of ``program`` with or without the hooks."""
    command = [sys.executable, str(Path(__file__).resolve()), "--inner", mode, str(program)]
    env = dict(os.environ, PYTHONPATH=str(tree))
    return callgrind(command, program.name, cwd=tree, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("programs", nargs="*", default=CALL_HEAVY)
    parser.add_argument("--versus", type=Path, help="another checkout, counted the same way")
    parser.add_argument("--inner", nargs=2, metavar=("MODE", "PROGRAM"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(*args.inner)
        return
    here = Path(__file__).resolve().parent.parent
    header = f"{'program':<20} {'plain':>14} {'hooks':>14} {'ratio':>6}"
    if args.versus:
        header += f" {'versus':>14} {'ratio':>6}"
    print(header)
    for name in args.programs:
        program = (PROGRAMS / name).resolve()
        plain = count("plain", program, here)
        hooks = count("hooks", program, here)
        line = f"{name:<20} {plain:>14,} {hooks:>14,} {hooks / plain:>6.2f}"
        if args.versus:
            other = count("hooks", program, args.versus.resolve())
            line += f" {other:>14,} {other / plain:>6.2f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
