"""Everything measured about one task: where it ran, its times, its state split, how it ended."""

from __future__ import annotations

from typing import ClassVar

from textual.content import Content

from tui.app.format import seconds
from tui.app.widgets.figures import Figures
from tui.app.widgets.pane import Place
from tui.events import TaskKind
from tui.marks import KIND_WORDS, OUTCOME_MARKS, STATE_MARKS, status_mark
from tui.model.run import STATES, RunModel, Task
from tui.model.summary import why


def describe(model: RunModel, task: Task) -> Content:
    now = model.now()
    origin = model.started or 0.0
    where = [f"pid {task.pid}"]
    if task.tid:
        where.append(f"thread id {task.tid}")
    if task.parent:
        where.append(f"started by {model.task_label(task.parent)}")
    if task.worker:
        where.append(f"ran on {model.task_label(task.worker)}")
    cores = ", ".join(str(c) for c in sorted(task.cores)) or "not seen"
    end = "still running" if task.end is None else f"ended {task.end - origin:.3f} s"
    parts: list[Content | str | tuple[str, str]] = [
        (task.label, "bold"),
        f"  ({KIND_WORDS.get(task.kind, task.kind)}",
        f", runs {task.coro})\n" if task.coro else ")\n",
        ", ".join(where) + f"; cores: {cores}\n",
        f"started {task.start - origin:.3f} s, {end}, lasted {seconds(task.duration(now))}\n",
    ]
    split = task.time_in(now)
    life = task.duration(now) or 1.0
    parts.append(
        "time: "
        + "  ".join(
            f"{STATE_MARKS[s].word} {seconds(split[s])} ({split[s] / life * 100:.0f}%)"
            for s in STATES
            if split[s] > 0.0005 or s == "running"
        )
        + "\n"
    )
    if task.kind != TaskKind.ASYNC:
        parts.append(f"GIL wait: {seconds(task.gil_wait_s(now))}\n")
    reasons = why(task, now)
    if reasons:
        parts.append(
            "not running: "
            + "; ".join(
                f"{STATE_MARKS[state].word if state in STATE_MARKS else state}{f' in {what}' if what else ''} {seconds(s)}"
                for state, what, s in reasons
            )
            + "\n"
        )
    status = status_mark(task.outcome)
    style = f"$outcome-{task.outcome}" if task.outcome in OUTCOME_MARKS else "bold"
    parts.append((f"{status.glyph} {status.word}", style))
    if task.cancelled_by:
        parts.append(f": {model.describe_cause(task.cancelled_by)}")
    if task.result:
        parts.append(f"  result: {task.result}")
    parts.append("\n")
    for t, cause in task.cancel_requests:
        parts.append(f"cancel requested at {t - origin:.3f} s: {model.describe_cause(cause)}\n")
    if task.error:
        parts.append((f"error: {task.error}\n", "$error"))
    if task.traceback:
        parts.append((task.traceback.rstrip() + "\n", "$text-muted"))
    if task.kind == "thread" and task.end is None:
        parts.append(
            (
                "x asks to cancel it; Python cannot stop a running thread from outside.",
                "$text-muted",
            )
        )
    return Content.assemble(*parts)


class TaskDetail(Figures):
    """The details of ``task_id`` (the dashboard sets it to the task the timeline highlights)."""

    TITLE: ClassVar[str] = "Task"
    HELP: ClassVar[str] = ""
    PLACE: ClassVar[Place] = "tab"
    ID: ClassVar[str] = "task-detail"
    DRAWN_HIDDEN: ClassVar[bool] = False

    DEFAULT_CSS = """
    TaskDetail { height: auto; padding: 0 1; }
    """

    task_id: str | None = None

    def show(self, model: RunModel) -> None:
        task = model.tasks.get(self.task_id or "")
        if task is None:
            self.update("Select a task in the timeline (↑/↓) to see its details.")
        else:
            self.update(describe(model, task))

    def reset(self) -> None:
        """Nothing is kept between draws."""
