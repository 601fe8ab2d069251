"""The pure model: events in, tasks with state spans and metric series out.

No Textual, no I/O, no clock of its own: the live edge comes from the clock
passed in, so a replay fed the same events at the same clock readings draws
the same screen (snapshot tests depend on this). Times are seconds since the
run's first event.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from tui.events import (
    DEFAULT_ASYNC_NAME,
    DROP_KINDS,
    DROP_WORDS,
    ENDS,
    STARTS,
    STEP_ROW_LEN,
    TEXT_FIELDS,
    Attribution,
    AttributionEvent,
    CancelEvent,
    Cause,
    CpuEvent,
    DropKind,
    DroppedEvent,
    EndsEvent,
    Event,
    GilEvent,
    HelloEvent,
    LoopEvent,
    NoteEvent,
    OffcpuEvent,
    OutputEvent,
    OutputStream,
    ProcsEvent,
    ReadyEvent,
    RenameEvent,
    Rows,
    RunEndEvent,
    RunOutcome,
    RunStartEvent,
    StallEndEvent,
    StallEvent,
    StartsEvent,
    StepEvent,
    StepsEvent,
    SupervisorEndEvent,
    TaskEndEvent,
    TaskKind,
    TaskOutcome,
    TaskStartEvent,
    TaskState,
    ThreadsEvent,
    WaitEvent,
    WaitStartEvent,
    WindowEvent,
)
from tui.literal import visible_event, visible_values

NS = 1e9
MAX_TASKS = 25_000  # tasks a model keeps; later ones are counted, not shown
MAX_OUTPUT_CHARS = 4 << 20  # the program's output kept (the newest); older lines are dropped
MAX_LOG_ENTRIES = 100_000  # log entries kept (the newest)
BUSY_CORES = 0.2  # other programs' use of the machine worth saying (cores' worth)
LOAD_WINDOW = 20  # CPU samples (2 s) the "machine busy" note looks at
READY_WHAT = "ready, but the loop was busy"

# The states a task's time is split into, in the order the legend lists them.
STATES: tuple[TaskState, ...] = tuple(TaskState)
STATE_MEANING: dict[TaskState, str] = {
    TaskState.RUNNING: "on a CPU",
    TaskState.GIL: "waiting for the GIL (the kernel saw it in a futex wait on its process's GIL)",
    TaskState.CORE: "runnable, but every core was busy (the kernel's run queue)",
    TaskState.WAITING: "ready but not running: an asyncio task whose loop was busy; or off-CPU"
    " for a reason not measured (hooks-only)",
    TaskState.QUEUED: "submitted to an executor or pool, waiting for a free worker",
    TaskState.SLEEPING: "sleeping (time.sleep, asyncio.sleep, a timer)",
    TaskState.IO: "waiting for I/O or a child process (read, recv, poll, select, wait4...)",
    TaskState.BLOCKED: "blocked: a lock, queue, condition, event or join; an asyncio task"
    " awaiting another, or a blocking call inside async code",
}
# Off-CPU states nothing but the kernel (or, hooks-only, nothing at all) explains: a task's
# time left over once its exact totals are placed is shared among these.
LEFTOVER = (
    TaskState.GIL,
    TaskState.CORE,
    TaskState.IO,
    TaskState.BLOCKED,
    TaskState.SLEEPING,
    TaskState.WAITING,
)
# Hook-explained time is taken off the kernel's account of the same window in this order.
EXPLAINS = {
    TaskState.SLEEPING: (TaskState.SLEEPING, TaskState.IO, TaskState.BLOCKED),
    TaskState.BLOCKED: (TaskState.BLOCKED, TaskState.IO, TaskState.SLEEPING),
    TaskState.IO: (TaskState.IO, TaskState.SLEEPING, TaskState.BLOCKED),
}


@dataclass
class Span:
    t0: float
    t1: float
    state: TaskState
    what: str = ""
    kernel: bool = False  # placed from the kernel's samples, not from an exact hook


@dataclass
class KernelWindow:
    """The kernel's account of one thread over [t0, t1): seconds per state, and in what."""

    t0: float
    t1: float
    states: dict[str, float]
    what: dict[str, str]


# What a log entry tells: a task started or ended (and how), a cancel asked, a loop stall, a
# note, something dropped, the run's end, a line of output.
LogKind = Literal[
    "started",
    "finished",
    "failed",
    "timeout",
    "cancelled",
    "cancel",
    "stall",
    "note",
    "dropped",
    "run",
    "output",
]
END_LOG_KIND: dict[TaskOutcome, LogKind] = {
    TaskOutcome.DONE: "finished",
    TaskOutcome.ERROR: "failed",
    TaskOutcome.TIMEOUT: "timeout",
    TaskOutcome.CANCELLED: "cancelled",
}


@dataclass
class LogEntry:
    t: float
    kind: LogKind
    text: str
    task_id: str | None = None
    stream: OutputStream | None = None  # output lines


