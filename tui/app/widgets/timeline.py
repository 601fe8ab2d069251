"""The timeline: a row per task, spans coloured by state, end markers, a time axis.

A ScrollView drawing with the Line API, like Textual's ``Log`` and Toolong's
log view: only the rows on screen are computed, so ten thousand tasks cost
what forty do. Rows of tasks that ended are cached as Strips. The widget only
draws what the model says (``Task.cells`` picks each cell's dominant state).
"""

from __future__ import annotations

import math
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.app.format import short_cause
from tui.app.themes import large_glyphs
from tui.app.widgets.growing import GrowingScrollView
from tui.app.widgets.pane import Place
from tui.events import TaskState
from tui.marks import OUTCOME_MARKS, STATE_MARKS, outcome_glyphs, state_glyphs, status_mark
from tui.model.run import STATE_MEANING, RunModel, Task
from tui.runner.observer import WINDOW_NS
from tui.supervisor.attribution import QUIET_SWEEP_S, SWEEP_S

MIN_SPAN_S = 1.0
MAX_ZOOM = 4096.0
OUTCOMES = tuple(OUTCOME_MARKS)
MARK_PARTS = (*STATE_MARKS, *OUTCOMES)  # a component class each, coloured by the theme


class Timeline(GrowingScrollView, ScrollView, can_focus=True):
    """One row per task over a shared time axis, under a legend and the axis."""

    TITLE: ClassVar[str] = "Timeline"
    HELP: ClassVar[str] = f"""
One row per task: a thread, a process-pool work item, a call submitted to a thread pool
or an asyncio task. Each cell shows the state the task spent most of that slice of time in:

{chr(10).join(f"- `{m.glyph}` **{m.word}**: {STATE_MEANING[TaskState(s)]}" for s, m in STATE_MARKS.items())}

How: hooks in the runner mark every sleep, blocking call, asyncio step and executor
queue with the clock; each thread's CPU time comes from its own CPU clock every
{WINDOW_NS / 1e6:.0f} ms. Why a thread is off-CPU where no hook knows comes from the kernel:
about {1 / SWEEP_S:.0f} times a second ({1 / QUIET_SWEEP_S:.0f} while the program's threads hardly
run, or only compute, alone or taking turns with the GIL: nothing to tell apart) the dashboard reads each thread's `/proc/.../syscall` and `schedstat`. A futex wait
on its process's GIL (found at start by watching a thread wait for it) is **GIL wait**, any other futex **blocked**, reads, polls and child waits **I/O**, a
runnable thread without a core **core wait**. Inside one window the amounts are measured but
their order is not. Where `/proc` can't be read this is said once, and time no hook
explains shows as waiting.

End markers: {", ".join(f"`{m.glyph}` {m.word}" for m in OUTCOME_MARKS.values())}; a
timeout is a `wait_for` or `asyncio.timeout` that expired, and the task's details say what
cancelled a task (the timeout, the TaskGroup whose sibling failed, `asyncio.run` at exit,
you).
"""
    PLACE: ClassVar[Place] = "main"
    ID: ClassVar[str] = "timeline"
    DRAWN_HIDDEN: ClassVar[bool] = False

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"timeline--{part}" for part in MARK_PARTS} | {
        "timeline--live",
        "timeline--cursor",
        "timeline--axis",
        "timeline--name",
    }

    DEFAULT_CSS = (
        """
    Timeline {
        background: $surface;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    Timeline > .timeline--live { color: $foreground-muted; }
    Timeline > .timeline--cursor { background: $primary 40%; text-style: bold; }
    Timeline > .timeline--axis { color: $foreground-muted; }
    Timeline > .timeline--name { color: $foreground; }
    Timeline:focus > .timeline--cursor { background: $primary 70%; }
    """
        + "\n".join(f"Timeline > .timeline--{s} {{ color: $state-{s}; }}" for s in STATE_MARKS)
        + "\n"
        + "\n".join(
            f"Timeline > .timeline--{o} {{ color: $outcome-{o}; text-style: bold; }}"
            for o in OUTCOMES
        )
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False, key_display="↑"),
        Binding("down", "cursor(1)", "Down", show=False, key_display="↓"),
        Binding("pageup", "page(-1)", "Page up", show=False, key_display="PgUp"),
        Binding("pagedown", "page(1)", "Page down", show=False, key_display="PgDn"),
        Binding("home", "first", "First task", show=False, key_display="Home"),
        Binding("end", "last", "Last task", show=False, key_display="End"),
        Binding(
            "left",
            "pan(-1)",
            "Earlier",
            show=False,
            key_display="←",
            tooltip="look earlier (stops following the live edge)",
        ),
        Binding("right", "pan(1)", "Later", show=False, key_display="→", tooltip="look later"),
        Binding("f", "follow", "Follow live edge", show=False),
        Binding("enter", "select", "Details", show=False, tooltip="the selected task's details"),
    ]

    cursor: reactive[int] = reactive(0, init=False)
    zoom: reactive[float] = reactive(1.0, init=False)

    class Highlighted(Message):
        """The cursor moved to another task."""

        def __init__(self, task_id: str | None) -> None:
            super().__init__()
            self.task_id = task_id

    class Selected(Message):
        """The person asked for a task's details."""

        def __init__(self, task_id: str) -> None:
            super().__init__()
            self.task_id = task_id

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.model: RunModel | None = None
        self.follow = True
        self.view_end = 0.0
        self._name_width = 8
        self._named = 0
        self._cache: LRUCache[tuple, Strip] = LRUCache(4096)
        self._styles: dict[str, Style] = {}
        self._window = (0.0, MIN_SPAN_S)
        self._highlighted: str | None = None
        self._drawn_frame: tuple = ()
        self._drawn_ended: set[str] = set()
        self._glyphs = state_glyphs()
        self._ends = outcome_glyphs()
        self._legend_cache: tuple[int, list[Strip]] = (-1, [])

    # -- feeding ----------------------------------------------------------------------------
    def show(self, model: RunModel) -> None:
        """Draw ``model`` (a new one on rerun); call again whenever it changed."""
        if model is not self.model:
            self.model = model
            self._named = 0
            self._name_width = 8
            self._cache.clear()
            self.cursor = 0
            self.zoom = 1.0
            self.follow = True
        order = model.order
        for task_id in order[self._named :]:
            self._name_width = max(self._name_width, min(28, len(model.tasks[task_id].label)))
        self._named = len(order)
        self.virtual_size = Size(self.size.width, len(order) + self.header_lines)
        self._post_highlight()
        self._refresh_changed()

    def _refresh_changed(self) -> None:
        """Repaint what a tick changed: everything when the axis or the rows moved, else the
        rows of tasks still live or ended since, and the axis line. A live run's tick then
        repaints a few lines, not the widget: repainting unchanged rows at every tick was
        most of the dashboard's CPU."""
        model = self.model
        assert model is not None
        top, header = round(self.scroll_y), self.header_lines
        rows = model.order[top : top + max(0, self.size.height - header)]
        frame = (self.window(), self.size, top, len(model.order), self.cursor, self.follow, header)
        ended = {task_id for task_id in rows if model.tasks[task_id].end is not None}
        if frame != self._drawn_frame:
            self._drawn_frame = frame
            self.refresh()
        else:
            width = self.size.width
            for y, task_id in enumerate(rows, header):
                if task_id not in ended or task_id not in self._drawn_ended:
                    self.refresh(Region(0, y, width, 1))
            self.refresh(Region(0, header - 1, width, 1))  # the axis says whether it is live
        self._drawn_ended = ended

    def on_resize(self) -> None:
        """The legend may wrap to more or fewer lines at the new width; panes beside it grow
        and shrink as a run goes on: keep the cursor's row in view."""
        self.watch_cursor(self.cursor, self.cursor)
        if self.model is not None:
            self.virtual_size = Size(self.size.width, len(self.model.order) + self.header_lines)

    def reset(self) -> None:
        """The model started over in place (a replay went back): forget what was drawn."""
        self._named = 0
        self._cache.clear()

    @property
    def task_count(self) -> int:
        return len(self.model.order) if self.model else 0

    @property
    def highlighted_task(self) -> Task | None:
        if self.model is None or not self.model.order:
            return None
        return self.model.tasks[self.model.order[min(self.cursor, len(self.model.order) - 1)]]

    # -- the visible window of time -----------------------------------------------------------
    def window(self) -> tuple[float, float]:
        """The [t0, t1) seconds the bars show: the whole run once it ended; while it runs,
        its length rounded up a step (``_live_span``), so the axis stays still while the bars
        grow into it, instead of every row being drawn anew at every tick."""
        model = self.model
        if model is None:
            return (0.0, MIN_SPAN_S)
        start = model.started if model.started is not None else 0.0
        now = model.now()
        whole = max(now - start, MIN_SPAN_S)
        visible = whole / self.zoom
        if self.zoom <= 1.0:
            return (start, start + (whole if model.ended is not None else _live_span(whole)))
        end = now if self.follow else self.view_end
        t0 = max(start, min(end, max(now, start + visible)) - visible)
        return (t0, t0 + visible)

    def zoom_by(self, factor: float) -> None:
        self.zoom = min(MAX_ZOOM, max(1.0, self.zoom * factor))

    def watch_zoom(self) -> None:
        if self.zoom <= 1.0:
            self.follow = True
        self.refresh()

    def action_pan(self, direction: int) -> None:
        t0, t1 = self.window()
        self.follow = False
        self.view_end = t1 + direction * (t1 - t0) / 4
        if self.model is not None and self.view_end >= self.model.now():
            self.follow = True
        self.refresh()

    def action_follow(self) -> None:
        self.follow = True
        self.refresh()

    # -- the cursor ---------------------------------------------------------------------------
    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self.task_count - 1)) if self.task_count else 0

    def watch_cursor(self, old: int, new: int) -> None:
        rows = max(1, self.size.height - self.header_lines)
        top = round(self.scroll_y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + rows:
            self.scroll_to(y=new - rows + 1, animate=False, immediate=True)
        self._post_highlight()
        self.refresh()

    def _post_highlight(self) -> None:
        task = self.highlighted_task
        task_id = task.id if task else None
        if task_id != self._highlighted:
            self._highlighted = task_id
            self.post_message(self.Highlighted(task_id))

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.size.height - self.header_lines - 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self.task_count - 1

    def action_select(self) -> None:
        task = self.highlighted_task
        if task is not None:
            self.post_message(self.Selected(task.id))

    def on_click(self, event: events.Click) -> None:
        if event.y >= self.header_lines:
            self.cursor = round(self.scroll_y) + event.y - self.header_lines
            if event.chain >= 2:
                self.action_select()

    # -- drawing ------------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        """A new theme: its colours, and its glyph set."""
        super().notify_style_update()
        self._styles = {}
        self._cache.clear()
        self._legend_cache = (-1, [])
        large = large_glyphs(self.app.current_theme)
        self._glyphs = state_glyphs(large)
        self._ends = outcome_glyphs(large)

    @property
    def header_lines(self) -> int:
        """The legend's lines (it wraps on a narrow timeline) and the axis."""
        return len(self._legend_lines(self.size.width)) + 1

    def _base(self) -> Style:
        """The widget's own style, worked out once per theme (a third of a row's cost)."""
        base = self._styles.get("")
        if base is None:
            base = self._styles[""] = self.rich_style
        return base

    def _style(self, part: str) -> Style:
        style = self._styles.get(part)
        if style is None:
            name = f"timeline--{part}"
            style = self._styles[part] = self.get_component_rich_style(name)
        return style

    def _layout(self, width: int) -> tuple[int, int, int]:
        """Widths of the name column, the bars and the outcome column."""
        name = min(self._name_width, max(6, width // 4))
        # Narrow: room for "⊘ by asyncio.run", the cause being what a cancelled row must say.
        outcome = (26 if width >= 90 else 16) if width >= 48 else 2
        return name, max(4, width - name - outcome - 2), outcome

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        legend = self._legend_lines(width)
        if y < len(legend):
            return legend[y]
        if y == len(legend):
            return self._axis(width)
        row = round(self.scroll_y) + y - self.header_lines
        model = self.model
        if model is None or row >= len(model.order):
            return Strip.blank(width, self._base())
        task = model.tasks[model.order[row]]
        t0, t1 = self.window()
        selected = row == self.cursor
        key = (task.id, t0, t1, width, selected)
        if task.end is not None and key in self._cache:
            return self._cache[key]
        strip = self._row(task, t0, t1, width, selected)
        if task.end is not None:
            self._cache[key] = strip
        return strip

    def _row(self, task: Task, t0: float, t1: float, width: int, selected: bool) -> Strip:
        assert self.model is not None
        name_w, bars_w, outcome_w = self._layout(width)
        base = self._base()
        now = self.model.now()
        label = task.label
        if len(label) > name_w:
            label = label[: name_w - 1] + "…"
        name_style = base + (self._style("cursor") if selected else self._style("name"))
        segments = [Segment(f"{label:<{name_w}} ", name_style)]
        cells = task.cells(t0, t1, bars_w, now)
        chars = [self._glyphs[c] if c else " " for c in cells]
        styles: list[Style | None] = [self._style(c) if c else None for c in cells]
        if task.end is not None and t0 <= task.end <= t1:
            at = min(bars_w - 1, int((task.end - t0) / (t1 - t0) * bars_w))
            chars[at] = self._ends.get(task.outcome, "?")
            styles[at] = (
                self._style(task.outcome) if task.outcome in OUTCOMES else self._style("axis")
            )
        run_start = 0
        for i in range(1, bars_w + 1):
            if i == bars_w or styles[i] is not styles[run_start]:
                style = styles[run_start]
                segments.append(
                    Segment("".join(chars[run_start:i]), base + style if style else base)
                )
                run_start = i
        segments.append(Segment(" ", base))
        marked = task.end is not None and t0 <= task.end <= t1
        segments.append(self._outcome(task, outcome_w, base, marked))
        return Strip(segments, width).crop_extend(0, width, base)

    def _outcome(self, task: Task, width: int, base: Style, marked: bool) -> Segment:
        """The outcome in words; its mark too when the end is outside the visible window."""
        status = status_mark(task.outcome, task.queued)
        mark = (
            self._glyphs[TaskState.QUEUED]
            if task.queued
            else self._ends.get(task.outcome, status.glyph)
        )
        style = base + (
            self._style(task.outcome) if task.outcome in OUTCOMES else self._style("live")
        )
        if width <= 2:
            return Segment(" " if marked else mark, style)
        word = status.word
        short = short_cause(task.cancelled_by) if task.outcome in ("cancelled", "timeout") else ""
        if short and task.outcome == "timeout":
            short = ""
        text = f"{' ' if marked else mark} {word}" + (f" {short}" if short else "")
        if len(text) > width and short:  # the cause says more than the word the mark repeats
            text = f"{mark} {short}"
        return Segment(f"{text:<{width}}"[:width], style)

    def _legend_lines(self, width: int) -> list[Strip]:
        """Every state's and outcome's glyph and word, wrapped to ``width`` (cached)."""
        if self._legend_cache[0] == width:
            return self._legend_cache[1]
        base = self._base()
        short = width < 90
        items = [
            (self._glyphs[state], mark.short if short else mark.word, state)
            for state, mark in STATE_MARKS.items()
        ] + [
            (self._ends[outcome], mark.short if short else mark.word, outcome)
            for outcome, mark in OUTCOME_MARKS.items()
        ]
        lines: list[list[Segment]] = [[]]
        used = 0
        for glyph, word, part in items:
            cells = len(glyph) + len(word) + 2
            if used and used + cells > width:
                lines.append([])
                used = 0
            lines[-1] += [
                Segment(glyph, base + self._style(part)),
                Segment(f" {word} ", base + self._style("axis")),
            ]
            used += cells
        strips = [Strip(segments).crop_extend(0, max(width, 0), base) for segments in lines]
        self._legend_cache = (width, strips)
        return strips

    def _axis(self, width: int) -> Strip:
        base = self._base()
        style = base + self._style("axis")
        name_w, bars_w, outcome_w = self._layout(width)
        t0, t1 = self.window()
        start = (self.model.started or 0.0) if self.model else 0.0
        span = t1 - t0
        line = [" "] * bars_w
        step = _nice_step(span / max(1, bars_w / 8))
        first = math.ceil((t0 - start) / step - 1e-9) * step
        tick = first
        while tick + start <= t1:
            at = int((tick + start - t0) / span * bars_w)
            label = f"▏{_tick_label(tick, step)}"
            if at + len(label) <= bars_w and all(
                c == " " for c in line[max(0, at - 1) : at + len(label)]
            ):
                line[at : at + len(label)] = label
            tick += step
        caption = "time →" if self.follow else "time (paused view)"
        end = "live" if self.follow and self.model is not None and self.model.ended is None else ""
        text = f"{caption:<{name_w}} " + "".join(line) + f" {end:<{outcome_w}}"
        return Strip([Segment(text, style)]).crop_extend(0, width, base)


LIVE_SPANS = (1, 1.5, 2, 3, 4, 5, 6, 8)


def _live_span(seconds: float) -> float:
    """The first of 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 15… at or above ``seconds``: the bars fill
    at least three quarters of the width, and the axis moves a dozen times a minute."""
    power = 10 ** math.floor(math.log10(seconds))
    for factor in (*LIVE_SPANS, 10):
        if factor * power >= seconds - 1e-9:
            return factor * power
    return 10 * power


def _nice_step(raw: float) -> float:
    """The 1-2-5 step nearest above ``raw``."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def _tick_label(t: float, step: float) -> str:
    if step >= 1:
        return f"{t:.0f}s"
    if step >= 0.1:
        return f"{t:.1f}s"
    if step >= 0.01:
        return f"{t:.2f}s"
    return f"{t * 1000:.0f}ms"
