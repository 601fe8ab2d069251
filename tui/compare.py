"""The selection guide, measured: one workload run sequentially, with threads, processes and asyncio.

``compare()`` runs ``scenarios/workload.py`` once per mode (and per
interpreter), one run after another, each in its own runner process exactly
like ``concur-tui run``, and builds a table: elapsed time, speed-up over
sequential, cores used, GIL busy, peak memory, and next to them what the
guide predicts and whether the measurement agrees.

Sources of each figure (nothing here is animated or assumed):

- ``elapsed_s``: the runner's own clock from ``run_start`` to ``run_end``: the
  mode's whole run, including creating the pool, starting its worker
  processes and shutting them down. ``wall_s`` adds what every mode pays
  alike: starting the runner interpreter and its instrumentation.
- ``cores_used``: the CPU seconds of the runner and every process it started
  (``RunModel.scenario_cpu_s``) divided by ``elapsed_s``.
- ``gil_busy``: the runner process's GIL probe, mean over the run (workers in
  a process pool each have their own GIL, which is not probed).
- ``peak_rss_mb``: the highest sum of resident memory over the runner's
  process tree (``RunModel.peak_rss_bytes``, from the supervisor's /proc
  samples every 100 ms).

The prediction is the guide's rule of thumb turned into numbers from the
parameters (not from any measurement): see ``predict()``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from tui import catalog
from tui.catalog import UsageError
from tui.model.run import RunModel
from tui.model.summary import summarize
from tui.supervisor.headless import run_headless
from tui.supervisor.session import PROJECT_ROOT

SCENARIO = "workload"
MODES = ("sequential", "threads", "processes", "asyncio")
WORKLOADS = ("io", "cpu", "mixed")
MIN_PYTHON = (3, 11)
PROBE_TIMEOUT_S = 30.0
# A measured speed-up "agrees" with the prediction within this factor either way.
AGREE_FACTOR = 1.35
# Other work on the machine (cores, on average over a run) from which a row carries a warning.
BUSY_MACHINE_CORES = 0.5

ProgressCallback = Callable[[str, RunModel], None]
RowCallback = Callable[["Row"], None]


# -- interpreters -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Interpreter:
    path: str
    version: str
    implementation: str
    gil_enabled: bool
    free_threaded_build: bool
    label: str = ""

    @property
    def gil_text(self) -> str:
        if self.gil_enabled:
            return "GIL"
        return "no GIL"


# Plain enough to run (and answer) on any Python, so an old one is named rather than crashing.
_PROBE = """\
import sys, json, platform, sysconfig
info = {
    "version": platform.python_version(),
    "implementation": platform.python_implementation(),
    "gil_enabled": bool(getattr(sys, "_is_gil_enabled", lambda: True)()),
    "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "executable": sys.executable,
}
if tuple(sys.version_info[:2]) >= MIN_PYTHON:
    import tui.runner.main
