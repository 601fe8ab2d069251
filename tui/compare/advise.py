"""Which should I use? The guide's Step 1 ("classify the workload type first") as a function.

The same answer for ``concur-tui advise`` and the advisor screen, with what demonstrates it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from tui.catalog import UsageError

Dominant = Literal["waiting", "computing", "both"]  # what most of the tasks' time goes to
DOMINANTS: tuple[Dominant, ...] = get_args(Dominant)
Recommendation = Literal["threads or asyncio", "asyncio", "processes", "sequential"]
OpenKind = Literal["compare", "scenario"]  # what demonstrates the answer

MANY_TASKS = 100  # from here on, one OS thread per wait gets costly: asyncio
DEMO_TASKS = 8  # cap for the comparison a piece of advice opens (it runs every mode)


@dataclass(frozen=True)
class Advice:
    recommendation: Recommendation
    why: str
    open_kind: OpenKind
    open_target: str  # the workload (for compare) or the scenario name
    open_params: dict[str, Any] = field(default_factory=dict)

    @property
    def command(self) -> str:
        sets = " ".join(f"--set {k}={v}" for k, v in self.open_params.items())
        if self.open_kind == "compare":
            return f"concur-tui compare --workload {self.open_target} {sets}".rstrip()
        return f"concur-tui watch {self.open_target} {sets}".rstrip()

    def to_json(self) -> dict[str, Any]:
        """``concur-tui advise --json``."""
        return {
            "recommendation": self.recommendation,
            "why": self.why,
            "open": {
                "kind": self.open_kind,
                "target": self.open_target,
                "params": self.open_params,
            },
            "command": self.command,
        }


def advise(dominant: str, tasks: int) -> Advice:
    """The guide's Step 1 ("classify the workload type first") and its rule of thumb.

    ``dominant``: what most of the time goes to, "waiting" (network, disk,
    APIs), "computing" (heavy pure-Python computation) or "both".
    """
    if dominant not in DOMINANTS:
        raise UsageError(
            f"dominant must be {', '.join(DOMINANTS[:-1])} or {DOMINANTS[-1]}, not {dominant!r}"
        )
    if tasks < 1:
        raise UsageError(f"tasks must be at least 1, not {tasks}")
    workload = {"waiting": "io", "computing": "cpu", "both": "mixed"}[dominant]
    demo = min(tasks, DEMO_TASKS)
    if tasks == 1:
        return Advice(
            "sequential",
            "With one task there is nothing to overlap or spread over cores: every model "
            "takes about as long, and processes add their start-up. Concurrency adds "
            "complexity; measure first, and split the work into tasks if you can.",
            "compare",
            workload,
            {"tasks": 1},
        )
    if dominant == "waiting" and tasks >= MANY_TASKS:
        return Advice(
            "asyncio",
            f"I/O-bound, and many tasks ({tasks}): their waits overlap on one event loop and "
            "one thread, where threads would need an OS thread and a stack each. Use async "
            "libraries and keep blocking calls out of the coroutines.",
            "scenario",
            "many-tasks",
            {"tasks": min(tasks, 20000)},
        )
    if dominant == "waiting":
        return Advice(
            "threads or asyncio",
            f"I/O-bound: while one task waits the others run, so {tasks} waits take about as "
            "long as one. Threads fit code that calls ordinary blocking libraries; asyncio "
            "fits async libraries and many waits. Processes would also overlap them, but only "
            "one per core, and they pay their start-up.",
            "compare",
            workload,
            {"tasks": demo},
        )
    if dominant == "computing":
        return Advice(
            "processes",
            "CPU-bound: in CPython the GIL lets one thread run Python at a time, so threads "
            "take turns and bring no speed-up, and computing inside asyncio blocks the loop. "
            "A process pool runs one task per core, each with its own GIL.",
            "compare",
            workload,
            {"tasks": demo},
        )
    return Advice(
        "processes",
        "Both: the computing decides. Threads and asyncio overlap the waits, but the "
        "computing still takes turns on the GIL; a process pool overlaps both, one task per "
        "core. If the waits are long and the computing small, threads or asyncio catch up: "
        "measure both on your machine.",
        "compare",
        workload,
        {"tasks": demo},
    )
