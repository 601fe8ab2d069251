"""What the dashboard asks of a pane: a title, its part of the help screen, and ``show``.

The dashboard lays its panes out from its list of them, titles them and feeds each the
model on every tick, without knowing one from another; the help screen gathers their
``HELP``. A new pane is its module, one entry in ``DashboardScreen.PANES``, and its
layout in ``app.tcss``.
"""

from __future__ import annotations

from typing import ClassVar, Literal, Protocol

from tui.model.run import RunModel

Place = Literal["main", "side", "tab"]
"""Where the dashboard puts a pane: beside the timeline, in the side column, or in a tab."""


class Pane(Protocol):
    TITLE: ClassVar[str]
    """Its border title, or its tab's label."""
    HELP: ClassVar[str]
    """What its figures mean, how they are measured and their limits (Markdown, may be empty)."""
    PLACE: ClassVar[Place]
    ID: ClassVar[str]
    """Its id, which app.tcss lays out (and a tab's id, for a pane in a tab)."""
    DRAWN_HIDDEN: ClassVar[bool]
    """In a tab not shown, drawn all the same: it appends, and what it skipped would be
    lost (the others are drawn when their tab opens)."""

    def show(self, model: RunModel) -> None:
        """Draw ``model``: called on every tick the model changed, and with a new model."""

    def reset(self) -> None:
        """The model started over (a rerun, a replay gone back): forget what was drawn."""
