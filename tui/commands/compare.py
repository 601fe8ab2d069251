"""``concur-tui compare`` (the selection guide, measured) and ``concur-tui advise``."""

from __future__ import annotations

import argparse
import json
import signal
from typing import Any

from tui.catalog import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from tui.compare import DOMINANTS, MODES, WORKLOADS, Dominant, advise, compare, format_table
from tui.events import dumps_strict

DOMINANT_HELP: dict[Dominant, str] = {
    "waiting": "the tasks mostly wait (network, disk, APIs)",
    "computing": "the tasks mostly compute (pure-Python number crunching)",
    "both": "a real share of each",
}


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "compare",
        help="run one workload sequentially, with threads, processes and asyncio; compare",
        description="Run the same workload sequentially, with threads, with a process pool and "
        "with asyncio, one run after another, and print the measured table next to the "
        "guide's prediction.",
    )
    parser.add_argument("--workload", choices=WORKLOADS, default="io", help="default: io")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a workload parameter: tasks, io_s, cpu_work (see `concur-tui list`)",
    )
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        metavar="PATH",
        help="run under this interpreter instead of the current one; repeat to compare several",
    )
    parser.add_argument(
        "--mode",
        action="append",
        choices=MODES,
        help="run only this mode (repeatable; default: all four)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=cmd_compare)

    helper = sub.add_parser(
        "advise",
        help="which should I use? the guide's Step 1 as a question",
        description="Say what dominates your tasks' time and how many tasks there are; get the "
        "guide's answer and the command that shows it.",
    )
    dominant = helper.add_mutually_exclusive_group(required=True)
    for name in DOMINANTS:
        dominant.add_argument(
            f"--{name}", dest="dominant", action="store_const", const=name, help=DOMINANT_HELP[name]
        )
    helper.add_argument("--tasks", type=int, required=True, help="how many tasks at once")
    helper.add_argument("--json", action="store_true", help="print one JSON object")
    helper.set_defaults(func=cmd_advise)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def cmd_compare(args: argparse.Namespace) -> int:
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        result = compare(
            args.workload, args.set, pythons=args.python or None, modes=args.mode or MODES
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(dumps_strict(result.to_dict()) if args.json else format_table(result))
    if result.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if result.ok else EXIT_FAILED


def cmd_advise(args: argparse.Namespace) -> int:
    advice = advise(args.dominant, args.tasks)
    if args.json:
        print(json.dumps(advice.to_json()))
        return EXIT_OK
    print(f"Use: {advice.recommendation}")
    print(f"Why: {advice.why}")
    print(f"See it: {advice.command}")
    return EXIT_OK
