"""Does watching change what is watched? Each scenario, plain vs under concur-tui, alternating.

Plain: the scenario's ``main()`` timed in a bare interpreter (``python -c``).
Tool:  ``concur-tui run NAME --json``; its ``elapsed_s`` is the runner's own
       clock from run start to run end, with every hook, the GIL probe and the
       loop-lag timer active (and, with ``--no-probe``, without the probe, to
       show the probe's own share).
Prints the median of each and their ratio; the goal is <= 1.02.

Call-heavy programs (``bench/programs``: 20 000 asyncio tasks x 5 ``sleep(0)``, two threads
passing 100 000 items through a ``queue.Queue``) put the hooks on the hot path; each
prints its own in-program time, plain and under ``concur-tui run`` (goal <= 1.25);
``--versus DIR`` adds a column for the concur-tui of another checkout (before a change, say),
timed in the same rounds, so a before/after ratio does not depend on the machine's load.
``--watch`` also times ``cpu-processes`` watched in a real terminal (tmux, 140x45, the
run's own clock from its recording) against plain (goal <= 1.05), with concur-tui's share of
a core during the run (the recording's CPU split); ``--versus DIR`` watches with that
checkout's dashboard too, in the same rounds.

The tool starts pools with forkserver (the runner has threads of its own, and
forking a threaded process can deadlock), where a plain script on Linux forks.
For scenarios with a pool, ``--start-method`` adds a column timing the plain
module under forkserver too, to separate that choice from the watching.

    python bench/overhead.py [--rounds 5] [--no-probe] [--start-method] [--watch]
        [--programs | --no-programs | --only-programs] [--versus DIR] [scenario ...]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from terminal import CLI, pane

from tui.recording import summary_of_recording

PROGRAMS = Path(__file__).parent / "programs"
CALL_HEAVY = ["many_steps.py", "queue_pingpong.py"]

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


def _run_json(target: str, env: dict[str, str] | None = None, tree: str | None = None) -> Any:
    """``concur-tui run TARGET --json``, from this checkout or from ``tree`` (another one)."""
    out = subprocess.run(
        [sys.executable, "-m", "tui", "run", target, "--json"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tree,
    ).stdout
    return json.loads(out)


def tool(name: str, probe: bool) -> float:
    env = dict(os.environ, CONCUR_TUI_PROBE="1" if probe else "0")
    return float(_run_json(name, env)["elapsed_s"])


def program_plain(name: str) -> float:
    out = subprocess.run(
        [sys.executable, str(PROGRAMS / name)], capture_output=True, text=True, check=True
    ).stdout
    return _elapsed(out)


def program_tool(name: str, tree: str | None = None) -> float:
    return _elapsed(_run_json(str(PROGRAMS / name), tree=tree)["stdout"])


def _elapsed(output: str) -> float:
    """The program's own time, from its ``elapsed S`` line."""
    return float(next(x for x in output.splitlines() if x.startswith("elapsed ")).split()[1])


def watched(name: str, params: list[str], tree: str | None = None) -> tuple[float, float]:
    """The run's own elapsed time while the dashboard (this one, or ``tree``'s: another
    checkout) shows it in a real terminal, and concur-tui's share of a core meanwhile (the
    CPU split's, from the recording)."""
    with tempfile.TemporaryDirectory(prefix="concur-tui-bench-") as folder:
        record = Path(folder) / "run.jsonl"
        sets = [x for p in params for x in ("--set", p)]
        command = [CLI, "watch", name, *sets, "--record", str(record)]
        if tree is not None:
            module = shlex.join([sys.executable, "-m", "tui", *command[1:]])
            command = ["sh", "-c", f"cd {shlex.quote(tree)} && exec {module}"]
        with pane(command) as p:
            p.wait_for("Timeline")
            deadline = time.monotonic() + 300
            while "completed" not in p.screen().splitlines()[0]:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{name} did not complete while watched")
                time.sleep(0.2)
        summary = summary_of_recording(record)
        load = summary.cpu.load_cores
        return summary.elapsed_s, load.tool if load is not None else math.nan


def row(name: str, p: float, t: float) -> str:
    return f"{name:<22} {p:>8.3f} {t:>8.3f} {t / p:>6.3f}"


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
    parser.add_argument(
        "--programs",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the call-heavy programs too (default: yes)",
    )
    parser.add_argument(
        "--only-programs", action="store_true", help="the call-heavy programs, no scenarios"
    )
    parser.add_argument(
        "--versus",
        metavar="DIR",
        help="also time the call-heavy programs under the concur-tui of another checkout"
        " (before/after a change, side by side in the same rounds)",
    )
    parser.add_argument(
        "--watch", action="store_true", help="cpu-processes watched in tmux vs plain"
    )
    args = parser.parse_args()
    if args.only_programs:
        args.scenarios = []
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
        line = row(name, p, t)
        if args.no_probe:
            b = statistics.median(bare)
            line += f" {b:>10.3f} {b / p:>6.3f}"
        if with_fs:
            f = statistics.median(forkserver)
            line += f" {f:>10.3f} {t / f:>7.3f}"
        print(line, flush=True)
    if args.programs or args.only_programs:
        header = f"\n{'call-heavy program':<22} {'plain s':>8} {'tool s':>8} {'ratio':>6}"
        print(header + (f" {'versus s':>8} {'ratio':>6}" if args.versus else ""))
        for name in CALL_HEAVY:
            plains, tools, versus = [], [], []
            for _ in range(args.rounds):
                plains.append(program_plain(name))
                tools.append(program_tool(name))
                if args.versus:
                    versus.append(program_tool(name, args.versus))
            p = statistics.median(plains)
            line = row(name, p, statistics.median(tools))
            if versus:
                v = statistics.median(versus)
                line += f" {v:>8.3f} {v / p:>6.3f}"
            print(line, flush=True)
    if args.watch:
        header = f"\n{'watched (tmux 140x45)':<22} {'plain s':>8} {'watch s':>8} {'ratio':>6}"
        header += f" {'tool':>5}" + (
            f" {'versus s':>8} {'ratio':>6} {'tool':>5}" if args.versus else ""
        )
        print(header + "   (tool: concur-tui's share of a core during the run)")
        plains, watches, versus = [], [], []
        for _ in range(args.rounds):
            plains.append(plain("cpu_processes"))
            watches.append(watched("cpu-processes", []))
            if args.versus:
                versus.append(watched("cpu-processes", [], args.versus))
        p = statistics.median(plains)
        line = row("cpu-processes", p, statistics.median(w for w, _ in watches))
        line += f" {statistics.median(t for _, t in watches):>5.3f}"
        if versus:
            v = statistics.median(w for w, _ in versus)
            line += f" {v:>8.3f} {v / p:>6.3f} {statistics.median(t for _, t in versus):>5.3f}"
        print(line)


if __name__ == "__main__":
    main()
