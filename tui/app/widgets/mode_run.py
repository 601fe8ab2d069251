"""One mode of a comparison: its state, its elapsed time and a mini timeline of its tasks.

The bars are the Timeline's own drawing (``Task.cells``: each cell's dominant state) over a
time scale the Compare screen shares between every mode, so a mode that took twice as long
is twice as long on screen. The model of a run still going is read only in ``show``, which
the screen calls on the UI thread while the run's thread waits; once ``freeze`` is called the
run is over and its model no longer changes, so it is drawn again freely (a new scale, a
resize).
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import RenderResult
from textual.geometry import Size
from textual.widget import Widget

from tui.app.format import seconds
from tui.app.themes import large_glyphs
from tui.marks import OUTCOME_MARKS, STATE_MARKS, outcome_glyphs, state_glyphs
from tui.model.run import RunModel

NAME_WIDTH = 14
WIDE_NAME_WIDTH = 22  # from a 100-column pane on
MAX_TASKS = 6
MARK_PARTS = (*STATE_MARKS, *OUTCOME_MARKS)
# A finished run is drawn with the mark (glyph and colour) of the task outcome it matches.
RUN_OUTCOME_MARK = {"completed": "done", "failed": "error", "cancelled": "cancelled"}
# A run not finished: its glyph (as the run status bar's) and the part that colours it.
PENDING = {
    "waiting": ("○", "to run", "muted"),
    "running": ("●", "running", "live"),
    "skipped": ("·", "skipped", "muted"),
}


class ModeRun(Widget):
    """A header line (mode, state, elapsed) and one bar per task, up to ``MAX_TASKS``."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"mode-run--{part}" for part in MARK_PARTS} | {
        "mode-run--title",
        "mode-run--live",
        "mode-run--muted",
    }

    DEFAULT_CSS = (
        """
    ModeRun { height: auto; padding: 0 1; }
    ModeRun > .mode-run--title { text-style: bold; }
    ModeRun > .mode-run--live { color: $text-primary; text-style: bold; }
    ModeRun > .mode-run--muted { color: $foreground-muted; }
    """
        + "\n".join(f"ModeRun > .mode-run--{s} {{ color: $state-{s}; }}" for s in STATE_MARKS)
        + "\n"
        + "\n".join(
            f"ModeRun > .mode-run--{o} {{ color: $outcome-{o}; text-style: bold; }}"
            for o in OUTCOME_MARKS
        )
    )

    def __init__(self, mode: str, title: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.mode = mode
        self.title = title or mode
        self.status = "waiting"
        self.elapsed: float | None = None
        self.model: RunModel | None = None
        self.span = 1.0
        self.frozen = False
        self._rows: list[tuple[str, list[str | None], str | None]] = []
        self._hidden = 0

    # -- feeding ----------------------------------------------------------------------------
    def show(self, model: RunModel, span: float) -> None:
        """Take in the run's model as it is now, drawn over ``span`` seconds from its start."""
        self.model = model
        self.span = span
        if not self.frozen:
            self.status = "running" if model.ended is None else (model.outcome or "completed")
            self.elapsed = model.elapsed if model.started is not None else None
        self._snapshot()

    def freeze(self, outcome: str, elapsed: float | None) -> None:
        """The run is over: its model no longer changes."""
        self.frozen = True
        self.status = outcome if outcome in RUN_OUTCOME_MARK else "failed"
        self.elapsed = elapsed
        self._snapshot()

    def mark(self, status: str) -> None:
        """A run that never came: skipped, or cancelled before it produced anything."""
        self.frozen = True
        self.status = status
        self._snapshot()

    def rescale(self, span: float) -> None:
        if self.frozen and span != self.span:
            self.span = span
            self._snapshot()

    def on_resize(self) -> None:
        if self.frozen:
            self._snapshot()

    @property
    def name_width(self) -> int:
        return WIDE_NAME_WIDTH if self.size.width >= 100 else NAME_WIDTH

    def _bars_width(self) -> int:
        return max(8, (self.size.width or 60) - 2 - self.name_width - 4)

    def _snapshot(self) -> None:
        """Work out each task's cells now (the model of a live run is only safe to read now)."""
        model = self.model
        rows: list[tuple[str, list[str | None], str | None]] = []
        self._hidden = 0
        if model is not None and model.started is not None:
            t0 = model.started
            now = model.now()
            tasks = model.visible_tasks()
            self._hidden = max(0, len(tasks) - MAX_TASKS)
            width = self._bars_width()
            for task in tasks[:MAX_TASKS]:
                end_mark = task.outcome if task.end is not None else None
                rows.append((task.label, task.cells(t0, t0 + self.span, width, now), end_mark))
        self._rows = rows
        self.refresh(layout=True)

    # -- drawing ----------------------------------------------------------------------------
    def _style(self, part: str) -> Style:
        return self.get_component_rich_style(f"mode-run--{part}")

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 + len(self._rows) + (1 if self._hidden else 0)

    def render(self) -> RenderResult:
        text = Text(no_wrap=True, overflow="ellipsis")
        large = large_glyphs(self.app.current_theme)
        glyphs, ends = state_glyphs(large), outcome_glyphs(large)
        glyph, word, part = self._status(ends)
        width = self.name_width
        text.append(f"{self.title:<{width + 3}}", self._style("title"))
        text.append(f"{glyph} {word}", self._style(part))
        if self.elapsed is not None:
            text.append(f"  {seconds(self.elapsed)}", self._style("title"))
        for label, cells, outcome in self._rows:
            name = label if len(label) <= width else label[: width - 1] + "…"
            text.append(f"\n  {name:<{width}} ", self._style("muted"))
            for state in cells:
                if state is None:
                    text.append(" ")
                else:
                    text.append(glyphs[state], self._style(state))
            if outcome is not None:
                text.append(f" {ends.get(outcome, '?')}", self._style_outcome(outcome))
        if self._hidden:
            more = f"{self._hidden} more task{'s' if self._hidden > 1 else ''}"
            text.append(f"\n  … {more}", self._style("muted"))
        return text

    def _status(self, ends: dict[str | None, str]) -> tuple[str, str, str]:
        """The header's glyph, word and part (its colour) for the run's status."""
        if self.status in RUN_OUTCOME_MARK:
            outcome = RUN_OUTCOME_MARK[self.status]
            return ends[outcome], self.status, outcome
        return PENDING.get(self.status, ("?", self.status, "muted"))

    def _style_outcome(self, outcome: str) -> Style:
        if outcome in OUTCOME_MARKS:
            return self._style(outcome)
        return self._style("muted")