print("CONCUR-PROBE " + json.dumps(info))
""".replace("MIN_PYTHON", repr(MIN_PYTHON))


def probe_python(path: str) -> Interpreter:
    """What ``path`` is, checked by running the runner's imports under it; UsageError if unusable."""
    resolved = path if os.sep in path else (shutil.which(path) or path)
    where = f"--python {path}"
    if not os.path.exists(resolved):
        raise UsageError(f"{where}: no such file")
    if os.path.isdir(resolved):
        raise UsageError(f"{where}: is a folder, not a Python interpreter")
    if not os.access(resolved, os.X_OK):
        raise UsageError(f"{where}: not executable")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (PROJECT_ROOT, env.get("PYTHONPATH")) if p)
    try:
        done = subprocess.run(
            [resolved, "-c", _PROBE],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=PROBE_TIMEOUT_S,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise UsageError(f"{where}: did not answer within {PROBE_TIMEOUT_S:.0f} s") from None
    except OSError as exc:
        raise UsageError(f"{where}: cannot run it: {exc.strerror or exc}") from None
    answer = next((ln for ln in done.stdout.splitlines() if ln.startswith("CONCUR-PROBE ")), None)
    if answer is None:
        last = (done.stderr.strip().splitlines() or [""])[-1].strip()
        if "Traceback" in done.stderr or "Error" in last:
            raise UsageError(f"{where}: cannot run the runner: {last}")
        first = (done.stderr.strip().splitlines() or [""])[0].strip()
        said = f"; it said: {first[:80]}" if first else ""
        raise UsageError(f"{where}: not a Python interpreter (no answer to a Python probe{said})")
    info = json.loads(answer.split(" ", 1)[1])
    major, minor = (int(x) for x in info["version"].split(".")[:2])
    if (major, minor) < MIN_PYTHON:
        need = ".".join(map(str, MIN_PYTHON))
        raise UsageError(f"{where}: Python {info['version']} is too old (the runner needs {need}+)")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        raise UsageError(f"{where}: cannot run the runner: {last}")
    return Interpreter(
        path=os.path.abspath(resolved),
        version=info["version"],
        implementation=info["implementation"],
        gil_enabled=info["gil_enabled"],
        free_threaded_build=info["free_threaded_build"],
    )


def _labelled(interpreters: list[Interpreter]) -> list[Interpreter]:
    """Give each interpreter a short label: its version, plus a number if two share one."""
    labelled = []
    for i, interp in enumerate(interpreters):
        base = interp.version + ("t" if interp.free_threaded_build else "")
        same = [x for x in interpreters if x.version == interp.version]
        label = base if len(same) == 1 else f"{base}#{i + 1}"
        labelled.append(Interpreter(**{**asdict(interp), "label": label}))
    return labelled


# -- the guide's prediction -------------------------------------------------------------------
@dataclass(frozen=True)
class Prediction:
    speedup: float
    reason: str


def predict(
    workload: str,
    mode: str,
    tasks: int,
    io_s: float,
    cpu_s: float,
    cores: int,
    gil_enabled: bool = True,
) -> Prediction:
    """The guide's rule of thumb as a speed-up over sequential, from the parameters alone.

    Each task waits ``io_s`` and/or computes ``cpu_s``. Sequentially they add
    up. Waits overlap under threads and asyncio; computing holds the GIL, so
    threads take turns (unless the interpreter has no GIL) and asyncio's
    coroutines, which compute without awaiting, block the loop and run one
    after another. A process pool has one worker per core (the guide's
    ``Pool()``), so the tasks run in ceil(tasks / workers) rounds. Start-up
    costs are not predicted: they are what the measurement adds.
    """
    wait = io_s if workload in ("io", "mixed") else 0.0
    work = cpu_s if workload in ("cpu", "mixed") else 0.0
    workers = max(1, min(tasks, cores))
    rounds = math.ceil(tasks / workers)
    sequential = tasks * (wait + work)
    if mode == "sequential":
        return Prediction(1.0, "the baseline: one task after another")
    if mode == "threads" and gil_enabled:
        expected = wait + tasks * work
        reason = {
            "io": "I/O-bound: the waits overlap",
            "cpu": "CPU-bound: the GIL lets one thread run Python at a time",
            "mixed": "the waits overlap; the computing takes turns on the GIL",
        }[workload]
    elif mode == "threads":
        expected = wait + rounds * work
        reason = "no GIL: the waits overlap and the computing spreads over the cores"
    elif mode == "asyncio":
        expected = wait + tasks * work
        reason = {
            "io": "I/O-bound: the waits overlap on one event loop",
            "cpu": "computing inside coroutines blocks the loop: one after another",
            "mixed": "the waits overlap; the computing blocks the loop, one after another",
        }[workload]
    elif mode == "processes":
        expected = rounds * (wait + work)
        reason = f"{workers} worker processes (one per core), each with its own GIL"
        if workload == "io":
            reason = f"{workers} worker processes: only {workers} waits overlap at a time"
    else:
        raise ValueError(f"unknown mode {mode!r}")
    speedup = sequential / expected if expected > 0 else 1.0
    return Prediction(round(speedup, 2), reason)


def verdict(measured: float | None, predicted: float) -> str:
    if measured is None or measured <= 0:
        return "n/a"
    ratio = measured / predicted
    return "agrees" if 1 / AGREE_FACTOR <= ratio <= AGREE_FACTOR else "differs"


# -- one run ----------------------------------------------------------------------------------
@dataclass
class Measured:
    model: RunModel
    wall_s: float


def run_once(
    scenario: catalog.Scenario,
    params: dict[str, Any],
    python: str | None = None,
    on_batch: Callable[[RunModel], None] | None = None,
    stop: threading.Event | None = None,
) -> Measured:
    """One headless run, with the wall time from launching the runner to its end.

    Raises KeyboardInterrupt when the run was interrupted (Ctrl-C keeps the rows so far)."""
    model = RunModel(clock=time.perf_counter_ns)
    launched = time.perf_counter_ns()
    ended: list[int] = []

    def on_events(batch: list[Any]) -> None:
        ended.extend(e["t"] for e in batch if e.get("e") == "supervisor_end")
        if on_batch is not None:
            on_batch(model)

    _, interrupted = run_headless(
        scenario, params, python=python, on_events=on_events, stop=stop, model=model
    )
    if interrupted:
        raise KeyboardInterrupt
    wall_s = ((ended[0] if ended else time.perf_counter_ns()) - launched) / 1e9
    return Measured(model, wall_s)


# -- the comparison ---------------------------------------------------------------------------
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
    verdict: str
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

    def table(self) -> str:
        return format_table(self)


def resolve_params(workload: str, settings: list[str] | dict[str, Any] | None) -> dict[str, Any]:
    """The workload scenario's parameters, with the ones compare chooses itself refused."""
    if workload not in WORKLOADS:
        raise UsageError(f"--workload must be one of {', '.join(WORKLOADS)}, not {workload!r}")
    scenario = catalog.find(SCENARIO)
    items = (
        settings.items()
        if isinstance(settings, dict)
        else [s.partition("=")[::2] for s in settings or []]
    )
    for name, _ in items:
        if name.strip() == "mode":
            raise UsageError("compare runs every mode itself: --set mode is not allowed")
        if name.strip() == "workload":
            raise UsageError("choose the workload with --workload, not --set workload=")
    params = scenario.resolve(settings)
    params["workload"] = workload
    return params


def compare(
    workload: str = "io",
    params: dict[str, Any] | list[str] | None = None,
    pythons: Sequence[str] | None = None,
    modes: Sequence[str] = MODES,
    on_progress: ProgressCallback | None = None,
    on_row: RowCallback | None = None,
    stop: threading.Event | None = None,
) -> CompareResult:
    """Run the workload in each mode under each interpreter, one run at a time.

    ``params`` are the workload scenario's parameters (``tasks``, ``io_s``,
    ``cpu_work``; a dict or ``key=value`` strings). ``pythons`` are
    interpreter paths (default: this one). ``on_progress(mode, model)`` is
    called from this thread after every batch of events with the live model;
    ``on_row(row)`` when a mode's run has ended. Setting ``stop`` cancels the
    current run and skips the rest. Raises UsageError for bad input
    (unknown mode, parameter or interpreter) before anything runs.
    """
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise UsageError(
            f"modes must be among {', '.join(MODES)}, not {', '.join(unknown) or 'none'}"
        )
    ordered_modes = [m for m in MODES if m in modes]
    resolved = resolve_params(workload, params)
    interpreters = _labelled([probe_python(p) for p in (pythons or [sys.executable])])
    scenario = catalog.find(SCENARIO)
    cores = os.cpu_count() or 1
    result = CompareResult(
        workload, {k: v for k, v in resolved.items() if k != "mode"}, cores, interpreters
    )
    for interp in interpreters:
        baseline: float | None = None
        for mode in ordered_modes:
            if stop is not None and stop.is_set():
                result.interrupted = True
                return _sorted(result)
            callback = (lambda model, mode=mode: on_progress(mode, model)) if on_progress else None
            try:
                measured = run_once(
                    scenario, {**resolved, "mode": mode}, interp.path, callback, stop
                )
            except KeyboardInterrupt:  # Ctrl-C: the run was killed; keep the rows so far
                result.interrupted = True
                return _sorted(result)
            if stop is not None and stop.is_set():  # cancelled: like Ctrl-C, no row for it
                result.interrupted = True
                return _sorted(result)
            row = _row(result, interp, mode, measured)
            if mode == "sequential" and row.outcome == "completed":
                baseline = row.elapsed_s
            _fill_speedup(row, baseline)
            result.rows.append(row)
            if on_row is not None:
                on_row(row)
    return _sorted(result)


def _sorted(result: CompareResult) -> CompareResult:
    order = {i.label: n for n, i in enumerate(result.interpreters)}
    result.rows.sort(key=lambda r: (MODES.index(r.mode), order.get(r.python, 0)))
    return result


def _row(result: CompareResult, interp: Interpreter, mode: str, measured: Measured) -> Row:
    model = measured.model
    summary = summarize(model)
    params = result.params
    gil_enabled = bool(model.info.get("gil_enabled", interp.gil_enabled))
    prediction = predict(
        result.workload,
        mode,
        params["tasks"],
        params["io_s"],
        params["cpu_work"],
        int(model.info.get("cores") or result.cores),
        gil_enabled,
    )
    elapsed = summary["elapsed_s"]
    cpu_s = summary["cpu"]["scenario_cpu_s"]
    loop = summary["loop_lag_ms"]
    machine = sum(summary["cpu"]["mean_percent_per_core"]) / 100
    cores_used = cpu_s / elapsed if elapsed > 0 else None
    other = round(max(0.0, machine - cores_used), 2) if cores_used is not None and machine else None
    return Row(
        mode=mode,
        python=interp.label,
        python_path=interp.path,
        gil_enabled=gil_enabled,
        outcome=summary["outcome"],
        error=summary["error"],
        elapsed_s=round(elapsed, 3),
        wall_s=round(measured.wall_s, 3),
        speedup=None,
        cpu_s=round(cpu_s, 3),
        cores_used=None if cores_used is None else round(cores_used, 2),
        gil_busy=summary["gil"]["busy_mean"],
        peak_rss_mb=round(measured.model.peak_rss_bytes / 2**20, 1),
        loop_lag_max_ms=loop["max"] if loop else None,
        loop_stalled_s=round(sum(st["duration_s"] or 0.0 for st in summary["stalls"]), 3),
        other_load=other,
        predicted_speedup=prediction.speedup,
        prediction=prediction.reason,
        verdict="n/a",
    )


def _fill_speedup(row: Row, baseline: float | None) -> None:
    if row.outcome != "completed":
        row.verdict = "failed"
        row.note = row.error or "the run did not complete"
        return
    if row.other_load is not None and row.other_load >= BUSY_MACHINE_CORES:
        row.note = (
            f"the machine was busy with other work (~{row.other_load:.1f} cores on average):"
            " times may be disturbed; run again when it is quiet. "
        )
    if baseline is None or row.elapsed_s <= 0:
        return
    row.speedup = round(baseline / row.elapsed_s, 2)
    row.verdict = "-" if row.mode == "sequential" else verdict(row.speedup, row.predicted_speedup)
    if row.verdict == "differs":
        expected_s = baseline / row.predicted_speedup
        extra = row.elapsed_s - expected_s
        if extra > 0 and row.mode == "processes":
            row.note += f"{extra:.2f} s more than predicted: starting and stopping worker processes"
        elif extra > 0:
            row.note += f"{extra:.2f} s more than predicted"
        else:
            row.note += f"{-extra:.2f} s less than predicted"
    row.note = row.note.strip()


# -- text -------------------------------------------------------------------------------------
COLUMNS = (
    ("mode", "<"),
    ("python", "<"),
    ("elapsed", ">"),
    ("wall", ">"),
    ("speed-up", ">"),
    ("predicted", ">"),
    ("verdict", "<"),
    ("cores", ">"),
    ("GIL busy", ">"),
    ("peak MB", ">"),
)


def _cells(row: Row) -> list[str]:
    def num(value: float | None, fmt: str) -> str:
        return "-" if value is None else format(value, fmt)

    return [
        row.mode,
        f"{row.python} {'GIL' if row.gil_enabled else 'no-GIL'}",
        f"{row.elapsed_s:.2f} s",
        f"{row.wall_s:.2f} s",
        "-" if row.speedup is None else f"{row.speedup:.2f}x",
        f"~{row.predicted_speedup:.1f}x",
        row.verdict,
        num(row.cores_used, ".2f"),
        num(row.gil_busy, ".2f"),
        f"{row.peak_rss_mb:.0f}",
    ]


def format_table(result: CompareResult) -> str:
    shown = ", ".join(f"{k}={v}" for k, v in result.params.items() if k != "workload")
    lines = [f"compare: {result.workload} workload, {shown}; {result.cores} cores"]
    for interp in result.interpreters:
        lines.append(
            f"  python {interp.label}: {interp.implementation}, {interp.gil_text}"
            f"{' (free-threaded build)' if interp.free_threaded_build else ''}  {interp.path}"
        )
    lines.append("")
    cells = [[name for name, _ in COLUMNS]] + [_cells(r) for r in result.rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    for row in cells:
        parts = [f"{c:{align}{w}}" for c, (_, align), w in zip(row, COLUMNS, widths, strict=True)]
        lines.append("  ".join(parts).rstrip())
    lines += ["", "The guide's prediction (speed-up over sequential):"]
    seen: set[tuple[str, str]] = set()
    for row in result.rows:
        if (row.mode, row.prediction) in seen or row.mode == "sequential":
            continue
        seen.add((row.mode, row.prediction))
        lines.append(f"  {row.mode:<10} ~{row.predicted_speedup:.1f}x  {row.prediction}")
    notes = [r for r in result.rows if r.note]
    if notes:
        lines += ["", "Notes:"]
        lines += [f"  {r.mode} ({r.python}): {r.note}" for r in notes]
    if result.interrupted:
        lines += ["", "interrupted: the remaining runs were skipped"]
    return "\n".join(lines)


# -- which should I use? ----------------------------------------------------------------------
MANY_TASKS = 100  # from here on, one OS thread per wait gets costly: asyncio
DEMO_TASKS = 8  # cap for the comparison a piece of advice opens (it runs every mode)


@dataclass(frozen=True)
class Advice:
    recommendation: str  # "threads or asyncio" | "asyncio" | "processes" | "sequential"
    why: str
    open_kind: str  # "compare" or "scenario": what demonstrates it
    open_target: str  # the workload (for compare) or the scenario name
    open_params: dict[str, Any] = field(default_factory=dict)

    @property
    def command(self) -> str:
        sets = " ".join(f"--set {k}={v}" for k, v in self.open_params.items())
        if self.open_kind == "compare":
            return f"concur-tui compare --workload {self.open_target} {sets}".rstrip()
        return f"concur-tui watch {self.open_target} {sets}".rstrip()


def advise(dominant: str, tasks: int) -> Advice:
    """The guide's Step 1 ("classify the workload type first") and its rule of thumb.

    ``dominant``: what most of the time goes to, "waiting" (network, disk,
    APIs), "computing" (heavy pure-Python computation) or "both".
    """
    if dominant not in ("waiting", "computing", "both"):
        raise UsageError(f"dominant must be waiting, computing or both, not {dominant!r}")
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
