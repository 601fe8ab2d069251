"""The headless summary of a run: one JSON object, or readable text with a timeline row per task."""

from __future__ import annotations

from typing import Any

from tui.events import DROP_WORDS
from tui.model.run import STATES, RunModel

TIMELINE_WIDTH = 50
STATE_CHAR = {"running": "█", "waiting": "▒", "sleeping": "·", "blocked": "-"}
OUTCOME_MARK = {"done": "✓", "error": "✗", "timeout": "◔", "cancelled": "⊘", None: "…"}


def sequential_estimate(model: RunModel) -> float:
    """What the leaf tasks would take one after another.

    Each leaf's own time is its life minus the time it spent waiting (for the
    GIL, the loop or a core), which only exists because others ran beside it.
    Leaves are tasks other than the main thread that start no other task, so a
    parent awaiting its children is not counted twice.
    """
    now = model.now()
    parents = {t.parent for t in model.tasks.values() if t.parent}
    return sum(
        task.duration(now) - task.time_in(now)["waiting"]
        for task in model.visible_tasks()
        if task.name != "MainThread" and task.id not in parents
    )


def summarize(model: RunModel) -> dict[str, Any]:
    now = model.now()
    start = model.started or 0.0
    cores = int(model.info.get("cores") or (len(model.cpu[-1][1]) if model.cpu else 0))
    samples = [per for _, per in model.cpu]
    mean_per_core = (
        [round(sum(s[i] for s in samples) / len(samples), 1) for i in range(len(samples[0]))]
        if samples
        else []
    )
    gil = model.gil_busy.values()
    tasks = []
    for task in model.visible_tasks():
        split = task.time_in(now)
        tasks.append(
            {
                "id": task.id,
                "name": task.label,
                "kind": task.kind,
                "outcome": task.outcome,
                "start_s": round(task.start - start, 4),
                "end_s": round((task.end if task.end is not None else now) - start, 4),
                "running_s": round(split["running"], 4),
                "sleeping_s": round(split["sleeping"], 4),
                "blocked_s": round(split["blocked"], 4),
                "waiting_s": round(split["waiting"], 4),
                "gil_wait_s": round(task.gil_wait_s(now), 4),
                "error": task.error,
                "traceback": task.traceback,
                "cancelled_by": task.cancelled_by,
                "cores": sorted(task.cores),
                "pid": task.pid,
                "tid": task.tid,
                "parent": task.parent,
            }
        )
    sequential = sequential_estimate(model)
    elapsed = model.elapsed
    return {
        "scenario": model.scenario,
        "params": model.params,
        "python": model.info.get("python"),
        "outcome": model.outcome,
        "error": model.error,
        "elapsed_s": round(elapsed, 4),
        "sequential_s": round(sequential, 4),
        "speedup": round(sequential / elapsed, 2) if elapsed > 0 else None,
        "stdout": model.stdout_text(),
        "dropped": dict(model.dropped),
        "stderr": model.stream_text("stderr"),
        "tasks": tasks,
        "cpu": {
            "cores": cores,
            "mean_percent_per_core": mean_per_core,
            "scenario_cpu_s": round(model.scenario_cpu_s, 4),
            "kernel_cpu_s": model.kernel_cpu_s,
            "cores_used": model.cores_used(),
        },
        "memory": {"peak_rss_mb": round(model.peak_rss_bytes / 2**20, 1)},
        "gil": {
            "busy_mean": round(sum(gil) / len(gil), 4) if gil else None,
            "busy_max": round(max(gil), 4) if gil else None,
            "wait_p50_ms": _round(model.gil_wait_ms(50)),
            "wait_p99_ms": _round(model.gil_wait_ms(99)),
            "samples": len(gil),
        },
        "loop_lag_ms": (
            {"max": _round(model.loop_lag_ms_at(100)), "p95": _round(model.loop_lag_ms_at(95))}
            if model.loop_lags_us
            else None
        ),
        "stalls": [
            {
                "start_s": round(s.t0 - start, 4),
                "duration_s": _round((s.t1 or now) - s.t0),
                "file": s.file,
                "line": s.line,
                "code": s.code,
            }
            for s in model.stalls
        ],
    }


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def text_row(model: RunModel, task_id: str, width: int = TIMELINE_WIDTH) -> str:
    """One task's life as characters over the run's time axis."""
    task = model.tasks[task_id]
    start, now = model.started or 0.0, model.now()
    cells = task.cells(start, max(now, start + 1e-9), width, now)
    return "".join(STATE_CHAR[c] if c else " " for c in cells)


