"""Event loop: how late a callback that should run now actually runs, and what stalled it."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from tui.app.format import millis
from tui.app.widgets.figures import Figures
from tui.app.widgets.history import History
from tui.app.widgets.pane import Place
from tui.marks import STALL_GLYPH
from tui.model.run import RunModel
from tui.runner.asyncio_tasks import LAG_INTERVAL_S
from tui.runner.observer import STALL_NS

SHOWN_STALLS = 3


class LoopPane(Vertical):
    """Shown only once there is an event loop to tell about."""

    TITLE: ClassVar[str] = "Event loop lag"
    HELP: ClassVar[str] = f"""
How late a callback that should run now actually runs: a timer on the loop, due every
{LAG_INTERVAL_S * 1000:g} ms, records how late it runs (it is a callback, not a task, so it is
in no task list). A blocking call inside async code shows as a spike. A **stall** is the loop
missing its beat for more than {STALL_NS / 1e9:g} s; the dashboard then names the file, line
and code the loop's thread was stuck in.
"""
    PLACE: ClassVar[Place] = "side"
    ID: ClassVar[str] = "loop"
    DRAWN_HIDDEN: ClassVar[bool] = False

    DEFAULT_CSS = """
    LoopPane { height: auto; }
    LoopPane #loop-figures { height: 1; }
    LoopPane #loop-stalls { height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield History(top=None, high=50.0, id="loop-history")
        yield Figures("lag: -", id="loop-figures")
        yield Figures("", id="loop-stalls")

    def show(self, model: RunModel) -> None:
        """Live: the lag now and the worst so far; finished: the run's p95 and max, all of it."""
        self.display = bool(model.loop_lag_ms.points or model.stalls)
        if not self.display:
            return
        values = model.loop_lag_ms.values()
        history = self.query_one("#loop-history", History)
        finished = model.ended is not None
        history.whole = finished
        history.data = values if finished else values[-120:]
        worst = f"max {millis(model.loop_lag_ms_at(100))}"
        self.query_one("#loop-figures", Static).update(
            f"lag p95 {millis(model.loop_lag_ms_at(95))}  {worst}"
            if finished
            else f"lag now {millis(model.loop_lag_ms.last())}  {worst}"
        )
        now = model.now()
        parts: list[Content] = []
        for stall in model.stalls[-SHOWN_STALLS:]:
            length = (stall.t1 if stall.t1 is not None else now) - stall.t0
            state = "stuck" if stall.t1 is None else "stalled"
            parts.append(
                Content.assemble(
                    (f"{STALL_GLYPH} {state} {length * 1000:.0f} ms", "$error bold"),
                    " at\n",  # the place on a line of its own: a narrow pane must not cut it
                    (f"{Path(stall.file).name}:{stall.line}", "bold"),
                    "\n",
                    (f"  {stall.code.strip()}", "$text-warning"),
                )
            )
        self.query_one("#loop-stalls", Static).update(
            Content("\n").join(parts) if parts else "no stall"
        )

    def reset(self) -> None:
        """Nothing is kept between draws."""
