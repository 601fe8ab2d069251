"""A scroll view whose content grows as a run goes on (the timeline's rows, the log's lines).

Textual's ``virtual_size`` reactive lays the whole screen out again whenever it changes (~10 ms
of a core at 140x45, and a layout can set off more), though the view's own box stays as it
was. Here a taller content repaints the view, and only a scrollbar that must appear or go
asks for a layout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.geometry import Size
from textual.reactive import Reactive

if TYPE_CHECKING:
    from textual.scroll_view import ScrollView as _Base
else:
    _Base = object


class GrowingScrollView(_Base):
    """Mixed into a scroll view before its widget class (``class Log(GrowingScrollView,
    RichLog)``): a mixin, so its base's default CSS does not come before the widget's."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), repaint=True)

    def watch_virtual_size(self, size: Size) -> None:
        room, styles = self.scrollable_content_region.size, self.styles
        wanted = (
            _shows(styles.overflow_y, size.height > room.height),
            _shows(styles.overflow_x, size.width > room.width),
        )
        if wanted != (self.show_vertical_scrollbar, self.show_horizontal_scrollbar):
            self.refresh(layout=True)
        elif self.show_vertical_scrollbar:
            self.vertical_scrollbar.window_virtual_size = size.height
            self.vertical_scrollbar.refresh()


def _shows(overflow: str, overflows: bool) -> bool:
    """Whether a scrollbar is shown, by the ``overflow`` rule and whether the content does."""
    return overflow == "scroll" or (overflow == "auto" and overflows)
