"""Regenerate the demo recordings shipped in tui/demos (``concur-tui replay --demo NAME``).

Runs each built-in scenario headless with its default parameters, exactly as
``concur-tui run`` does, records every event the model is fed, checks that the
recording loads and gives the live run's summary, and saves ``tui/demos/<name>.jsonl``.

The CPU pane shows the whole machine, so a demo recorded while something else
keeps the cores busy would teach the wrong lesson: each run waits for a quiet
machine first, and is recorded again (up to 3 times) if others' CPU use during
it was more than ``MAX_FOREIGN_CORES`` of a core on average.

    .venv/bin/python bench/make_demos.py [NAME ...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import psutil

from tui import catalog
from tui.model.run import RunModel
from tui.model.summary import summarize
from tui.recording import Recorder, scenario_meta, summary_of_recording
from tui.supervisor.headless import run_headless

DEMOS = (
    "thread-sleep",
    "process-pool-squares",
    "async-gather",
    "wait-for-timeout",
    "cpu-threads",
    "cpu-processes",
    "blocking-in-async",
    "cancel-taskgroup",
    "gather-errors",
    "gil-convoy",
    "compare-io",
    "many-tasks",
    "workload",
)
OUT = Path(__file__).resolve().parents[1] / "tui" / "demos"
MAX_BYTES = 1 << 20
MAX_FOREIGN_CORES = 0.25  # others' mean CPU use during a demo run, in cores
QUIET_WAIT_S = 120
TRIES = 3


def wait_for_quiet(name: str) -> None:
    deadline = time.monotonic() + QUIET_WAIT_S
    while (busy := psutil.cpu_percent(interval=1.0) / 100 * psutil.cpu_count()) > MAX_FOREIGN_CORES:
        if time.monotonic() > deadline:
            raise SystemExit(f"{name}: the machine stayed busy ({busy:.1f} cores); try again later")
        print(f"{name}: waiting for a quiet machine ({busy:.1f} cores busy)", file=sys.stderr)


def foreign_cores(model: RunModel) -> float:
    """Mean CPU use (in cores) during the run by anything but the scenario's own processes."""
    if not model.cpu or model.elapsed <= 0:
        return 0.0
    machine = sum(sum(per) / 100 for _, per in model.cpu) / len(model.cpu)
    return max(0.0, machine - model.scenario_cpu_s / model.elapsed)


def record(name: str) -> tuple[Path, float]:
    for _ in range(TRIES):
        wait_for_quiet(name)
        result = record_once(name)
        if result is not None:
            return result
    raise SystemExit(f"{name}: others kept the machine busy in {TRIES} tries; not saving it")


def record_once(name: str) -> tuple[Path, float] | None:
    scenario = catalog.find(name)
    params = scenario.resolve([])
    recorder = Recorder(scenario_meta(scenario, params))
    model, _ = run_headless(scenario, params, on_events=recorder.extend)
    if model.outcome != "completed":
        raise SystemExit(f"{name}: the run ended {model.outcome} ({model.error}); not saving it")
    if (others := foreign_cores(model)) > MAX_FOREIGN_CORES:
        print(f"{name}: others used {others:.2f} cores during the run; again", file=sys.stderr)
        return None
    path = recorder.save(OUT / f"{name}.jsonl")
    if summary_of_recording(path) != summarize(model):
        raise SystemExit(f"{name}: the recording's summary differs from the live run's")
    if path.stat().st_size > MAX_BYTES:
        raise SystemExit(f"{name}: {path.stat().st_size} bytes, over the {MAX_BYTES} byte budget")
    return path, model.elapsed


def main(names: list[str]) -> int:
    for name in names or DEMOS:
        path, elapsed = record(name)
        print(f"{name:<22} {elapsed:6.2f} s  {path.stat().st_size / 1024:7.1f} KB  {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
