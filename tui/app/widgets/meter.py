"""A one-line gauge: a label, a bar filled to a fraction, and the figure in words."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import RenderResult
from textual.reactive import reactive
from textual.widget import Widget


class Meter(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "meter--label",
        "meter--bar",
        "meter--high",
        "meter--empty",
    }

    DEFAULT_CSS = """
    Meter { height: 1; width: 1fr; }
    Meter > .meter--label { color: $foreground-muted; }
    Meter > .meter--bar { color: $success; }
    Meter > .meter--high { color: $warning; }
    Meter > .meter--empty { color: $foreground 15%; }
    """

    label: reactive[str] = reactive("")
    fraction: reactive[float] = reactive(0.0)
    figure: reactive[str] = reactive("")
    high = 0.9
    """From this fraction up, the bar takes the warning colour."""

    def __init__(self, label: str = "", *, label_width: int = 5, **kwargs) -> None:
        super().__init__(**kwargs)
        self.label = label
        self.label_width = label_width

    def render(self) -> RenderResult:
        figure = f" {self.figure}"
        width = max(1, self.size.width - self.label_width - len(figure))
        filled = round(max(0.0, min(1.0, self.fraction)) * width)
        bar_part = "meter--high" if self.fraction >= self.high else "meter--bar"
        text = Text(no_wrap=True, overflow="crop")
        text.append(
            f"{self.label:<{self.label_width}}"[: self.label_width],
            self.get_component_rich_style("meter--label"),
        )
        text.append("█" * filled, self.get_component_rich_style(bar_part))
        text.append("░" * (width - filled), self.get_component_rich_style("meter--empty"))
        text.append(figure)
        return text
