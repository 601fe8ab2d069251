"""Running the comparison: each mode under each interpreter, one headless run after another.

Sources of each figure (nothing here is animated or assumed):

- ``elapsed_s``: the runner's own clock from ``run_start`` to ``run_end``: the
  mode's whole run, including creating the pool, starting its worker
  processes and shutting them down. ``wall_s`` adds what every mode pays
  alike: starting the runner interpreter and its instrumentation.
- ``cores_used``: the CPU seconds of the runner and every process it started, from
  ``run_start`` on (``RunModel.scenario_cpu_s``), divided by ``elapsed_s`` (the
  summary's ``cores_busy``).
- ``other_load``: other programs' cores' worth over the run, apart from the run's
  processes and concur-tui's own (the summary's ``cpu.load_cores.other``).
- ``gil_busy``: the runner process's GIL probe, mean over the run (workers in
  a process pool each have their own GIL, which is not probed).
- ``peak_rss_mb``: the highest sum of resident memory over the runner's
  process tree (``RunModel.peak_rss_bytes``, from the supervisor's /proc
  samples every 100 ms).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tui import catalog
from tui.catalog import UsageError
from tui.compare.predict import predict, verdict
from tui.compare.probe import Interpreter, labelled, probe_python
from tui.compare.result import MODES, SCENARIO, WORKLOADS, CompareResult, Row
from tui.model.run import RunModel
from tui.model.summary import summarize
from tui.supervisor.headless import run_headless

# Other work on the machine (cores, on average over a run) from which a row carries a warning.
BUSY_MACHINE_CORES = 0.5

ProgressCallback = Callable[[str, RunModel], None]
RowCallback = Callable[[Row], None]


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
    interpreters = labelled([probe_python(p) for p in (pythons or [sys.executable])])
    scenario = catalog.find(SCENARIO)
    cores = os.cpu_count() or 1
    result = CompareResult(
        workload, {k: v for k, v in resolved.items() if k != "mode"}, cores, interpreters
    )
    for interp in interpreters:
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
            row = add_row(result, interp, mode, measured)
            if on_row is not None:
                on_row(row)
    return _sorted(result)


def _sorted(result: CompareResult) -> CompareResult:
    order = {i.label: n for n, i in enumerate(result.interpreters)}
    result.rows.sort(key=lambda r: (MODES.index(r.mode), order.get(r.python, 0)))
    return result


def add_row(result: CompareResult, interp: Interpreter, mode: str, measured: Measured) -> Row:
    """The row of one finished run, added to ``result``: its figures, the prediction, and the
    speed-up over the sequential run of the same interpreter (once that has completed)."""
    row = _measured_row(result, interp, mode, measured)
    baseline = next(
        (
            r.elapsed_s
            for r in [*result.rows, row]
            if r.mode == "sequential" and r.python == row.python and r.outcome == "completed"
        ),
        None,
    )
    _fill_speedup(row, baseline)
    result.rows.append(row)
    return row


def _measured_row(result: CompareResult, interp: Interpreter, mode: str, measured: Measured) -> Row:
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
    elapsed = summary.elapsed_s
    cpu_s = summary.cpu.scenario_cpu_s
    cores_used = summary.cores_busy
    load = summary.cpu.load_cores
    other = None if load is None else round(load.other, 2)
    return Row(
        mode=mode,
        python=interp.label,
        python_path=interp.path,
        gil_enabled=gil_enabled,
        outcome=summary.outcome,
        error=summary.error,
        elapsed_s=round(elapsed, 3),
        wall_s=round(measured.wall_s, 3),
        speedup=None,
        cpu_s=round(cpu_s, 3),
        cores_used=None if cores_used is None else round(cores_used, 2),
        gil_busy=summary.gil.busy_mean,
        peak_rss_mb=round(model.peak_rss_bytes / 2**20, 1),
        loop_lag_max_ms=summary.loop_lag_ms.max if summary.loop_lag_ms else None,
        loop_stalled_s=round(sum(st.duration_s or 0.0 for st in summary.stalls), 3),
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