@dataclass
class Stall:
    t0: float
    t1: float | None
    file: str
    line: int
    function: str
    code: str

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Task:
    id: str
    kind: TaskKind
    name: str
    start: float
    pid: int
    tid: int | None = None
    parent: str | None = None
    coro: str | None = None
    internal: bool = False
    end: float | None = None
    outcome: TaskOutcome | None = None
    error: str | None = None
    traceback: str | None = None
    cancelled_by: Cause | None = None
    result: str | None = None
    cores: set[int] = field(default_factory=set)
    waits: list[Span] = field(default_factory=list)
    steps: list[tuple[float, float]] = field(default_factory=list)
    windows: list[tuple[float, float, float, float]] = field(default_factory=list)
    cancel_requests: list[tuple[float, Cause]] = field(default_factory=list)
    open_wait: Span | None = None  # a wait still in progress (its end not known yet)
    cpu_s: float | None = None
    cpu_queue_s: float = 0.0
    queued_s: float = 0.0  # a pool call's time in the queue, before a worker took it
    worker: str | None = None  # a thread-pool call: the worker thread that ran it
    host: Task | None = None  # a thread-pool call: that worker thread's task
    kernel: list[KernelWindow] = field(default_factory=list)
    proc_states: list[tuple[float, str]] = field(default_factory=list)  # (t, /proc state)
    sleep_s: float | None = None
    block_s: float | None = None
    io_s: float | None = None
    _spans: list[Span] | None = None
    _whole_sums: tuple[list[Span], Sums] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _wait_ends: list[float] = field(default_factory=list, init=False, repr=False, compare=False)
    """The latest end of ``waits[:i + 1]`` at ``i`` (``_waits_reaching``)."""
    _drawn: _DrawnCells | None = field(default=None, repr=False, compare=False)
    _built: _BuiltSpans | None = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        """The name a person gave the task, or what it runs when it has only a default name."""
        if self.kind == TaskKind.ASYNC and self.coro and DEFAULT_ASYNC_NAME.fullmatch(self.name):
            return f"{self.coro.rsplit('.', 1)[-1]} ({self.name})"
        return self.name

    @property
    def queued(self) -> bool:
        """Submitted, and no worker has taken it yet."""
        return self.open_wait is not None and self.open_wait.state == TaskState.QUEUED

    def duration(self, now: float) -> float:
        return (self.end if self.end is not None else now) - self.start

    def spans(self, now: float) -> list[Span]:
        """The task's life as non-overlapping state spans up to ``now`` (cached once it ended,
        and, for a call, once the worker thread it ran on ended too)."""
        if self._spans is not None:
            return self._spans
        if self.end is None and self.kind in (TaskKind.THREAD, TaskKind.ASYNC):
            return self._live_spans(now)
        spans = _build_spans(self, self.end if self.end is not None else now)
        if self.end is not None and (self.host is None or self.host.end is not None):
            self._spans = spans
        return spans

    def _live_spans(self, now: float) -> list[Span]:
        """A live thread's or asyncio task's spans, laid out again only after what the last
        build settled (``_Built.settled``): the task's details and the GIL pane ask for all of
        them, and a whole build of a CPU-bound thread ten minutes old took half a second. A
        span that reaches over that point comes in two pieces, which no total can tell."""
        built, marks = self._built, _marks(self)
        if built is not None and now == built.now and marks == built.marks:
            return built.spans  # asked again in the same tick (its row, the GIL pane, details)
        since = -math.inf
        if built is not None and now >= built.now:
            since = built.settled(self, marks)
        cut, summed = 0, _NOTHING_SUMMED
        if since == -math.inf:
            spans = _build_spans(self, now)
        else:
            assert built is not None
            kept = built.spans
            cut = bisect.bisect_right(kept, since, key=lambda span: span.t1)
            if built.summed[0] <= cut:
                summed = built.summed
            spans = kept[:cut]
            if cut < len(kept) and kept[cut].t0 < since:
                spans.append(replace(kept[cut], t1=since))
            for span in _build_spans(self, now, since):
                if span.t1 > since:
                    spans.append(span if span.t0 >= since else replace(span, t0=since))
        self._built = _BuiltSpans(now, marks, spans, cut, summed)
        return spans

    def time_by_reason(self, now: float) -> Sums:
        """Seconds in each state, and in what, over the task's spans up to ``now``. A live
        task's sums over the spans kept from one build to the next are kept too: summing a
        long thread's every span at every tick was most of what its details cost."""
        spans = self.spans(now)
        if spans is self._spans:  # ended: its spans are kept, and so are their sums
            whole = self._whole_sums
            if whole is None or whole[0] is not spans:  # (a new list: laid out again)
                whole = self._whole_sums = (spans, _add_spans({}, spans))
            return dict(whole[1])
        built = self._built
        start, sums = _NOTHING_SUMMED
        if self.end is None and built is not None and built.spans is spans:
            start, sums = built.summed
            sums = _add_spans(dict(sums), spans[start : built.kept])
            built.summed = start, sums = built.kept, sums
        return _add_spans(dict(sums), spans[start:])

    def cells(self, t0: float, t1: float, count: int, now: float) -> list[str | None]:
        """The state that fills most of each of ``count`` equal cells of [t0, t1), or None.

        A live thread's or asyncio task's row is drawn at every tick, and it may have tens of
        thousands of spans (a CPU-bound thread has a kernel window every 10 ms). What is
        before the last draw's ``now`` does not change unless data arrives for that time
        (``_Built.settled``), so only the cells after it are worked out again, from the spans
        that reach past it."""
        width = (t1 - t0) / count if count else 0.0
        if width <= 0:
            return [None] * count
        spans = self.spans(now)
        if self.end is not None or self.kind not in (TaskKind.THREAD, TaskKind.ASYNC):
            return _fill(spans, t0, width, count, 0)
        drawn, marks = self._drawn, _marks(self)
        kept = 0
        if drawn is not None and drawn.key == (t0, t1, count) and now >= drawn.now:
            settled = drawn.settled(self, marks)
            kept = max(0, min(count, math.floor((settled - t0) / width - 1e-9)))
        reaching = bisect.bisect_right(spans, t0 + kept * width, key=lambda span: span.t1)
        tail = _fill(itertools.islice(spans, reaching, None), t0, width, count, kept)
        cells = drawn.cells[:kept] + tail[kept:] if drawn is not None and kept else tail
        self._drawn = _DrawnCells(now, marks, (t0, t1, count), cells)
        return cells

    def time_in(self, now: float) -> dict[TaskState, float]:
        """Seconds in each state. An ended thread, pool item or call places the exact totals
        measured at its end (CPU, hooked waits, queue time) and shares what is left among the
        states its spans found where nothing exact did (the kernel's, or hooks-only waiting)."""
        totals = dict.fromkeys(STATES, 0.0)
        for (state, _), seconds in self.time_by_reason(now).items():
            totals[state] += seconds
        if self.end is None or self.cpu_s is None or self.kind == TaskKind.ASYNC:
            return totals
        spans = self.spans(now)
        left = self.end - self.start
        exact = dict.fromkeys(STATES, 0.0)
        for state, value in (
            (TaskState.QUEUED, self.queued_s),
            (TaskState.SLEEPING, self.sleep_s or 0.0),
            (TaskState.IO, self.io_s or 0.0),
            (TaskState.BLOCKED, self.block_s or 0.0),
            (TaskState.RUNNING, self.cpu_s),
        ):
            exact[state] = max(0.0, min(value, left))
            left -= exact[state]
        mix = dict.fromkeys(LEFTOVER, 0.0)
        for span in spans:
            if (span.kernel or span.state == TaskState.WAITING) and span.state in mix:
                mix[span.state] += span.t1 - span.t0
        weight = sum(mix.values())
        if weight <= 0:
            mix, weight = {TaskState.WAITING: 1.0}, 1.0
        for state, share in mix.items():
            exact[state] += left * share / weight
        return exact

    def gil_wait_s(self, now: float) -> float:
        """Time spent waiting for the GIL: as the kernel saw it where it was asked; hooks-only,
        a thread's unexplained off-CPU time less its run-queue wait (an estimate)."""
        if self.kind == TaskKind.ASYNC:
            return 0.0
        split = self.time_in(now)
        if self.kernel or (self.host is not None and self.host.kernel):
            return split[TaskState.GIL]
        if self.kind != TaskKind.THREAD:
            return 0.0
        return max(0.0, split[TaskState.WAITING] - self.cpu_queue_s)


def _subtract(
    t0: float, t1: float, covered: list[Span], first: int = 0
) -> list[tuple[float, float]]:
    """The parts of [t0, t1) that no span in ``covered`` (sorted) overlaps; the spans before
    ``first`` end by ``t0`` (``_Uncovered``)."""
    gaps: list[tuple[float, float]] = []
    cursor = t0
    for span in itertools.islice(covered, first, None):
        if span.t1 <= cursor:
            continue
        if span.t0 >= t1:
            break
        if span.t0 > cursor:
            gaps.append((cursor, span.t0))
        cursor = max(cursor, span.t1)
    if cursor < t1:
        gaps.append((cursor, t1))
    return gaps


class _Uncovered:
    """``_subtract`` asked of the same spans for one stretch of time after another (each step
    of an asyncio task, each observer window of a thread): each starts at the first span that
    may reach it, found by a running maximum of their ends, not at the first of all (a whole
    build of a thread with 10 000 waits was a pass over all of them per window)."""

    def __init__(self, covered: list[Span]) -> None:
        self.covered = covered  # sorted by t0
        self.ends = list(itertools.accumulate((span.t1 for span in covered), max))

    def reaching(self, t: float) -> int:
        """The first of the spans that may end after ``t`` (all before it end by then)."""
        return bisect.bisect_right(self.ends, t)

    def __call__(self, t0: float, t1: float) -> list[tuple[float, float]]:
        return _subtract(t0, t1, self.covered, self.reaching(t0))


def _fill(
    spans: Iterable[Span], t0: float, width: float, count: int, first: int
) -> list[str | None]:
    """The state filling most of each cell from ``first`` on (the cells before it: None)."""
    fill: list[dict[str, float]] = [{} for _ in range(count)]
    start, t1 = t0 + first * width, t0 + count * width
    for span in spans:
        if span.t1 <= start or span.t0 >= t1:
            continue
        low = int((span.t0 - t0) / width)
        high = int((span.t1 - t0) / width)
        if low == high and span.t0 >= start:
            # Inside one cell, as most spans of a busy thread are (a queue's waits, a GIL
            # convoy's kernel windows): its whole length, no overlap to work out.
            cell = fill[low]
            cell[span.state] = cell.get(span.state, 0.0) + (span.t1 - span.t0)
            continue
        low, high = max(first, low), min(count - 1, high)
        for i in range(low, high + 1):
            c0 = t0 + i * width
            overlap = min(span.t1, c0 + width) - max(span.t0, c0)
            if overlap > 0:
                fill[i][span.state] = fill[i].get(span.state, 0.0) + overlap
    return [max(f, key=f.__getitem__) if f else None for f in fill]


