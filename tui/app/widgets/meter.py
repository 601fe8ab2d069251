"""A one-line gauge: a label, a bar filled to a fraction, and the figure in words."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

FULL_CELL, TOOL_CELL, OTHER_CELL = "█", "▓", "▒"


class Meter(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "meter--label",
        "meter--bar",
        "meter--high",
        "meter--empty",
        "meter--tool",
        "meter--other",
    }

    DEFAULT_CSS = """
    Meter { height: 1; width: 1fr; }
    Meter > .meter--label { color: $foreground-muted; }
    Meter > .meter--bar { color: $success; }
    Meter > .meter--high { color: $warning; }
    Meter > .meter--empty { color: $foreground 15%; }
    Meter > .meter--tool { color: $accent; }
    Meter > .meter--other { color: $foreground 55%; }
    """

    label: reactive[str] = reactive("")
    fraction: reactive[float] = reactive(0.0)
    figure: reactive[str] = reactive("")
    others: reactive[tuple[float, float]] = reactive((0.0, 0.0))
    """Of ``fraction``: the parts concur-tui itself and other programs used, drawn apart
    (``TOOL_CELL``, ``OTHER_CELL``) after the rest, which is the run's own."""
    high = 0.9
    """From this fraction up, the bar takes the warning colour."""

    def __init__(self, label: str = "", *, label_width: int = 5, **kwargs) -> None:
        super().__init__(**kwargs)
        self.label = label
        self.label_width = label_width
        self._styles: dict[str, Style] = {}

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = {}

    def _base(self) -> Style:
        """The widget's own style, worked out once per theme."""
        base = self._styles.get("")
        if base is None:
            base = self._styles[""] = self.rich_style
        return base

    def _style(self, part: str) -> Style:
        """A part's style over the widget's own, worked out once per theme (it was most of a
        redraw's cost)."""
        style = self._styles.get(part)
        if style is None:
            style = self._base() + self.get_component_rich_style(f"meter--{part}")
            self._styles[part] = style
        return style

    def render_line(self, y: int) -> Strip:
        """One line of segments (a Rich ``Text`` through ``render()`` cost ten times as much,
        and meters change at every tick)."""
        width = self.size.width
        if y:
            return Strip.blank(width, self._base())
        figure = f" {self.figure}"
        bar_width = max(1, width - self.label_width - len(figure))
        filled = round(max(0.0, min(1.0, self.fraction)) * bar_width)
        tool, other = (min(filled, round(max(0.0, share) * bar_width)) for share in self.others)
        other = min(other, filled - tool)
        own = filled - tool - other
        bar_part = "high" if self.fraction >= self.high else "bar"
        segments = [
            Segment(f"{self.label:<{self.label_width}}"[: self.label_width], self._style("label")),
            Segment(FULL_CELL * own, self._style(bar_part)),
            Segment(TOOL_CELL * tool, self._style("tool")),
            Segment(OTHER_CELL * other, self._style("other")),
            Segment("░" * (bar_width - filled), self._style("empty")),
            Segment(figure, self._base()),
        ]
        strip = Strip([s for s in segments if s.text]).simplify()
        return strip.crop_extend(0, width, self._base())
