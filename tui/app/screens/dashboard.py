"""The dashboard: one run, every pane, fed by polling an event source from the UI thread.

The screen owns the model. A timer drains the source (a live RunSession whose
own threads do the blocking reads, or a replay), feeds the model, and hands the
model to each pane; panes only draw. The runner is another process, so the UI
keeps its frame rate however hard the scenario works.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, ScrollableContainer, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane

from tui.app.source import EventSource, SourceFactory
from tui.app.widgets.cpu_pane import CpuPane
from tui.app.widgets.event_log import EventLog
from tui.app.widgets.gil_pane import GilPane
from tui.app.widgets.loop_pane import LoopPane
from tui.app.widgets.run_status import RunStatus
from tui.app.widgets.source_view import SourceView
from tui.app.widgets.task_detail import TaskDetail
from tui.app.widgets.timeline import Timeline
from tui.model.run import RunModel

POLL_S = 1 / 15


class DashboardScreen(Screen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "rerun", "Rerun"),
        Binding("c", "cancel_run", "Cancel run"),
        Binding("x", "cancel_task", "Cancel task"),
        Binding("p", "pause", "Pause view"),
        Binding("plus,equals_sign", "zoom(2)", "Zoom in", key_display="+"),
        Binding("minus", "zoom(0.5)", "Zoom out", key_display="-"),
        Binding("question_mark", "app.help", "Help", key_display="?"),
        Binding("escape", "back", "Back"),
        Binding("q", "app.quit", "Quit"),
        Binding("l", "tab('log')", "Log", show=False),
        Binding("t", "tab('task')", "Task", show=False),
        Binding("s", "tab('source')", "Source", show=False),
    ]

    def __init__(
        self, factory: SourceFactory, source_text: str = "", title: str = "", source_name: str = ""
    ) -> None:
        super().__init__()
        self.factory = factory
        self.source: EventSource = factory()
        self.model = RunModel(clock=self.source.clock)
        self.source_text = source_text
        self.run_title = title
        self.source_name = source_name or "\0"  # the file whose lines a stall may name
        self.paused = False
        self._notes_seen = 0
        self._drawn_version = -1
        self._stalls_shown = 0

    def compose(self) -> ComposeResult:
        yield RunStatus(id="status")
        with Horizontal(id="main"):
            yield Timeline(id="timeline")
            with VerticalScroll(id="side"):
                yield CpuPane(id="cpu")
                yield GilPane(id="gil")
                yield LoopPane(id="loop")
        with TabbedContent(id="bottom", initial="log"):
            with TabPane("Log", id="log"):
                yield EventLog(id="event-log")
            with TabPane("Task", id="task"), VerticalScroll():
                yield TaskDetail(id="task-detail")
            with TabPane("Source", id="source"), ScrollableContainer():
                yield SourceView(self.source_text, id="source-view")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#timeline").border_title = "Timeline"
        self.query_one("#cpu").border_title = "CPU per core"
        self.query_one("#gil").border_title = "GIL"
        self.query_one("#loop").border_title = "Event loop lag"
        self.query_one(Timeline).focus()
        self.source.start()
        self._poll()
        self.set_interval(POLL_S, self._poll)
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _theme_changed(self) -> None:
        self._drawn_version = -1  # redraw on the next tick, in the new colours

    def on_unmount(self) -> None:
        self.source.kill()

    # -- the loop that feeds the model ------------------------------------------------------
    def _poll(self) -> None:
        events = self.source.drain()
        if events:
            self.model.feed_many(events)
            for note in self.model.notes[self._notes_seen :]:
                self.notify(note, title="From the runner", severity="warning", timeout=8)
            self._notes_seen = len(self.model.notes)
        if self.paused:
            return
        if self.model.version != self._drawn_version or (
            self.model.ended is None and self.source.live
        ):
            self.redraw()

    def redraw(self) -> None:
        model = self.model
        self._drawn_version = model.version
        self.query_one(RunStatus).show(model, self.paused)
        timeline = self.query_one(Timeline)
        timeline.show(model)
        self.query_one(CpuPane).show(model)
        self.query_one(GilPane).show(model)
        loop = self.query_one(LoopPane)
        loop.display = bool(model.loop_lag_ms.points or model.stalls)
        if loop.display:
            loop.show(model)
        self.query_one(EventLog).show(model)
        if len(model.stalls) != self._stalls_shown:
            self._stalls_shown = len(model.stalls)
            lines = {stall.line for stall in model.stalls if stall.file.endswith(self.source_name)}
            self.query_one(SourceView).show(self.source_text, lines or None)
        task = timeline.highlighted_task
        self.query_one(TaskDetail).show(model, task.id if task else None)

    # -- messages from the panes ------------------------------------------------------------
    def on_timeline_highlighted(self, message: Timeline.Highlighted) -> None:
        self.query_one(TaskDetail).show(self.model, message.task_id)

    def on_timeline_selected(self, message: Timeline.Selected) -> None:
        from tui.app.screens.task_screen import TaskScreen

        self.app.push_screen(TaskScreen(self.model, message.task_id))

    # -- actions ----------------------------------------------------------------------------
    def action_rerun(self) -> None:
        self.source.kill()
        self.source = self.factory()
        self.model = RunModel(clock=self.source.clock)
        self._notes_seen = 0
        self._drawn_version = -1
        self._stalls_shown = 0
        self.paused = False
        self.query_one(EventLog).reset()
        self.source.start()
        self._poll()
        self.notify("Started again", timeout=2)

    def action_cancel_run(self) -> None:
        if self.model.ended is not None or not self.source.live:
            self.notify("The run has already ended.", timeout=3)
            return
        self.source.cancel()
        self.notify("Asked the program to stop (it is ended by force after 2 s).", timeout=4)

    def action_cancel_task(self) -> None:
        task = self.query_one(Timeline).highlighted_task
        if task is None:
            self.notify("No task selected.", timeout=3)
        elif task.end is not None:
            self.notify(f"{task.label} has already ended.", timeout=3)
        elif not self.source.live:
            self.notify("This is a replay: nothing runs to cancel.", timeout=3)
        else:
            self.source.cancel_task(task.id)
            self.notify(f"Asked to cancel {task.label}…", timeout=3)

    def action_pause(self) -> None:
        self.paused = not self.paused
        self.query_one(RunStatus).show(self.model, self.paused)
        if not self.paused:
            self.redraw()

    def action_zoom(self, factor: float) -> None:
        timeline = self.query_one(Timeline)
        timeline.zoom_by(factor)
        self.notify(f"zoom ×{timeline.zoom:g}", timeout=1)  # noqa: RUF001

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_back(self) -> None:
        self.source.kill()
        self.app.pop_screen()
