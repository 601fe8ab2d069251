"""CPU: a bar per core with its recent history, and the cores the scenario's tasks ran on."""

from __future__ import annotations

import os
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from tui.app.widgets.figures import Figures
from tui.app.widgets.history import History
from tui.app.widgets.meter import OTHER_CELL, TOOL_CELL, Meter
from tui.app.widgets.pane import Place
from tui.marks import STALL_GLYPH
from tui.model.run import LOAD_WINDOW, RunModel
from tui.model.summary import cpu_mean_per_core
from tui.supervisor.session import SAMPLE_INTERVAL_S

HISTORY = 60


class CpuPane(Vertical):
    TITLE: ClassVar[str] = "CPU per core"
    HELP: ClassVar[str] = f"""
Each core's busy percentage, sampled by the dashboard process every {SAMPLE_INTERVAL_S:g} s
(`/proc/stat`), with its recent history. `*` marks the cores the scenario's threads and processes
were seen running on (`/proc`, the last core each thread ran on). It is the whole machine's
load, the dashboard included.
"""
    PLACE: ClassVar[Place] = "side"
    ID: ClassVar[str] = "cpu"
    DRAWN_HIDDEN: ClassVar[bool] = False

    DEFAULT_CSS = """
    CpuPane { height: auto; }
    CpuPane .core { height: 1; }
    CpuPane .core Meter { width: 3fr; }
    CpuPane .core History { width: 2fr; margin-left: 1; }
    CpuPane #cores-used { color: $foreground-muted; height: auto; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # Kept, not queried at each tick (queries were a third of a tick's cost).
        self._rows: list[tuple[Horizontal, Meter, History]] = []
        self._figures = Figures("waiting for the first sample…", id="cores-used")

    def compose(self) -> ComposeResult:
        # A bar per core of this machine, empty until the first sample: mounted when a run's
        # first samples came, they laid the screen out as the program began. (A recording from
        # a machine with more or fewer cores has its rows made again.)
        self._make_rows(os.cpu_count() or 1)
        yield from (row for row, _, _ in self._rows)
        yield self._figures

    def _make_rows(self, cores: int) -> None:
        self._rows = []
        for i in range(cores):
            meter, bars = Meter(f"cpu{i}"), History(top=100.0, high=90.0)
            self._rows.append((Horizontal(meter, bars, classes="core"), meter, bars))

    def show(self, model: RunModel) -> None:
        if not model.cpu:
            return
        per_core = model.cpu[-1][1]
        if len(per_core) != len(self._rows):
            self.query(".core").remove()
            self._make_rows(len(per_core))
            self.mount_all([row for row, _, _ in self._rows], before=self._figures)
            self.call_after_refresh(self.show, model)
            return
        used = set(model.cores_used())
        # Live: the last sample and the recent past; finished: the run's mean and all of it.
        finished = model.ended is not None
        history = model.cpu if finished else model.cpu[-HISTORY:]
        shown = cpu_mean_per_core(model) if finished else per_core
        # Whose time each bar was: concur-tui's and other programs' (the run's mean once ended).
        shares = model.core_shares(None if finished else 1)
        if not all(row.is_mounted for row, _, _ in self._rows):
            return  # its rows are still being mounted (a busy machine): the next tick draws
        for i, percent in enumerate(shown):
            _, meter, bars = self._rows[i]
            meter.label = f"cpu{i}{'*' if i in used else ''}"
            meter.fraction = percent / 100
            meter.figure = f"{percent:3.0f}%"
            tool, other = shares[i] if shares and i < len(shares) else (0.0, 0.0)
            meter.others = (tool / 100, other / 100)
            bars.whole = finished
            bars.data = [p[i] for _, p in history]
        words = ", ".join(str(c) for c in sorted(used)) or "none seen yet"
        lines = [f"* scenario ran on: {words}"]
        if model.cpu_split and not finished:  # finished, the line is the stall's at 80x24
            lines.append(f"{TOOL_CELL} concur-tui  {OTHER_CELL} other programs")
        busy = model.machine_busy(None if finished else LOAD_WINDOW)
        if busy is not None:
            lines.append(
                f"{STALL_GLYPH} others used {busy:.1f} cores"
            )  # a busy machine, on one line
        self._figures.update("\n".join(lines))
        title = f"{self.TITLE}, run mean" if finished else self.TITLE
        if self.border_title != title:  # setting it repaints the whole pane
            self.border_title = title

    def reset(self) -> None:
        """Nothing is kept between draws (the rows follow the number of cores)."""
