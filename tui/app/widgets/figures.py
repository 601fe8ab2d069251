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
    _lines: int = -1

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        if content == self.content:
            return
        lines = _line_count(content, self.content_region.width)
        super().update(content, layout=layout and lines != self._lines)
        self._lines = lines


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