Marks = tuple[float, int, int, int, int, "Span | None"]


def _marks(task: Task) -> Marks:
    """How much a live task's span data held: it only grows, at the end of each list."""
    return (
        task.start,
        len(task.waits),
        len(task.windows),
        len(task.kernel),
        len(task.steps),
        task.open_wait,
    )


@dataclass
class _Built:
    """When a live task's spans were last laid out, and what its data held then."""

    now: float
    marks: Marks

    def settled(self, task: Task, marks: Marks) -> float:
        """Up to when what was laid out still holds: that ``now``, less what data that
        arrived since reaches back over. A wait or step changes the observer and kernel
        windows it falls in (each is laid out as a whole) and the gap before them; a window
        after the last one changes what was guessed past the last one. (Every window drawn
        ended by that ``now``: the model's now is never before the last event's time.)"""
        start, waits, windows, kernel, steps, open_wait = self.marks
        if marks[0] != start:
            return -math.inf
        earliest = self.now
        for wait in task.waits[waits:]:
            earliest = min(earliest, wait.t0)
        for step in task.steps[steps:]:
            earliest = min(earliest, step[0])
        if open_wait != marks[5]:
            for span in (open_wait, marks[5]):
                if span is not None:
                    earliest = min(earliest, span.t0)
        if task.kind != TaskKind.THREAD:
            return earliest  # an asyncio task's spans change only where new data falls
        if earliest < self.now:  # back to the window before the one it falls in, of each kind
            at = bisect.bisect_right(task.windows, earliest, key=lambda w: w[0])
            earliest = min(earliest, task.windows[max(0, at - 2)][0] if at else start)
            at = bisect.bisect_right(task.kernel, earliest, key=lambda k: k.t0)
            earliest = min(earliest, task.kernel[max(0, at - 2)].t0 if at else start)
        if len(task.windows) > windows:
            earliest = min(earliest, task.windows[windows - 1][1] if windows else start)
        if len(task.kernel) > kernel:
            earliest = min(earliest, task.kernel[kernel - 1].t1 if kernel else start)
        return earliest


Sums = dict[tuple[TaskState, str], float]
_NOTHING_SUMMED: tuple[int, Sums] = (0, {})


def _add_spans(sums: Sums, spans: Iterable[Span]) -> Sums:
    for span in spans:
        key = (span.state, span.what)
        sums[key] = sums.get(key, 0.0) + span.t1 - span.t0
    return sums


@dataclass
class _BuiltSpans(_Built):
    spans: list[Span]
    kept: int
    """How many of ``spans`` came unchanged from the build before."""
    summed: tuple[int, Sums]
    """``time_by_reason`` over the first of ``spans`` (no more than ``kept``)."""


@dataclass
class _DrawnCells(_Built):
    """A live row's cells as last drawn."""

    key: tuple[float, float, int]
    cells: list[str | None]


def _reach(task: Task, since: float) -> float:
    """How far back before ``since`` the hooks' spans still shape what is after it: a
    thread's observer window is laid out as a whole, and the kernel's windows (the one it
    starts in, and the last, which speaks for the time after it) take off what hooks explain."""
    if task.kind != TaskKind.THREAD or since == -math.inf:
        return since
    windows, kernel = task.windows, task.kernel
    at = bisect.bisect_right(windows, since, key=lambda w: w[1])
    reach = min(
        since, windows[at][0] if at < len(windows) else windows[-1][1] if windows else task.start
    )
    if kernel:
        at = bisect.bisect_right(kernel, reach, key=lambda k: k.t1)
        reach = min(reach, kernel[min(at, len(kernel) - 1)].t0, kernel[-1].t0)
    return reach


def _build_spans(task: Task, until: float, since: float = -math.inf) -> list[Span]:
    """The task's spans up to ``until``: all of them, or (``since``) at least every span that
    reaches past ``since``, each as a whole build would lay it out."""
    reach = _reach(task, since)
    exact = sorted(
        (
            Span(w.t0, min(w.t1, until), w.state, w.what)
            for w in _waits_reaching(task, reach)
            if w.t0 < until and min(w.t1, until) > reach
        ),
        key=lambda s: s.t0,
    )
    spans: list[Span] = list(exact)
    uncovered = _Uncovered(exact)
    if task.kind == TaskKind.ASYNC:
        # Steps are running; a blocking call inside a step stays marked blocked.
        for t0, t1 in task.steps:
            if min(t1, until) <= since:
                continue
            for g0, g1 in uncovered(t0, min(t1, until)):
                spans.append(Span(g0, g1, TaskState.RUNNING))
        # Until its first step a new task is ready but waits for the loop to get to it.
        first_step = task.steps[0][0] if task.steps else until
        for g0, g1 in _subtract(task.start, first_step, exact):
            spans.append(Span(g0, g1, TaskState.WAITING, "created, waiting for its first step"))
        covered = sorted(spans, key=lambda s: s.t0)
        for g0, g1 in _subtract(max(task.start, since), until, covered):
            spans.append(Span(g0, g1, TaskState.BLOCKED, "awaiting"))
    elif task.kind == TaskKind.CALL:
        # A call runs on a worker thread: after its queue time, that thread's states are its own.
        for g0, g1 in _subtract(task.start, until, exact):
            if task.host is None:
                spans.append(Span(g0, g1, TaskState.RUNNING))
                continue
            for span in task.host.spans(until):
                a, b = max(g0, span.t0), min(g1, span.t1)
                if b > a:
                    spans.append(Span(a, b, span.state, span.what, span.kernel))
    elif task.kind == TaskKind.PROCESS:
        life = until - task.start
        gaps = _subtract(task.start, until, exact)
        if task.kernel:
            # The kernel's account of the worker thread, window by window (its end's exact
            # totals are kept by ``time_in``).
            for g0, g1 in gaps:
                spans += _from_kernel(task.kernel, g0, g1)
        elif task.cpu_s is not None and life > 0:
            free = sum(g1 - g0 for g0, g1 in gaps)
            share = min(1.0, task.cpu_s / free) if free else 1.0
            spans += _split(gaps, share)
        else:
            for g0, g1 in gaps:
                spans += _from_samples(task.proc_states, g0, g1)
    else:
        # Threads: within each observer window, the off-wait time is split between running
        # and not running in the measured proportion (their order is not measured); the
        # kernel says why it was not running.
        cursor = task.start
        shown_cpu = 0.0
        split: list[Span] = []
        # Windows laid out before what is asked for: only where the last of them ended matters
        # (a live task's, so its CPU total is not needed).
        first = bisect.bisect_right(task.windows, since, key=lambda w: w[1])
        if first:
            cursor = max(cursor, task.windows[first - 1][1])
        for w0, w1, ran, gil in itertools.islice(task.windows, first, None):
            w0 = max(w0, cursor)
            w1 = min(w1, until)
            if w1 <= w0:
                continue
            gaps = uncovered(w0, w1)
            share = ran / (ran + gil) if ran + gil > 0 else 1.0
            split += _split(gaps, share)
            shown_cpu += ran
            cursor = w1
        if cursor < until:
            gaps = uncovered(cursor, until)
            share = 1.0  # the live edge: not measured yet
            if task.end is not None and task.cpu_s is not None:
                # After its last window: the CPU its end reported that no window showed.
                free = sum(g1 - g0 for g0, g1 in gaps)
                share = min(1.0, max(0.0, task.cpu_s - shown_cpu) / free) if free else 1.0
            split += _split(gaps, share)
        spans += _attribute(split, task.kernel, uncovered)
    spans = [s for s in spans if s.t1 > s.t0]
    spans.sort(key=lambda s: s.t0)
    return spans


