"""A short history as bars, one sample a cell, newest at the right, on a fixed scale.

Textual's ``Sparkline`` rescales every series to its own min..max and stretches
it over the width; that would draw a steady 50 % CPU as a full bar, and move
old samples sideways as new ones arrive. Here 0 is always empty and ``top``
always full, so a glance compares cores, and the GIL with its ceiling.

With ``whole`` set (a finished run) the whole series is drawn over the width
instead, each cell the highest sample of its stretch, so no spike is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

BARS = " ▁▂▃▄▅▆▇█"


class History(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"history--bar", "history--high", "history--base"}

    DEFAULT_CSS = """
    History { height: 1; width: 1fr; }
    History > .history--bar { color: $primary; }
    History > .history--high { color: $warning; }
    History > .history--base { background: $foreground 5%; }
    """

    data: reactive[Sequence[float]] = reactive(tuple)
    top: reactive[float | None] = reactive(1.0)
    """The value drawn as a full cell; None scales to the largest sample."""
    whole: reactive[bool] = reactive(False)
    """Draw every sample over the width (the highest of each cell's share), not the last ones."""
    high: float | None = None
    """Values at or above this take the warning colour."""

    def __init__(
        self,
        data: Sequence[float] = (),
        *,
        top: float | None = 1.0,
        high: float | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.set_reactive(History.data, tuple(data))
        self.set_reactive(History.top, top)
        self.high = high
        self._styles: tuple[Style, Style, Style] | None = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None

    def _part_styles(self) -> tuple[Style, Style, Style]:
        """The base, bar and high styles over the widget's own, worked out once per theme
        (they were most of a redraw's cost)."""
        if self._styles is None:
            base = self.rich_style + self.get_component_rich_style("history--base")
            self._styles = (
                base,
                base + self.get_component_rich_style("history--bar"),
                base + self.get_component_rich_style("history--high"),
            )
        return self._styles

    def render_line(self, y: int) -> Strip:
        """One line of segments (a Rich ``Text`` through ``render()`` cost ten times as much,
        and histories change at every sample)."""
        width = self.size.width
        base, *bars = self._part_styles()
        if y:
            return Strip.blank(width, base)
        values = _squeeze(list(self.data), width) if self.whole else list(self.data)[-width:]
        top = self.top if self.top is not None else max(values, default=0.0)
        segments = [Segment(" " * (width - len(values)), base)] if width > len(values) else []
        run: list[str] = []  # cells of one style, appended at once (a style a cell was slow)
        run_high = False
        for value in values:
            level = 0 if top <= 0 else round(max(0.0, min(1.0, value / top)) * (len(BARS) - 1))
            if value > 0 and level == 0:
                level = 1
            high = self.high is not None and value >= self.high
            if high != run_high and run:
                segments.append(Segment("".join(run), bars[run_high]))
                run = []
            run_high = high
            run.append(BARS[level])
        if run:
            segments.append(Segment("".join(run), bars[run_high]))
        return Strip(segments).simplify().crop_extend(0, width, base)


def _squeeze(values: list[float], width: int) -> list[float]:
    """``values`` in at most ``width`` cells, each the largest of the samples it covers."""
    if len(values) <= width or width <= 0:
        return values
    return [
        max(values[i * len(values) // width : (i + 1) * len(values) // width]) for i in range(width)
    ]
