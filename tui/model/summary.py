"""The headless summary of a run: a typed ``Summary``, whose ``to_json()`` is what ``run --json``
prints and recordings replay to, or readable text with a timeline row per task."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from typing import Any, NamedTuple

from tui.events import DROP_WORDS, Attribution, Cause, DropKind, TaskKind, TaskState
from tui.marks import OUTCOME_MARKS, outcome_glyphs, state_glyphs
from tui.model.run import STATES, RunModel, Task

TIMELINE_WIDTH = 50
STATE_CHAR = state_glyphs()
OUTCOME_MARK = outcome_glyphs()
OUTCOME_MARK[TaskState.QUEUED] = STATE_CHAR[TaskState.QUEUED]  # not started, so no outcome yet
# A work item's own time: what it would still take with the machine to itself.
SERVICE = (TaskState.RUNNING, TaskState.SLEEPING, TaskState.IO)


def hosts(model: RunModel) -> set[str]:
    """Threads that ran other tasks (a pool's calls, an event loop's tasks): their time is
    their tasks' time, so it is not counted twice."""
    found = {t.worker for t in model.tasks.values() if t.worker}
    loops = {(t.pid, t.tid) for t in model.tasks.values() if t.kind == TaskKind.ASYNC}
    found |= {
        t.id
        for t in model.tasks.values()
        if t.kind == TaskKind.THREAD and (t.pid, t.tid) in loops and t.tid
    }
    return found


def service_s(task: Task, now: float) -> float:
    """A task's own time: running, sleeping, I/O (an asyncio task: its steps, blocking calls
    inside them included, and its sleeps) — never queue, GIL, run-queue or loop wait."""
    split = task.time_in(now)
    if task.kind == TaskKind.ASYNC:
        return sum(t1 - t0 for t0, t1 in task.steps) + split[TaskState.SLEEPING]
    return sum(split[state] for state in SERVICE)


def sequential_estimate(model: RunModel) -> float | None:
    """What the work items would take one after another: the sum of their service times.

    None where there is nothing to sum (no work measured yet), so no speed-up is claimed.
    """
    now = model.now()
    skip = hosts(model)
    total = sum(service_s(t, now) for t in model.visible_tasks() if t.id not in skip)
    return total if total > 0 else None


def speedup(model: RunModel, sequential: float | None) -> float | None:
    elapsed = model.elapsed
    return sequential / elapsed if sequential is not None and elapsed > 0 else None


def cores_busy(model: RunModel) -> float | None:
    """What was measured beside the estimate: the scenario's CPU seconds per elapsed second."""
    elapsed = model.elapsed
    return model.scenario_cpu_s / elapsed if elapsed > 0 else None


def why(task: Task, now: float, top: int = 4) -> list[Reason]:
    """The largest reasons a task was not running."""
    totals = [kv for kv in task.time_by_reason(now).items() if kv[0][0] != TaskState.RUNNING]
    ranked = sorted(totals, key=lambda kv: -kv[1])[:top]
    return [Reason(str(state), what, round(s, 4)) for (state, what), s in ranked if s >= 0.0005]


def cpu_mean_per_core(model: RunModel) -> list[float]:
    """Each core's busy percentage, averaged over the run's samples."""
    samples = [per for _, per in model.cpu]
    if not samples:
        return []
    return [sum(s[i] for s in samples) / len(samples) for i in range(len(samples[0]))]


# -- the summary, typed; ``to_json()`` is the shape ``run --json`` prints -----------------------
class Reason(NamedTuple):
    """One reason a task was not running, and for how long (``[state, what, seconds]``)."""

    state: str
    what: str
    seconds: float


@dataclass(frozen=True)
class TaskSummary:
    id: str
    name: str
    kind: str
    outcome: str | None
    start_s: float
    end_s: float
    running_s: float
    sleeping_s: float
    io_s: float
    blocked_s: float
    queued_s: float
    core_wait_s: float
    waiting_s: float
    gil_wait_s: float
    why: tuple[Reason, ...]
    error: str | None
    traceback: str | None
    cancelled_by: Cause | None
    cores: tuple[int, ...]
    pid: int
    tid: int | None
    parent: str | None
    worker: str | None


@dataclass(frozen=True)
class LoadCores:
    """Cores' worth, on average: the run's processes, concur-tui itself, all others."""

    run: float
    tool: float
    other: float


@dataclass(frozen=True)
class CpuSummary:
    cores: int
    mean_percent_per_core: tuple[float, ...]
    scenario_cpu_s: float
    startup_cpu_s: float | None
    kernel_cpu_s: float | None
    cores_used: tuple[int, ...]
    load_cores: LoadCores | None


@dataclass(frozen=True)
class MemorySummary:
    peak_rss_mb: float