def _waits_reaching(task: Task, reach: float) -> list[Span]:
    """The task's waits (the open one too) less a first run of them that all ended by
    ``reach``. Waits arrive as they end, so that is all but the last few: a live row's
    incremental build looked at every wait of a thread waking 500 times a second."""
    ends, waits = task._wait_ends, task.waits
    latest = ends[-1] if ends else -math.inf
    for wait in itertools.islice(waits, len(ends), None):
        latest = max(latest, wait.t1)
        ends.append(latest)
    kept = waits[bisect.bisect_right(ends, reach) :] if reach > -math.inf else waits
    return [*kept, task.open_wait] if task.open_wait is not None else kept


def _residual(window: KernelWindow, overlapping: Iterable[Span]) -> dict[TaskState, float]:
    """The kernel's off-CPU account of a window, less what exact hook spans already explain."""
    left = {TaskState(s): v for s, v in window.states.items() if s in LEFTOVER and v > 0}
    for span in overlapping:
        amount = min(span.t1, window.t1) - max(span.t0, window.t0)
        if amount <= 0:
            continue
        for state in EXPLAINS.get(span.state, ()):
            take = min(amount, left.get(state, 0.0))
            if take > 0:
                left[state] -= take
                amount -= take
    return {s: v for s, v in left.items() if v > 1e-6}


class _Residuals:
    """Each window's residual, worked out when first asked for, from only the exact spans
    that can overlap it: a live thread has a window per sample, and the dashboard asks for
    its spans on every tick, so pairing every window with every span grew as the square."""

    def __init__(self, windows: list[KernelWindow], exact: _Uncovered) -> None:
        self.windows = windows
        self.exact = exact
        self.starts = [s.t0 for s in exact.covered]
        self.done: dict[int, dict[TaskState, float]] = {}

    def __getitem__(self, index: int) -> dict[TaskState, float]:
        mix = self.done.get(index)
        if mix is None:
            window = self.windows[index]
            first = self.exact.reaching(window.t0)
            last = bisect.bisect_left(self.starts, window.t1, lo=first)
            mix = self.done[index] = _residual(window, self.exact.covered[first:last])
        return mix


def _attribute(spans: list[Span], windows: list[KernelWindow], exact: _Uncovered) -> list[Span]:
    """Say why each not-running piece was not running, from the kernel windows it falls in."""
    if not windows:
        return spans
    out: list[Span] = []
    residuals = _Residuals(windows, exact)
    # Spans and windows both run forward in time (a live row asks only for its last spans).
    first = bisect.bisect_right(windows, spans[0].t0, key=lambda w: w.t1) if spans else 0
    for span in spans:
        if span.state != TaskState.WAITING:
            out.append(span)
            continue
        while first < len(windows) and windows[first].t1 <= span.t0:
            first += 1
        cursor = span.t0
        for index in range(first, len(windows)):
            window = windows[index]
            if window.t0 >= span.t1:
                break
            a, b = max(cursor, window.t0), min(span.t1, window.t1)
            if b <= a:
                continue
            mix = residuals[index]
            if a > cursor:
                out += _divide(cursor, a, mix, window.what)
            out += _divide(a, b, mix, window.what)
            cursor = b
        if cursor < span.t1:
            # Past the last window (the live edge, a thread's first or last moments): as the
            # nearest window says.
            index = min(first, len(windows) - 1)
            out += _divide(cursor, span.t1, residuals[index], windows[index].what)
    return out


def _divide(a: float, b: float, mix: dict[TaskState, float], what: dict[str, str]) -> list[Span]:
    """[a, b) laid out as the states of ``mix`` in proportion (their order is not measured)."""
    if not mix:
        return [Span(a, b, TaskState.WAITING)]
    total = sum(mix.values())
    spans: list[Span] = []
    cursor = a
    for state in STATES:
        share = mix.get(state, 0.0)
        if share <= 0:
            continue
        end = min(b, cursor + (b - a) * share / total)
        spans.append(Span(cursor, end, state, what.get(state, ""), kernel=True))
        cursor = end
    if spans:
        spans[-1].t1 = b
    return spans


def _from_kernel(windows: list[KernelWindow], t0: float, t1: float) -> list[Span]:
    """[t0, t1) as the kernel's windows account for it; past the last one, as the last one."""
    spans: list[Span] = []
    cursor = t0
    for window in windows:
        a, b = max(cursor, window.t0), min(t1, window.t1)
        if b <= a:
            continue
        if a > cursor:
            spans += _divide(cursor, a, _mix(window), window.what)
        spans += _divide(a, b, _mix(window), window.what)
        cursor = b
    if cursor < t1 and windows:
        spans += _divide(cursor, t1, _mix(windows[-1]), windows[-1].what)
    elif cursor < t1:
        spans.append(Span(cursor, t1, TaskState.RUNNING))
    return spans


def _mix(window: KernelWindow) -> dict[TaskState, float]:
    return {TaskState(s): v for s, v in window.states.items() if v > 0} or {TaskState.RUNNING: 1}


PROC_STATE = {"R": TaskState.RUNNING, "S": TaskState.SLEEPING, "D": TaskState.SLEEPING}


def _from_samples(samples: list[tuple[float, str]], t0: float, t1: float) -> list[Span]:
    """[t0, t1) coloured by /proc states (hooks-only): each holds from its sample to the next."""
    spans: list[Span] = []
    state, cursor = TaskState.RUNNING, t0
    for t, letter in samples:
        if t <= cursor:
            state = PROC_STATE.get(letter, TaskState.RUNNING)
            continue
        if t >= t1:
            break
        spans.append(Span(cursor, t, state))
        state, cursor = PROC_STATE.get(letter, TaskState.RUNNING), t
    spans.append(Span(cursor, t1, state))
    return spans


def _split(gaps: list[tuple[float, float]], running_share: float) -> list[Span]:
    """Lay out gaps as running then not running, in the given proportion of their total."""
    total = sum(g1 - g0 for g0, g1 in gaps)
    budget = total * running_share
    spans: list[Span] = []
    for g0, g1 in gaps:
        run = min(budget, g1 - g0)
        budget -= run
        if run > 0:
            spans.append(Span(g0, g0 + run, TaskState.RUNNING))
        if g0 + run < g1:
            spans.append(Span(g0 + run, g1, TaskState.WAITING))
    return spans


def percentile(values: Sequence[float], q: float, presorted: bool = False) -> float | None:
    """Nearest-rank percentile (q in 0..100) of ``values``; None for none."""
    if not values:
        return None
    ordered = values if presorted else sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))]


@dataclass
class Series:
    """A time series of (t, value) samples."""

    points: list[tuple[float, float]] = field(default_factory=list)

    def add(self, t: float, value: float) -> None:
        self.points.append((t, value))

    def values(self) -> list[float]:
        return [v for _, v in self.points]

    def last(self, default: float = 0.0) -> float:
        return self.points[-1][1] if self.points else default

    def mean(self, default: float = 0.0) -> float:
        return sum(v for _, v in self.points) / len(self.points) if self.points else default

    def max(self, default: float = 0.0) -> float:
        return max((v for _, v in self.points), default=default)


