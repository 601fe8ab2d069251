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
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.app.format import OUTCOME_WORD, STATE_CLASSES, short_cause, state_class
from tui.events import TaskOutcome, TaskState
from tui.model.run import STATES, RunModel, Task
from tui.model.summary import OUTCOME_MARK, STATE_CHAR

HEADER_LINES = 2
MIN_SPAN_S = 1.0
MAX_ZOOM = 4096.0
LEGEND_WORDS: dict[str, str] = {
    TaskState.RUNNING: "running",
    TaskState.GIL: "GIL wait",
    TaskState.CORE: "core wait",
    TaskState.WAITING: "waiting",
    TaskState.QUEUED: "queued",
    TaskState.SLEEPING: "sleeping",
    TaskState.IO: "I/O",
    TaskState.BLOCKED: "blocked",
}
OUTCOMES = tuple(TaskOutcome)
LEGEND_SHORT: dict[str, str] = {
    TaskState.RUNNING: "run ",
    TaskState.GIL: "GIL ",
    TaskState.CORE: "core ",
    TaskState.WAITING: "wait ",
    TaskState.QUEUED: "queue ",
    TaskState.SLEEPING: "sleep ",
    TaskState.IO: "I/O ",
    TaskState.BLOCKED: "block ",
    "done": "done ",
    "error": "error ",
    "timeout": "timeout ",
    "cancelled": "cancel",
}


class Timeline(ScrollView, can_focus=True):
    """One row per task over a shared time axis."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *STATE_CLASSES,
        "timeline--done",
        "timeline--error",
        "timeline--timeout",
        "timeline--cancelled",
        "timeline--live",
        "timeline--cursor",
        "timeline--axis",
        "timeline--name",
    }

    DEFAULT_CSS = """
    Timeline {
        background: $surface;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    Timeline > .timeline--done { color: $text-success; text-style: bold; }
    Timeline > .timeline--error { color: $text-error; text-style: bold; }
    Timeline > .timeline--timeout { color: $text-warning; text-style: bold; }
    Timeline > .timeline--cancelled { color: $text-accent; text-style: bold; }
    Timeline > .timeline--live { color: $foreground-muted; }
    Timeline > .timeline--cursor { background: $primary 40%; text-style: bold; }
    Timeline > .timeline--axis { color: $foreground-muted; }
    Timeline > .timeline--name { color: $foreground; }
    Timeline:focus > .timeline--cursor { background: $primary 70%; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First task", show=False),
        Binding("end", "last", "Last task", show=False),
        Binding("left", "pan(-1)", "Earlier", show=False),
        Binding("right", "pan(1)", "Later", show=False),
        Binding("f", "follow", "Follow live edge", show=False),
        Binding("enter", "select", "Details", show=False),
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
        self.virtual_size = Size(self.size.width, len(order) + HEADER_LINES)
        self._post_highlight()
        self.refresh()

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
        """The [t0, t1) seconds the bars show."""
        model = self.model
        if model is None:
            return (0.0, MIN_SPAN_S)
        start = model.started if model.started is not None else 0.0
        now = model.now()
        whole = max(now - start, MIN_SPAN_S)
        visible = whole / self.zoom
        if self.zoom <= 1.0:
            return (start, start + whole)
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
        rows = max(1, self.size.height - HEADER_LINES)
        top = round(self.scroll_y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + rows:
            self.scroll_to(y=new - rows + 1, animate=False, immediate=True)
        self._post_highlight()
        self.refresh()

    def on_resize(self) -> None:
        """Panes beside it grow and shrink as a run goes on: keep the cursor's row in view."""
        self.watch_cursor(self.cursor, self.cursor)

    def _post_highlight(self) -> None:
        task = self.highlighted_task
        task_id = task.id if task else None
        if task_id != self._highlighted:
            self._highlighted = task_id
            self.post_message(self.Highlighted(task_id))

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.size.height - HEADER_LINES - 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self.task_count - 1

    def action_select(self) -> None:
        task = self.highlighted_task
        if task is not None:
            self.post_message(self.Selected(task.id))

    def on_click(self, event: events.Click) -> None:
        if event.y >= HEADER_LINES:
            self.cursor = round(self.scroll_y) + event.y - HEADER_LINES
            if event.chain >= 2:
                self.action_select()

    # -- drawing ------------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = {}
        self._cache.clear()

    def _style(self, part: str) -> Style:
        style = self._styles.get(part)
        if style is None:
            name = state_class(part) or f"timeline--{part}"
            style = self._styles[part] = self.get_component_rich_style(name)
        return style

    def _layout(self, width: int) -> tuple[int, int, int]:
        """Widths of the name column, the bars and the outcome column."""
        name = min(self._name_width, max(6, width // 4))
        outcome = (26 if width >= 90 else 11) if width >= 48 else 2
        return name, max(4, width - name - outcome - 2), outcome

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return self._legend(width)
        if y == 1:
            return self._axis(width)
        row = round(self.scroll_y) + y - HEADER_LINES
        model = self.model
        if model is None or row >= len(model.order):
            return Strip.blank(width, self.rich_style)
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
        base = self.rich_style
        now = self.model.now()
        label = task.label
        if len(label) > name_w:
            label = label[: name_w - 1] + "…"
        name_style = base + (self._style("cursor") if selected else self._style("name"))
        segments = [Segment(f"{label:<{name_w}} ", name_style)]
        cells = task.cells(t0, t1, bars_w, now)
        chars = [STATE_CHAR[c] if c else " " for c in cells]
        styles: list[Style | None] = [self._style(c) if c else None for c in cells]
        if task.end is not None and t0 <= task.end <= t1:
            at = min(bars_w - 1, int((task.end - t0) / (t1 - t0) * bars_w))
            chars[at] = OUTCOME_MARK.get(task.outcome, "?")
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
        status = TaskState.QUEUED if task.queued else task.outcome
        mark = OUTCOME_MARK.get(status, "?")
        style = base + (
            self._style(task.outcome) if task.outcome in OUTCOMES else self._style("live")
        )
        if width <= 2:
            return Segment(" " if marked else mark, style)
        word = OUTCOME_WORD.get(status, task.outcome)
        short = short_cause(task.cancelled_by) if task.outcome in ("cancelled", "timeout") else ""
        if short and task.outcome == "timeout":
            short = ""
        text = f"{' ' if marked else mark} {word}" + (f" {short}" if short else "")
        return Segment(f"{text:<{width}}"[:width], style)

    def _legend(self, width: int) -> Strip:
        base = self.rich_style
        short = width < 90
        segments = []
        for state in STATES:
            word = LEGEND_SHORT[state] if short else f" {LEGEND_WORDS[state]} "
            segments += [
                Segment(STATE_CHAR[state], base + self._style(state)),
                Segment(word, base + self._style("axis")),
            ]
        for outcome in OUTCOMES:
            word = LEGEND_SHORT[outcome] if short else f" {OUTCOME_WORD[outcome]} "
            segments += [
                Segment(OUTCOME_MARK[outcome], base + self._style(outcome)),
                Segment(word, base + self._style("axis")),
            ]
        return Strip(segments).crop_extend(0, width, base)

    def _axis(self, width: int) -> Strip:
        base = self.rich_style
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