@dataclass(frozen=True)
class GilSummary:
    enabled: bool
    contended: float | None
    busy_mean: float | None
    busy_max: float | None
    wait_p50_ms: float | None
    wait_p99_ms: float | None
    samples: int
    sampler_cpu_s: float
    sweeps: int  # the kernel sampler's, and how many of them came late (a starved sampler)
    late_sweeps: int


@dataclass(frozen=True)
class LoopLag:
    max: float | None
    p95: float | None


@dataclass(frozen=True)
class StallSummary:
    start_s: float
    duration_s: float | None
    file: str
    line: int
    code: str


@dataclass(frozen=True)
class Summary:
    """A run's headless summary: what ``run --json`` prints and a recording replays to."""

    scenario: str
    params: dict[str, Any]
    python: str | None
    outcome: str | None
    error: str | None
    elapsed_s: float
    sequential_s: float | None
    speedup: float | None
    cores_busy: float | None
    attribution: Attribution | None
    attribution_reason: str | None
    stdout: str
    dropped: dict[DropKind, int]
    stderr: str
    tasks: tuple[TaskSummary, ...]
    cpu: CpuSummary
    memory: MemorySummary
    gil: GilSummary
    loop_lag_ms: LoopLag | None
    stalls: tuple[StallSummary, ...]

    def to_json(self) -> dict[str, Any]:
        """Plain dicts and lists, keys in field order: the JSON summary's documented shape."""
        return _plain(self)


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def summarize(model: RunModel) -> Summary:
    now = model.now()
    start = model.started or 0.0
    cores = int(model.info.get("cores") or (len(model.cpu[-1][1]) if model.cpu else 0))
    gil = model.gil_busy.values()
    tasks = []
    for task in model.visible_tasks():
        split = task.time_in(now)
        tasks.append(
            TaskSummary(
                id=task.id,
                name=task.label,
                kind=task.kind,
                outcome=task.outcome,
                start_s=round(task.start - start, 4),
                end_s=round((task.end if task.end is not None else now) - start, 4),
                running_s=round(split[TaskState.RUNNING], 4),
                sleeping_s=round(split[TaskState.SLEEPING], 4),
                io_s=round(split[TaskState.IO], 4),
                blocked_s=round(split[TaskState.BLOCKED], 4),
                queued_s=round(split[TaskState.QUEUED], 4),
                core_wait_s=round(split[TaskState.CORE], 4),
                waiting_s=round(split[TaskState.WAITING], 4),
                gil_wait_s=round(task.gil_wait_s(now), 4),
                why=tuple(why(task, now)),
                error=task.error,
                traceback=task.traceback,
                cancelled_by=task.cancelled_by,
                cores=tuple(sorted(task.cores)),
                pid=task.pid,
                tid=task.tid,
                parent=task.parent,
                worker=task.worker,
            )
        )
    sequential = sequential_estimate(model)
    load = model.load_split()
    return Summary(
        scenario=model.scenario,
        params=model.params,
        python=model.info.get("python"),
        outcome=model.outcome,
        error=model.error,
        elapsed_s=round(model.elapsed, 4),
        sequential_s=_round(sequential, 4),
        speedup=_round(speedup(model, sequential), 2),
        cores_busy=_round(cores_busy(model), 2),
        attribution=model.attribution,
        attribution_reason=model.attribution_reason,
        stdout=model.stdout_text(),
        dropped=dict(model.dropped),
        stderr=model.stream_text("stderr"),
        tasks=tuple(tasks),
        cpu=CpuSummary(
            cores=cores,
            mean_percent_per_core=tuple(round(p, 1) for p in cpu_mean_per_core(model)),
            scenario_cpu_s=round(model.scenario_cpu_s, 4),
            startup_cpu_s=_round(model.startup_cpu_s, 4),
            kernel_cpu_s=model.kernel_cpu_s,
            cores_used=tuple(model.cores_used()),
            load_cores=(
                LoadCores(run=round(load[0], 3), tool=round(load[1], 3), other=round(load[2], 3))
                if load
                else None
            ),
        ),
        memory=MemorySummary(peak_rss_mb=round(model.peak_rss_bytes / 2**20, 1)),
        gil=GilSummary(
            enabled=model.gil_enabled,
            contended=_round(model.gil_contended_mean, 4),
            busy_mean=round(model.gil_busy.mean(), 4) if gil else None,
            busy_max=round(model.gil_busy.max(), 4) if gil else None,
            wait_p50_ms=_round(model.gil_wait_ms(50)),
            wait_p99_ms=_round(model.gil_wait_ms(99)),
            samples=len(gil),
            sampler_cpu_s=round(model.sampler_cpu_s, 4),
            sweeps=model.sweeps[0],
            late_sweeps=model.sweeps[1],
        ),
        loop_lag_ms=(
            LoopLag(max=_round(model.loop_lag_ms_at(100)), p95=_round(model.loop_lag_ms_at(95)))
            if model.loop_lags_us
            else None
        ),
        stalls=tuple(
            StallSummary(
                start_s=round(s.t0 - start, 4),
                duration_s=_round((s.t1 or now) - s.t0),
                file=s.file,
                line=s.line,
                code=s.code,
            )
            for s in model.stalls
        ),
    )


