"""The typed summary: ``to_json()`` is the documented ``run --json`` shape, in plain JSON data."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from tui.events import dumps_strict
from tui.model.summary import summarize
from tui.recording import load_model

FIXTURES = Path(__file__).parent / "fixtures"
# The README's list ("`run --json` prints ..."), in its order.
TOP = [
    "scenario", "params", "python", "outcome", "error", "elapsed_s", "sequential_s", "speedup",
    "cores_busy", "attribution", "attribution_reason", "stdout", "dropped", "stderr", "tasks",
    "cpu", "memory", "gil", "loop_lag_ms", "stalls",
]  # fmt: skip
TASK = [
    "id", "name", "kind", "outcome", "start_s", "end_s", "running_s", "sleeping_s", "io_s",
    "blocked_s", "queued_s", "core_wait_s", "waiting_s", "gil_wait_s", "why", "error",
    "traceback", "cancelled_by", "cores", "pid", "tid", "parent", "worker",
]  # fmt: skip


def plain(value: Any) -> bool:
    """Only what JSON has: dicts with string keys, lists, strings, numbers, booleans, null."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    return value is None or isinstance(value, str | int | float | bool)


@pytest.mark.parametrize("name", ["blocking_in_async", "cancel_taskgroup", "cpu_threads"])
def test_to_json_is_the_documented_shape_in_plain_json(name: str) -> None:
    summary = summarize(load_model(FIXTURES / f"{name}.jsonl")[1])
    data = summary.to_json()
    assert plain(data)
    assert list(data) == TOP
    assert data["tasks"] and all(list(task) == TASK for task in data["tasks"])
    assert all(len(reason) == 3 for task in data["tasks"] for reason in task["why"])
    assert set(data["cpu"]) == {
        "cores", "mean_percent_per_core", "scenario_cpu_s", "startup_cpu_s", "kernel_cpu_s",
        "cores_used", "load_cores",
    }  # fmt: skip
    assert set(data["gil"]) == {
        "enabled", "contended", "busy_mean", "busy_max", "wait_p50_ms", "wait_p99_ms",
        "samples", "sampler_cpu_s", "sweeps", "late_sweeps",
    }  # fmt: skip
    assert json.loads(dumps_strict(data)) == data


def test_what_a_blocked_loop_shows_reads_as_attributes() -> None:
    summary = summarize(load_model(FIXTURES / "blocking_in_async.jsonl")[1])
    assert summary.loop_lag_ms is not None and summary.stalls
    data = summary.to_json()
    assert data["loop_lag_ms"] == {"max": summary.loop_lag_ms.max, "p95": summary.loop_lag_ms.p95}
    assert data["stalls"][0]["code"] == summary.stalls[0].code
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.outcome = "failed"  # type: ignore[misc]