def format_text(model: RunModel, summary: dict[str, Any]) -> str:
    lines = [
        f"{summary['scenario']}  {summary['params']}",
        f"outcome: {summary['outcome']}"
        + (f" ({summary['error']})" if summary["error"] else "")
        + f"   elapsed {summary['elapsed_s']:.2f} s"
        + f"   one after another ~{summary['sequential_s']:.2f} s"
        + (f"   speed-up x{summary['speedup']:.2f}" if summary["speedup"] else ""),
        "",
    ]
    names = [t["name"] for t in summary["tasks"]] or [""]
    name_width = min(28, max(len(n) for n in names))
    lines.append(
        f"{'task':<{name_width}}  {'0 s':<{TIMELINE_WIDTH // 2}}{summary['elapsed_s']:>{TIMELINE_WIDTH - TIMELINE_WIDTH // 2}.2f} s"
    )
    for task in summary["tasks"]:
        mark = OUTCOME_MARK.get(task["outcome"], "?")
        row = text_row(model, task["id"])
        detail = f"run {task['running_s']:.2f}s  gil {task['gil_wait_s']:.2f}s  sleep {task['sleeping_s']:.2f}s"
        lines.append(
            f"{task['name'][:name_width]:<{name_width}}  {row} {mark} {task['outcome'] or 'running'}  {detail}"
        )
        if task["error"]:
            lines.append(f"{'':<{name_width}}  error: {task['error']}")
        if task["cancelled_by"]:
            lines.append(f"{'':<{name_width}}  by: {model.describe_cause(task['cancelled_by'])}")
    legend = "  ".join(f"{STATE_CHAR[s]} {s}" for s in STATES)
    lines += ["", f"legend: {legend}   ✓ done ✗ error ◔ timeout ⊘ cancelled", ""]
    cpu, gil, loop = summary["cpu"], summary["gil"], summary["loop_lag_ms"]
    per_core = " ".join(f"{p:.0f}%" for p in cpu["mean_percent_per_core"])
    lines.append(
        f"CPU: {cpu['cores']} cores, mean per core [{per_core}], scenario used {cpu['scenario_cpu_s']:.2f} CPU-s"
    )
    if gil["busy_mean"] is not None:
        lines.append(
            f"GIL: busy mean {gil['busy_mean']:.2f}, max {gil['busy_max']:.2f};"
            f" acquire latency p50 {gil['wait_p50_ms']:.2f} ms, p99 {gil['wait_p99_ms']:.2f} ms"
        )
    if loop:
        lines.append(f"event loop lag: max {loop['max']:.1f} ms, p95 {loop['p95']:.1f} ms")
    for stall in summary["stalls"]:
        lines.append(
            f"  loop stalled {stall['duration_s'] * 1000:.0f} ms at {stall['file']}:{stall['line']}: {stall['code']}"
        )
    if summary["stdout"]:
        lines += ["", "stdout:", summary["stdout"].rstrip()]
    dropped = [
        f"{count:,} {DROP_WORDS[kind]}" for kind, count in summary["dropped"].items() if count
    ]
    if dropped:
        lines += ["", "concur-tui: " + ", ".join(dropped)]
    return "\n".join(lines)
