"""What a comparison is made of: the modes and workloads it runs, a row per run, the result.

The modes and workloads are the workload scenario's own ``choices`` (read from its
``PARAMS``, as the catalog reads every scenario's), so the scenario stays the one place
that names them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tui import catalog
from tui.compare.predict import Verdict
from tui.compare.probe import Interpreter

SCENARIO = "workload"


def _choices(scenario: catalog.Scenario, name: str) -> tuple[str, ...]:
    choices = scenario.param(name).choices
    assert choices is not None, f"the {scenario.name} scenario's {name} has no choices"
    return tuple(map(str, choices))


# Read once, from the one file (the whole catalog takes several times longer to read).
_WORKLOAD = catalog.load_file(
    catalog.BUILTIN_DIR / f"{SCENARIO}.py", module=f"scenarios.{SCENARIO}"
)
MODES = _choices(_WORKLOAD, "mode")
WORKLOADS = _choices(_WORKLOAD, "workload")


@dataclass
class Row:
    mode: str
    python: str  # the interpreter's label (its version)
    python_path: str
    gil_enabled: bool
    outcome: str | None
    error: str | None
    elapsed_s: float
    wall_s: float
    speedup: float | None
    cpu_s: float
    cores_used: float | None
    gil_busy: float | None
    peak_rss_mb: float
    loop_lag_max_ms: float | None
    loop_stalled_s: float  # time the event loop was stuck in one step (a blocking call)
    other_load: float | None  # cores busy with work outside this run (machine minus run)
    predicted_speedup: float
    prediction: str
    verdict: Verdict
    note: str = ""


@dataclass
class CompareResult:
    workload: str
    params: dict[str, Any]
    cores: int
    interpreters: list[Interpreter]
    rows: list[Row] = field(default_factory=list)
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(r.outcome == "completed" for r in self.rows)

    def row(self, mode: str, python: str | None = None) -> Row:
        for row in self.rows:
            if row.mode == mode and (python is None or row.python == python):
                return row
        raise KeyError(mode)

    def to_dict(self) -> dict[str, Any]:
        return {
            "workload": self.workload,
            "params": self.params,
            "cores": self.cores,
            "interpreters": [asdict(i) for i in self.interpreters],
            "rows": [asdict(r) for r in self.rows],
            "interrupted": self.interrupted,
        }
