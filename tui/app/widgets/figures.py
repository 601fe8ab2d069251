"""A Static for text redrawn at every live tick.

``Static.update`` repaints and lays the whole screen out again on every call; from the
dashboard's timer that was most of its CPU. This one repaints only when the text changed,
and asks for a layout only when its height can have changed.
"""

from __future__ import annotations

from textual.content import Content
from textual.visual import VisualType
from textual.widgets import Static


class Figures(Static):
    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        if content == self.content:
            return
        # Against the text shown now, not the last update's: the first update of each figure
        # (a run's start, when the screen is busiest) laid the screen out for nothing.
        width = self.content_region.width
        lines = _line_count(content, width)
        changed = lines < 0 or lines != _line_count(self.content, width)
        super().update(content, layout=layout and changed)


def _line_count(content: VisualType, width: int) -> int:
    """Lines the text takes at ``width`` (-1 when unknown: then it is laid out anew)."""
    if isinstance(content, Content):
        text = content.plain
    elif isinstance(content, str):
        text = content
    else:
        return -1
    if width <= 0:
        return -1
    return sum(max(1, -(-len(line) // width)) for line in text.split("\n"))
