"""Does watching change what is watched? Each scenario, plain vs under concur-tui, alternating.

Plain: the scenario's ``main()`` timed in a bare interpreter (``python -c``).
Tool:  ``concur-tui run NAME --json``; its ``elapsed_s`` is the runner's own
       clock from run start to run end, with every hook, the GIL probe and the
       loop-lag timer active (and, with ``--no-probe``, without the probe, to
       show the probe's own share).
Prints the median of each and their ratio; the goal is <= 1.02.

The tool starts pools with forkserver (the runner has threads of its own, and
forking a threaded process can deadlock), where a plain script on Linux forks.
For scenarios with a pool, ``--start-method`` adds a column timing the plain
module under forkserver too, to separate that choice from the watching.

    python bench/overhead.py [--rounds 5] [--no-probe] [scenario ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

DEFAULT = [
    "thread-sleep",
    "async-gather",
    "wait-for-timeout",
    "process-pool-squares",
    "cpu-threads",
    "cpu-processes",
]
PLAIN = (
    "import importlib, time; m = importlib.import_module('scenarios.{module}');"
    " t = time.perf_counter(); m.main(); print(time.perf_counter() - t)"
)


PLAIN_FORKSERVER = (
    "import multiprocessing as mp, multiprocessing.forkserver as fs;"
    " mp.set_start_method('forkserver'); mp.set_forkserver_preload(['scenarios.{module}']);"
    " fs.ensure_running(); " + PLAIN
)
POOL_SCENARIOS = ("process-pool-squares", "cpu-processes")


def plain(module: str, code: str = PLAIN) -> float:
    out = subprocess.run(
        [sys.executable, "-c", code.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out.strip().splitlines()[-1])


def tool(name: str, probe: bool) -> float:
    env = dict(os.environ, CONCUR_TUI_PROBE="1" if probe else "0")
    out = subprocess.run(
        [sys.executable, "-m", "tui", "run", name, "--json"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return float(json.loads(out)["elapsed_s"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenarios", nargs="*", default=DEFAULT)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--no-probe", action="store_true", help="also time the tool without the GIL probe"
    )
    parser.add_argument(
        "--start-method",
        action="store_true",
        help="also time pool scenarios plain under forkserver",
    )
    args = parser.parse_args()
    header = f"{'scenario':<22} {'plain s':>8} {'tool s':>8} {'ratio':>6}"
    if args.no_probe:
        header += f" {'no-probe s':>10} {'ratio':>6}"
    if args.start_method:
        header += f" {'plain fs s':>10} {'tool/fs':>7}"
    print(header)
    for name in args.scenarios:
        module = name.replace("-", "_")
        plains, tools, bare, forkserver = [], [], [], []
        with_fs = args.start_method and name in POOL_SCENARIOS
        for _ in range(args.rounds):
            plains.append(plain(module))
            tools.append(tool(name, probe=True))
            if args.no_probe:
                bare.append(tool(name, probe=False))
            if with_fs:
                forkserver.append(plain(module, PLAIN_FORKSERVER))
        p, t = statistics.median(plains), statistics.median(tools)
        row = f"{name:<22} {p:>8.3f} {t:>8.3f} {t / p:>6.3f}"
        if args.no_probe:
            b = statistics.median(bare)
            row += f" {b:>10.3f} {b / p:>6.3f}"
        if with_fs:
            f = statistics.median(forkserver)
            row += f" {f:>10.3f} {t / f:>7.3f}"
        print(row, flush=True)


if __name__ == "__main__":
    main()