def _round(value: float | None, digits: int = 3) -> float | None:
    """Rounded, keeping None (no measurement) apart from 0."""
    return None if value is None else round(value, digits)


def text_row(model: RunModel, task_id: str, width: int = TIMELINE_WIDTH) -> str:
    """One task's life as characters over the run's time axis."""
    task = model.tasks[task_id]
    start, now = model.started or 0.0, model.now()
    cells = task.cells(start, max(now, start + 1e-9), width, now)
    return "".join(STATE_CHAR[c] if c else " " for c in cells)


def format_text(model: RunModel, summary: Summary) -> str:
    lines = [
        f"{summary.scenario}  {summary.params}",
        f"outcome: {summary.outcome}"
        + (f" ({summary.error})" if summary.error else "")
        + f"   elapsed {summary.elapsed_s:.2f} s"
        + (
            f"   one after another ~{summary.sequential_s:.2f} s   speed-up x{summary.speedup:.1f}"
            if summary.speedup is not None and summary.sequential_s is not None
            else "   speed-up: no estimate"
        )
        + (f"   cores busy {summary.cores_busy:.1f}" if summary.cores_busy is not None else ""),
        "",
    ]
    if summary.attribution == Attribution.HOOKS_ONLY:
        lines[-1:-1] = [f"thread states from hooks only: {summary.attribution_reason}"]
    if model.sampler_coarse:
        lines[-1:-1] = [
            f"the machine was busy: {summary.gil.late_sweeps} of the kernel sampler's"
            f" {summary.gil.sweeps} sweeps came late, so a wait of a few ms may read as the"
            " call around it"
        ]
    names = [t.name for t in summary.tasks] or [""]
    name_width = min(28, max(len(n) for n in names))
    lines.append(
        f"{'task':<{name_width}}  {'0 s':<{TIMELINE_WIDTH // 2}}{summary.elapsed_s:>{TIMELINE_WIDTH - TIMELINE_WIDTH // 2}.2f} s"
    )
    for task in summary.tasks:
        mark = OUTCOME_MARK.get(task.outcome, "?")
        row = text_row(model, task.id)
        detail = (
            f"run {task.running_s:.2f}s  gil {task.gil_wait_s:.2f}s  sleep {task.sleeping_s:.2f}s"
        )
        if task.queued_s:
            detail += f"  queued {task.queued_s:.2f}s"
        lines.append(
            f"{task.name[:name_width]:<{name_width}}  {row} {mark} {task.outcome or 'running'}  {detail}"
        )
        if task.error:
            lines.append(f"{'':<{name_width}}  error: {task.error}")
        if task.cancelled_by:
            lines.append(f"{'':<{name_width}}  by: {model.describe_cause(task.cancelled_by)}")
    legend = "  ".join(f"{STATE_CHAR[s]} {s}" for s in STATES)
    ends = " ".join(f"{OUTCOME_MARK[o]} {m.word}" for o, m in OUTCOME_MARKS.items())
    lines += ["", f"legend: {legend}   {ends}", ""]
    cpu, gil, loop = summary.cpu, summary.gil, summary.loop_lag_ms
    per_core = " ".join(f"{p:.0f}%" for p in cpu.mean_percent_per_core)
    lines.append(
        f"CPU: {cpu.cores} cores, mean per core [{per_core}], scenario used {cpu.scenario_cpu_s:.2f} CPU-s"
    )
    if not gil.enabled:
        lines.append("GIL: none (a free-threaded build)")
    elif gil.busy_mean is not None and gil.busy_max is not None:
        contended = "" if gil.contended is None else f", contended {gil.contended:.2f}"
        lines.append(
            f"GIL: held mean {gil.busy_mean:.2f}, max {gil.busy_max:.2f}{contended};"
            f" acquire latency p50 {_ms(gil.wait_p50_ms)}, p99 {_ms(gil.wait_p99_ms)}"
        )
    if loop:
        lines.append(f"event loop lag: max {_ms(loop.max, 1)}, p95 {_ms(loop.p95, 1)}")
    for stall in summary.stalls:
        lines.append(
            f"  loop stalled {(stall.duration_s or 0.0) * 1000:.0f} ms at {stall.file}:{stall.line}: {stall.code}"
        )
    if summary.stdout:
        lines += ["", "stdout:", summary.stdout.rstrip()]
    dropped = [f"{count:,} {DROP_WORDS[kind]}" for kind, count in summary.dropped.items() if count]
    if dropped:
        lines += ["", "concur-tui: " + ", ".join(dropped)]
    return "\n".join(lines)


def _ms(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f} ms"