class RunModel:
    """Everything known about one run, built only from its events."""

    def __init__(self, clock: Callable[[], int] | None = None) -> None:
        self._clock = clock
        self.origin_ns: int | None = None
        self.scenario = ""
        self.params: dict[str, Any] = {}
        self.info: dict[str, Any] = {}
        self.tasks: dict[str, Task] = {}
        self._live_threads: dict[str, Task] = {}
        self._live: dict[str, Task] = {}
        # Live tasks by the thread they run on (asyncio tasks share their loop's): the
        # ``threads`` sample, ten a second, looks them up without walking every live task.
        self._live_on: dict[int, dict[str, Task]] = {}
        self._sorted_cache: dict[str, tuple[int, list[int]]] = {}
        self.order: list[str] = []
        self.log: list[LogEntry] = []
        self.output: list[tuple[float, str, str, int]] = []  # (t, stream, text, pid)
        self.output_offset = 0  # entries dropped from the front of ``output``
        self._output_chars = 0
        self.log_offset = 0  # entries dropped from the front of ``log`` (views index on)
        self.dropped: dict[DropKind, int] = dict.fromkeys(DROP_KINDS, 0)
        self._partial_lines: dict[tuple[int, OutputStream], tuple[float, str]] = {}
        self._start_entries: dict[str, LogEntry] = {}
        self.stalls: list[Stall] = []
        self.notes: list[str] = []
        self.gil_busy = Series()
        self.gil_lags_us: list[int] = []
        self.loop_lag_ms = Series()
        self.loop_lags_us: list[int] = []
        self.cpu: list[tuple[float, list[float]]] = []
        # (t, the run's percent of each core, concur-tui's own): the rest of ``cpu`` is others'
        self.cpu_split: list[tuple[float, list[float], list[float]]] = []
        # Each process's CPU seconds, its latest reading; what the runner and the processes it
        # had started used before the program began (not the program's); and the runner's
        # reading when the program ended (final).
        self.proc_cpu_s: dict[int, float] = {}
        self.cpu_before_start: dict[int, float] = {}
        self._cpu_final: set[int] = set()
        self.started: float | None = None
        self.ended: float | None = None
        self.outcome: RunOutcome | None = None
        self.error: str | None = None
        self.traceback: str | None = None
        self.kernel_cpu_s: float | None = None
        self.peak_rss_bytes = 0  # the most resident memory the runner's tree held at once
        self.attribution: Attribution | None = None  # how off-CPU time is told apart
        self.attribution_reason: str | None = None
        self.gil_enabled = True
        # How many of the program's threads waited for the GIL, on average: per 100 ms, and
        # over the run as [thread-seconds waited, seconds sampled].
        self.gil_contended = Series()
        self.gil_contention_s = [0.0, 0.0]
        self.sampler_cpu_s = 0.0  # the supervisor's kernel sampler's own CPU time
        self.sweeps = [0, 0]  # the kernel sampler's sweeps, and those that came late
        self._by_tid: dict[int, list[Task]] = {}
        self.events_seen = 0
        self.last_t = 0.0
        self.version = 0  # bumped on every change, so views can tell when to redraw

    # -- time -------------------------------------------------------------------------------
    def seconds(self, t_ns: int) -> float:
        if self.origin_ns is None:
            self.origin_ns = t_ns
        return (t_ns - self.origin_ns) / NS

    def now(self) -> float:
        """The live edge: the run's end once it ended, else the injected clock."""
        if self.ended is not None:
            return self.ended
        if self._clock is not None and self.origin_ns is not None:
            return max(self.last_t, (self._clock() - self.origin_ns) / NS)
        return self.last_t

    @property
    def elapsed(self) -> float:
        if self.started is None:
            return 0.0
        return self.now() - self.started

    # -- feeding ----------------------------------------------------------------------------
    def feed_many(self, events: Iterable[Event]) -> None:
        """Feed each event; one that does not make sense is dropped and counted, never fatal
        (a live stream comes from a program we do not control)."""
        for event in events:
            try:
                self.feed(event)
            except Exception:
                self.dropped["invalid_event"] += 1
                self.version += 1

    def feed(self, event: Event) -> None:
        kind = str(event.get("e"))
        # Program text is stored, and so shown, printed and exported, as literal text.
        event = visible_event(event, TEXT_FIELDS.get(kind, ()))
        handler = getattr(self, "_on_" + kind, None)
        t = self.seconds(event["t"])
        self.last_t = max(self.last_t, t)
        self.events_seen += 1
        self.version += 1
        if handler is not None:
            handler(event, t)

    def _on_hello(self, e: HelloEvent, t: float) -> None:
        self.scenario = e["scenario"]
        self.params = e["params"]
        self.info = {k: v for k, v in e.items() if k not in ("e", "t", "pid", "params")}
        self.gil_enabled = bool(e.get("gil_enabled", True))

    def _on_attribution(self, e: AttributionEvent, t: float) -> None:
        self.attribution = Attribution(e["mode"])
        self.attribution_reason = e.get("reason")
        if self.attribution == Attribution.HOOKS_ONLY:
            text = (
                f"thread states from hooks only ({self.attribution_reason}): off-CPU time no"
                " hook explains shows as waiting, and GIL wait is an estimate"
            )
            self.notes.append(text)
            self._add_log(LogEntry(t, "note", text))

    def _on_offcpu(self, e: OffcpuEvent, t: float) -> None:
        """The kernel's account of each thread over [t0, t): given to the tasks on that thread."""
        t0 = self.seconds(e["t0"])
        self.sampler_cpu_s = e.get("sampler_cpu_ns", 0) / NS
        self._count_sweeps(e.get("sweeps", 0), e.get("late", 0), t)
        waited = 0.0
        for pid, tid, states, what in e["rows"]:
            tasks = self._by_tid.get(tid)
            if not tasks:
                continue
            seconds = {state: ns / NS for state, ns in states.items()}
            # The sampler's words, but a recording's are the file's: literal text (done here,
            # for the rows kept, rather than for every row in TEXT_FIELDS).
            window = KernelWindow(t0, t, seconds, visible_values(what))
            if len(tasks) > 1:  # a pool worker's thread: forget items long over
                tasks[:] = [x for x in tasks if x.end is None or x.end > t0 - 1.0]
            for task in tasks:
                if task.pid != pid or task.start >= t or (task.end is not None and task.end <= t0):
                    continue
                task.kernel.append(window)
                task._spans = None
                if task.kind == TaskKind.THREAD and not task.internal:
                    waited += seconds.get(TaskState.GIL, 0.0)
        # Only the program's own time counts: not the runner starting up or tidying up.
        start = max(t0, self.started if self.started is not None else t)
        end = min(t, self.ended if self.ended is not None else t)
        if self.gil_enabled and end > start:
            self.gil_contended.add(t, waited / (t - t0))
            self.gil_contention_s[0] += waited * (end - start) / (t - t0)
            self.gil_contention_s[1] += end - start

    def _count_sweeps(self, sweeps: int, late: int, t: float) -> None:
        """Says once, when it starts to matter, that the kernel's view has gone coarse."""
        was_coarse = self.sampler_coarse
        self.sweeps[0] += sweeps
        self.sweeps[1] += late
        if self.sampler_coarse and not was_coarse:
            text = (
                "the machine is busy: the kernel sampler fell behind (one sweep in"
                f" {self.sweeps[0] // max(1, self.sweeps[1])} came late), so a wait of a few ms"
                " may read as the call around it"
            )
            self.notes.append(text)
            self._add_log(LogEntry(t, "note", text))

    @property
    def sampler_coarse(self) -> bool:
        """Over a tenth of the kernel sampler's sweeps came late (at least 10)."""
        sweeps, late = self.sweeps
        return late >= 10 and late * 10 > sweeps

    def gil_contended_recent(self, windows: int = 10) -> float | None:
        """Threads waiting for the GIL on average over the last ``windows`` (100 ms each);
        None where the kernel was not asked or nothing was sampled yet."""
        recent = self.gil_contended.values()[-windows:]
        if self.attribution != Attribution.KERNEL or not recent:
            return None
        return sum(recent) / len(recent)

    @property
    def gil_contended_mean(self) -> float | None:
        """Over the run: how many of the program's threads were waiting for the GIL, on average
        (two CPU-bound threads: ~1; one alone: 0). None where the kernel was not asked."""
        waited, sampled = self.gil_contention_s
        if self.attribution != Attribution.KERNEL or not self.gil_enabled:
            return None
        return waited / sampled if sampled > 0 else 0.0

    def _on_run_start(self, e: RunStartEvent, t: float) -> None:
        self.started = t
        if "self_cpu_s" in e:
            self.cpu_before_start[e["pid"]] = e["self_cpu_s"]
        for row in e.get("children_cpu", []):
            match row:  # (a row that is not [pid, seconds] says nothing)
                case [int() as pid, int() | float() as cpu_s]:
                    self.cpu_before_start[pid] = cpu_s

    def _on_run_end(self, e: RunEndEvent, t: float) -> None:
        outcome = RunOutcome(e["outcome"])  # first: an unknown word changes nothing
        self.ended = t
        self.outcome = outcome
        self.error = e.get("error")
        self.traceback = e.get("traceback")
        if "self_cpu_s" in e:
            if e["pid"] in self.cpu_before_start:  # measured as the program ended: what comes later
                self.proc_cpu_s[e["pid"]] = e["self_cpu_s"]  # is the runner tidying up
                self._cpu_final.add(e["pid"])
            else:  # (a recording from before the runner said when it measured)
                self._saw_cpu(e["pid"], e["self_cpu_s"])
        self._live.clear()
        self._live_on.clear()
        self._live_threads.clear()
        for task in self.tasks.values():
            if task.end is None:
                task.end = t
                self._close_queue(task, t)
                if self.outcome == RunOutcome.CANCELLED:
                    task.outcome = task.outcome or TaskOutcome.CANCELLED
        self._add_log(
            LogEntry(t, "run", f"run {self.outcome}" + (f": {self.error}" if self.error else ""))
        )

    def _on_supervisor_end(self, e: SupervisorEndEvent, t: float) -> None:
        """The supervisor's closing word: the kernel's CPU accounting, and ends it had to impose."""
        outcome = RunOutcome(e.get("outcome", RunOutcome.FAILED))
        self.kernel_cpu_s = e.get("kernel_cpu_s")
        self._end_partial_lines()  # all output has been read: a last line without "\n" ends
        if self.ended is None:
            self.ended = t
            self.outcome = outcome
            self.error = e.get("error")
            for task in self.tasks.values():
                if task.end is None:
                    task.end = t
                    self._close_queue(task, t)
            self._add_log(LogEntry(t, "run", f"run {self.outcome}: {self.error}"))

    def _on_task_start(self, e: TaskStartEvent, t: float) -> None:
        known = self.tasks.get(e["id"])
        if known is not None:
            # A pool or executor call is announced twice, by the submitter when it is queued
            # and by the worker that takes it, in either order; the worker's says where it ran.
            queued_at, taken_at = sorted((known.start, t))
            if not e.get("queued"):
                live = self._live.get(known.id) is known
                self._unlist_live(known)
                known.pid, known.tid = e["pid"], e.get("tid")
                if live:
                    self._list_live(known)
                if (core := e.get("core")) is not None:
                    known.cores.add(core)
                self._take(known, e)
            elif e.get("parent") and not known.parent:
                known.parent = e["parent"]
            known.start = queued_at
            known.queued_s = taken_at - queued_at
            known.open_wait = None
            known.waits.append(
                Span(queued_at, taken_at, TaskState.QUEUED, "queued for a free worker")
            )
            text = f"{known.label} taken by worker {known.pid}"
            self._add_log(LogEntry(taken_at, "started", text, known.id))
            return
        if len(self.tasks) >= MAX_TASKS:  # memory stays bounded whatever a run starts
            self.dropped["task"] += 1
            return
        task = Task(
            id=e["id"],
            kind=TaskKind(e["kind"]),
            name=e["name"],
            start=t,
            pid=e["pid"],
            tid=e.get("tid"),
            parent=e.get("parent"),
            coro=e.get("coro"),
            internal=bool(e.get("internal")),
        )
        if (core := e.get("core")) is not None:
            task.cores.add(core)
        if e.get("queued"):
            task.open_wait = Span(t, math.inf, TaskState.QUEUED, "queued for a free worker")
        else:
            self._take(task, e)
        self.tasks[task.id] = task
        self._list_live(task)
        if task.kind == TaskKind.THREAD:
            self._live_threads[task.id] = task
        if not task.internal:
            self.order.append(task.id)
            entry = LogEntry(t, "started", f"{task.label} started ({task.kind})", task.id)
            self._start_entries[task.id] = entry
            self._add_log(entry)

    def _take(self, task: Task, e: TaskStartEvent) -> None:
        """Where a task runs: its thread (for the kernel's samples) and, for a call, its worker."""
        if task.tid and task.kind in (TaskKind.THREAD, TaskKind.PROCESS):
            self._by_tid.setdefault(task.tid, []).append(task)
        if e.get("worker"):
            task.worker = e["worker"]
            task.host = self.tasks.get(e["worker"])

    @staticmethod
    def _close_queue(task: Task, t: float) -> None:
        """A call that ends (cancelled, or the run is over) before a worker took it was queued
        all its life."""
        if task.open_wait is not None and task.open_wait.state == TaskState.QUEUED:
            task.waits.append(Span(task.open_wait.t0, t, TaskState.QUEUED, task.open_wait.what))
            task.queued_s = t - task.open_wait.t0
            task.open_wait = None

    def _on_rename(self, e: RenameEvent, t: float) -> None:
        task = self.tasks.get(e["id"])
        if task is not None:
            old_label = task.label
            task.name = e["name"]
            # One name per task everywhere: a task named right after it was made (as asyncio
            # does when a task factory is installed) starts under the name it ends with.
            entry = self._start_entries.get(task.id)
            if entry is not None and entry.text.startswith(old_label):
                entry.text = task.label + entry.text[len(old_label) :]

    def _on_task_end(self, e: TaskEndEvent, t: float) -> None:
        task = self.tasks.get(e["id"])
        if task is None:
            return
        outcome = TaskOutcome(e["outcome"])  # first: an unknown word changes nothing
        task.end = t
        self._close_queue(task, t)
        task.open_wait = None
        self._live_threads.pop(task.id, None)
        self._unlist_live(task)
        task.outcome = outcome
        task.error = e.get("error")
        task.traceback = e.get("traceback")
        task.result = e.get("result")
        task.cancelled_by = e.get("cancelled_by")
        task._spans = None
        task.cpu_queue_s = e.get("cpu_queue_ns", 0) / NS
        if (cpu_ns := e.get("cpu_ns")) is not None:
            task.cpu_s = cpu_ns / NS
        if (sleep_ns := e.get("sleep_ns")) is not None:
            task.sleep_s = sleep_ns / NS
        if (block_ns := e.get("block_ns")) is not None:
            task.block_s = block_ns / NS
        if (io_ns := e.get("io_ns")) is not None:
            task.io_s = io_ns / NS
        for core in [e.get("core"), *e.get("cores", [])]:
            if core is not None:
                task.cores.add(core)
        if e.get("process_cpu_ns") is not None:
            self._saw_cpu(e["pid"], e["process_cpu_ns"] / NS)
        if task.internal:
            return
        text = {
            TaskOutcome.DONE: f"{task.label} finished",
            TaskOutcome.ERROR: f"{task.label} failed: {task.error}",
            TaskOutcome.TIMEOUT: f"{task.label} timed out",
            TaskOutcome.CANCELLED: f"{task.label} cancelled",
        }[task.outcome]
        if task.cancelled_by and task.outcome in (TaskOutcome.CANCELLED, TaskOutcome.TIMEOUT):
            text += f": {self.describe_cause(task.cancelled_by)}"
        self._add_log(LogEntry(t, END_LOG_KIND[task.outcome], text, task.id))

    def _on_wait(self, e: WaitEvent, t: float) -> None:
        task = self.tasks.get(e["id"])
        if task is not None:
            task.waits.append(Span(self.seconds(e["t0"]), t, TaskState(e["state"]), e["what"]))
            task.open_wait = None

    def _on_wait_start(self, e: WaitStartEvent, t: float) -> None:
        task = self.tasks.get(e["id"])
        if task is not None and task.end is None:
            task.open_wait = Span(t, math.inf, TaskState(e["state"]), e["what"])

    def _on_step(self, e: StepEvent, t: float) -> None:
        task = self.tasks.get(e["id"])
        if task is not None:
            task.steps.append((self.seconds(e["t0"]), t))

    def _on_steps(self, e: StepsEvent, t: float) -> None:
        # Sent after the events of the same moment, so a task's last steps may come after its
        # end: its spans are drawn again.
        tasks, seconds, flat = self.tasks, self.seconds, e["flat"]
        for at in range(0, len(flat) - STEP_ROW_LEN + 1, STEP_ROW_LEN):
            task_id, t0, t1, ready = flat[at : at + STEP_ROW_LEN]
            task = tasks.get(task_id)
            if task is None:
                continue
            start = seconds(t0)
            if ready:
                task.waits.append(Span(seconds(ready), start, TaskState.WAITING, READY_WHAT))
            task.steps.append((start, seconds(t1)))
            task._spans = None

    def _on_starts(self, e: StartsEvent, t: float) -> None:
        """Rows of asyncio tasks' starts: each read as the ``task_start`` it stands for."""
        self._feed_rows(e, STARTS, {"e": "task_start", "kind": TaskKind.ASYNC})

    def _on_ends(self, e: EndsEvent, t: float) -> None:
        """Rows of asyncio tasks' plain ends: each read as the ``task_end`` it stands for."""
        self._feed_rows(e, ENDS, {"e": "task_end", "outcome": TaskOutcome.DONE})

    def _feed_rows(self, e: StartsEvent | EndsEvent, rows: Rows, fixed: dict[str, str]) -> None:
        """Each row fed as the event it stands for: its columns, ``fixed``, and the pid."""
        flat, width, pid = e["flat"], len(rows.columns), e["pid"]
        for at in range(0, len(flat) - width + 1, width):
            event = dict(zip(rows.columns, flat[at : at + width], strict=True))
            self.feed({**event, **fixed, "pid": pid})

    def _on_ready(self, e: ReadyEvent, t: float) -> None:
        task = self.tasks.get(e["id"])
        if task is not None:
            task.waits.append(Span(self.seconds(e["t0"]), t, TaskState.WAITING, READY_WHAT))

    def _on_window(self, e: WindowEvent, t: float) -> None:
        t0 = self.seconds(e["t0"])
        waiting = e.get("waiting", {})
        open_waits: list[tuple[Task, Span | None]] = []  # all read before any is set
        for task in self._live_threads.values():
            if task.pid != e["pid"]:
                continue
            state, start_ns, what = waiting.get(task.id, (None, 0, ""))
            start = self.seconds(start_ns) if state else 0.0
            closed = any(w.t0 == start for w in task.waits[-3:])
            span = Span(start, math.inf, TaskState(state), what) if state and not closed else None
            open_waits.append((task, span))
        for task, span in open_waits:
            task.open_wait = span
        for task_id, (ran, gil) in e["threads"].items():
            thread = self.tasks.get(task_id)
            if thread is not None:
                thread.windows.append((t0, t, ran / NS, gil / NS))

    def _on_cancel(self, e: CancelEvent, t: float) -> None:
        task = self.tasks.get(e["id"])
        if task is None:
            return
        task.cancel_requests.append((t, e["cause"]))
        if not task.internal:
            text = f"cancel {task.label}: {self.describe_cause(e['cause'])}"
            self._add_log(LogEntry(t, "cancel", text, task.id))

    def _on_gil(self, e: GilEvent, t: float) -> None:
        self.gil_busy.add(t, float(e["busy"]))
        self.gil_lags_us.extend(e["lags_us"])

    def _on_loop(self, e: LoopEvent, t: float) -> None:
        lags = e["lags_us"]
        self.loop_lags_us.extend(lags)
        self.loop_lag_ms.add(t, max(lags) / 1000 if lags else 0.0)

    def _on_stall(self, e: StallEvent, t: float) -> None:
        stall = Stall(
            self.seconds(e["t0"]), None, e["file"], e["line"], e.get("function", ""), e["code"]
        )
        self.stalls.append(stall)
        self._add_log(LogEntry(t, "stall", f"event loop stuck at {stall.where}: {stall.code}"))

    def _on_stall_end(self, e: StallEndEvent, t: float) -> None:
        t0 = self.seconds(e["t0"])
        for stall in self.stalls:
            if stall.t1 is None and abs(stall.t0 - t0) < 1e-6:
                stall.t1 = t
                self._add_log(
                    LogEntry(
                        t, "stall", f"event loop free again after {1000 * (t - stall.t0):.0f} ms"
                    )
                )

    def _on_output(self, e: OutputEvent, t: float) -> None:
        """Output as written (``t`` is when the runner or worker wrote it), and as log lines,
        each stamped when its first character was written. Both are bounded: a program that
        prints forever keeps its newest output, the oldest is dropped and counted."""
        stream = e["stream"]
        self.output.append((t, stream, e["text"], e["pid"]))
        self._output_chars += len(e["text"])
        if self._output_chars > MAX_OUTPUT_CHARS:
            self._forget_output(MAX_OUTPUT_CHARS * 3 // 4)
        key = (e["pid"], stream)
        began, text = self._partial_lines.pop(key, (t, ""))
        *lines, rest = (text + e["text"]).split("\n")
        for line in lines:
            self._add_log(LogEntry(began, "output", line, stream=stream))
            began = t
        if rest:
            self._partial_lines[key] = (began, rest[-MAX_OUTPUT_CHARS // 4 :])

    def _forget_output(self, keep: int) -> None:
        """Drop the oldest output until at most ``keep`` characters are kept (counted)."""
        count = 0
        while self._output_chars > keep and count < len(self.output) - 1:
            text = self.output[count][2]
            self._output_chars -= len(text)
            self.dropped["output_line"] += text.count("\n")
            count += 1
        del self.output[:count]
        self.output_offset += count

    def _add_log(self, entry: LogEntry) -> None:
        """Append to the log, which keeps its newest ``MAX_LOG_ENTRIES`` (views index past
        ``log_offset``): output floods and task floods cannot grow it without end."""
        self.log.append(entry)
        if len(self.log) > MAX_LOG_ENTRIES:
            gone = len(self.log) - MAX_LOG_ENTRIES * 3 // 4
            del self.log[:gone]
            self.log_offset += gone

    def log_since(self, seen: int) -> list[LogEntry]:
        """Log entries after the first ``seen`` ever added (those dropped since are skipped)."""
        return self.log[max(0, seen - self.log_offset) :]

    @property
    def log_count(self) -> int:
        """How many log entries were ever added (``log_since``'s index)."""
        return self.log_offset + len(self.log)

    def _end_partial_lines(self) -> None:
        for (_pid, stream), (began, text) in sorted(self._partial_lines.items()):
            self._add_log(LogEntry(began, "output", text, stream=stream))
        self._partial_lines.clear()

    def _on_dropped(self, e: DroppedEvent, t: float) -> None:
        what: DropKind = e["what"]
        self.dropped[what] += e["count"]
        self._add_log(LogEntry(t, "dropped", f"{e['count']:,} {DROP_WORDS[what]}"))

    def _on_note(self, e: NoteEvent, t: float) -> None:
        self.notes.append(e["text"])
        self._add_log(LogEntry(t, "note", e["text"], e.get("id")))

    def _on_cpu(self, e: CpuEvent, t: float) -> None:
        per_core = [float(p) for p in e["per_core"]]
        self.cpu.append((t, per_core))
        scenario, tool = e.get("scenario"), e.get("tool")
        if (
            isinstance(scenario, list)
            and isinstance(tool, list)
            and len(scenario) == len(tool) == len(per_core)
        ):
            self.cpu_split.append((t, [float(p) for p in scenario], [float(p) for p in tool]))

    def _on_procs(self, e: ProcsEvent, t: float) -> None:
        rss = 0
        for pid, _name, cpu_s, *more in e["rows"]:
            self._saw_cpu(pid, cpu_s)
            rss += more[0] if more else 0
        self.peak_rss_bytes = max(self.peak_rss_bytes, rss)

    def _on_threads(self, e: ThreadsEvent, t: float) -> None:
        """Which core each live task's thread was seen on, and a pool item's thread state
        (from /proc). asyncio tasks share their loop's thread."""
        for _pid, tid, state, _cpu_s, core in e["rows"]:
            for task in self._live_on.get(tid, {}).values():
                if core is not None:
                    task.cores.add(core)
                if task.kind == TaskKind.PROCESS:
                    task.proc_states.append((t, state))

    def _list_live(self, task: Task) -> None:
        self._live[task.id] = task
        if task.tid:
            self._live_on.setdefault(task.tid, {})[task.id] = task

    def _unlist_live(self, task: Task) -> None:
        self._live.pop(task.id, None)
        on = self._live_on.get(task.tid or 0)
        if on is not None:
            on.pop(task.id, None)
            if not on:
                del self._live_on[task.tid or 0]

    # -- questions the views ask ------------------------------------------------------------
    def visible_tasks(self) -> list[Task]:
        return [self.tasks[i] for i in self.order]

    def task_label(self, task_id: str | None) -> str:
        task = self.tasks.get(task_id or "")
        return task.label if task else "?"

    def describe_cause(self, cause: Cause) -> str:
        """A cancellation's cause in words (the runner writes them; ``kind`` as a fallback),
        with the message the program passed to ``cancel(msg)``, if any."""
        text = str(cause.get("detail") or cause.get("kind"))
        if cause.get("msg") is not None:
            text += f", message {str(cause['msg'])!r}"
        return text

    def gil_wait_ms(self, q: float) -> float | None:
        """The GIL probe's acquire latency at percentile ``q``, in ms, over the whole run."""
        value = percentile(self._sorted("gil_lags_us"), q, presorted=True)
        return None if value is None else value / 1000

    def loop_lag_ms_at(self, q: float) -> float | None:
        """Event-loop lag at percentile ``q`` (100: the worst), in ms, over the whole run."""
        value = percentile(self._sorted("loop_lags_us"), q, presorted=True)
        return None if value is None else value / 1000

    def _sorted(self, name: str) -> list[int]:
        """A sorted copy of a growing list, sorted again only when it grew."""
        values = getattr(self, name)
        cached = self._sorted_cache.get(name)
        if cached is None or cached[0] != len(values):
            cached = self._sorted_cache[name] = (len(values), sorted(values))
        return cached[1]

    def _saw_cpu(self, pid: int, cpu_s: float) -> None:
        if pid not in self._cpu_final:
            self.proc_cpu_s[pid] = max(self.proc_cpu_s.get(pid, 0.0), cpu_s)

    @property
    def scenario_cpu_s(self) -> float:
        """CPU seconds of the runner and every process it started (latest reading of each),
        less what the runner used before the program began."""
        before = self.cpu_before_start
        return sum(max(0.0, cpu_s - before.get(pid, 0.0)) for pid, cpu_s in self.proc_cpu_s.items())

    @property
    def startup_cpu_s(self) -> float | None:
        """What the runner and the processes it had started (a pool's server) used before the
        program began, not counted as the scenario's; None where it was not said (a recording
        from before it was)."""
        return sum(self.cpu_before_start.values()) if self.cpu_before_start else None

    def load_split(self, last: int | None = None) -> tuple[float, float, float] | None:
        """Cores' worth of CPU used by the run, by concur-tui itself and by everything else,
        on average over the last ``last`` samples (all when None); None when not measured."""
        samples = self.cpu_split[-last:] if last else self.cpu_split
        if not samples:
            return None
        by_time = dict(self.cpu)
        run = tool = other = 0.0
        for t, scenario, own in samples:
            run += sum(scenario)
            tool += sum(own)
            # The machine's busy time less the run's and ours, whole: a thread counted on the
            # core it was last seen on moves time between cores, not out of the machine.
            other += max(0.0, sum(by_time.get(t, [])) - sum(scenario) - sum(own))
        n = 100 * len(samples)
        return run / n, tool / n, other / n

    def core_shares(self, last: int | None = None) -> list[tuple[float, float]] | None:
        """Per core, the percent concur-tui itself and other programs used, on average over
        the last ``last`` samples (all when None); None when not measured."""
        samples = self.cpu_split[-last:] if last else self.cpu_split
        if not samples:
            return None
        by_time = dict(self.cpu)
        cores = len(samples[0][1])
        tool, other = [0.0] * cores, [0.0] * cores
        for t, scenario, own in samples:
            total = by_time.get(t, [])
            for i, (a, s, o) in enumerate(zip(total, scenario, own, strict=False)):
                tool[i] += o
                other[i] += max(0.0, a - s - o)
        n = len(samples)
        return [(tool[i] / n, other[i] / n) for i in range(cores)]

    def machine_busy(self, last: int | None = LOAD_WINDOW) -> float | None:
        """Cores' worth other programs used lately, when it is enough to slow the run
        (``BUSY_CORES``); None otherwise."""
        split = self.load_split(last)
        return split[2] if split and split[2] > BUSY_CORES else None

    def cores_used(self) -> list[int]:
        used: set[int] = set()
        for task in self.tasks.values():
            used |= task.cores
        return sorted(used)

    def stdout_text(self) -> str:
        return self.stream_text("stdout")

    def stream_text(self, stream: str) -> str:
        """What the program wrote to ``stream``, line by line in the order the lines were begun
        (pieces from the runner, its workers and the pipe arrive in their own order, each
        process's in the order it wrote them; their stamps tell)."""
        lines: list[tuple[float, int, str]] = []  # (when begun, arrival order, text)
        unfinished: dict[int, tuple[float, int, str]] = {}  # pid -> its line without "\n" yet
        for t, name, text, pid in self.output:
            if name != stream or not text:
                continue
            began, order, head = unfinished.pop(pid, (t, len(lines) + len(unfinished), ""))
            *done, rest = text.split("\n")
            for part in done:
                lines.append((began, order, head + part + "\n"))
                began, order, head = t, len(lines) + len(unfinished), ""
            if rest:
                unfinished[pid] = (began, order, head + rest)
        lines.extend(unfinished.values())
        return "".join(text for _, _, text in sorted(lines))


BURST = 50  # more tasks than this starting (or finishing) within BURST_S make one log line
BURST_S = 0.1
BURST_KINDS: tuple[LogKind, ...] = ("started", "finished")
HOLD_S = 0.2


class LogMerge:
    """The run's log in time order, for a view that only appends.

    Entries come from the runner, its workers and the supervisor, each stamped by its own
    clock reading, and arrive up to one observer window (50 ms) out of order. An entry is
    released once the live edge is ``HOLD_S`` past it (all of them once the run ended), so
    what is released is in time order. Many tasks starting or finishing within ``BURST_S``
    become one entry, stamped with the first.
    """

    def __init__(self, hold_s: float = HOLD_S) -> None:
        self.hold_s = hold_s
        self._seen = 0
        self._order = 0
        self._pending: list[tuple[float, int, LogEntry]] = []

    def take(self, model: RunModel) -> list[LogEntry]:
        for entry in model.log_since(self._seen):
            heapq.heappush(self._pending, (entry.t, self._order, entry))
            self._order += 1
        self._seen = model.log_count
        horizon = math.inf if model.ended is not None else model.now() - self.hold_s
        released: list[LogEntry] = []
        while self._pending and self._pending[0][0] <= horizon:
            released.append(heapq.heappop(self._pending)[2])
        return _collapse_bursts(released, model)


def _collapse_bursts(entries: list[LogEntry], model: RunModel) -> list[LogEntry]:
    """Runs of more than ``BURST`` same-kind task entries within ``BURST_S`` become one."""
    out: list[LogEntry] = []
    i = 0
    while i < len(entries):
        first = entries[i]
        j = i + 1
        if first.kind in BURST_KINDS:
            while (
                j < len(entries)
                and entries[j].kind == first.kind
                and entries[j].t - first.t <= BURST_S
            ):
                j += 1
        if j - i > BURST:
            last = entries[j - 1]
            names = f"{model.task_label(first.task_id)} … {model.task_label(last.task_id)}"
            text = f"{j - i:,} tasks {first.kind} ({names}; each is a row on the timeline)"
            out.append(LogEntry(first.t, first.kind, text))
        else:
            out.extend(entries[i:j])
        i = j
    return out
