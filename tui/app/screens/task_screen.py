"""A task's full details, traceback included, over the dashboard."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from tui.app.widgets.task_detail import TaskDetail
from tui.model.run import RunModel


class TaskScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "dismiss", "Close"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, model: RunModel, task_id: str) -> None:
        super().__init__()
        self.model = model
        self.task_id = task_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="task-box"):
            yield TaskDetail()

    def on_mount(self) -> None:
        self.query_one("#task-box").border_title = "Task"
        self.query_one("#task-box").border_subtitle = "escape to close"
        detail = self.query_one(TaskDetail)
        detail.task_id = self.task_id
        detail.show(self.model)
