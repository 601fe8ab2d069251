"""Compare: one workload run sequentially, with threads, a process pool and asyncio, side by side.

``tui.compare.compare`` runs the modes one after another, each in its own runner process, in
a thread worker. Its callbacks reach the UI thread through ``call_from_thread``, which makes
the worker wait while the UI reads the live model: a model is never read while it is fed.
Each mode gets a ``ModeRun`` (state, elapsed, a mini timeline on a scale shared by all
modes); every finished run adds its row to the table, next to the guide's prediction.
Cancelling sets the ``stop`` event: the run in progress is killed with its process tree and
the rest are skipped. Quitting does the same and waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Button, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from tui import catalog
from tui.app.screens.fields import LEAVE_FIELD, FieldKeysScreen
from tui.app.widgets.compare_table import CompareTable
from tui.app.widgets.key_footer import KeyFooter
from tui.app.widgets.mode_run import ModeRun
from tui.catalog import Param, UsageError
from tui.compare import MODES, SCENARIO, WORKLOADS, CompareResult, Row, compare, probe_python
from tui.compare.table import (
    PREDICTION_HEADING,
    SKIPPED,
    note_lines,
    prediction_lines,
    settings_text,
)
from tui.model.run import RunModel

PARAMS = ("tasks", "io_s", "cpu_work")
PROGRESS_S = 0.1  # the live bars are redrawn at most this often
QUIT_WAIT_S = 10.0
HINT = (
    "r runs the workload sequentially, with threads, with a process pool and with asyncio, "
    "one after another, each in its own process; the table then sets what each measured "
    "next to what the guide predicts. Small workloads show what starting processes costs."
)


class CompareInput(Input):
    """An Input that knows which workload parameter it edits."""

    def __init__(self, param: Param, value: str) -> None:
        super().__init__(value, id=f"compare-{param.name}", classes="compare-input")
        self.param = param
        self.tooltip = param.help


class CompareScreen(FieldKeysScreen):
    LEAVE_TO = "#compare-run"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run", "Run"),
        Binding("c", "cancel", "Cancel"),
        LEAVE_FIELD,
        Binding("escape", "back", "Back / cancel"),
        Binding("question_mark", "app.help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    running: reactive[bool] = reactive(False, bindings=True)

    def __init__(
        self,
        workload: str = "io",
        params: dict[str, Any] | None = None,
        *,
        result: CompareResult | None = None,
        models: dict[str, RunModel] | None = None,
        pythons: list[str] | None = None,
    ) -> None:
        """``workload``/``params``: the form's preset. ``result`` (with the finished runs'
        ``models``, by mode): show a comparison already made instead of running one.
        ``pythons``: fixed other interpreters (a served page must not name a file to run);
        None offers a field to type paths into."""
        super().__init__()
        self.scenario = catalog.find(SCENARIO)
        if result is not None:
            workload, params = result.workload, result.params
        self.workload = workload if workload in WORKLOADS else "io"
        self.preset = {k: v for k, v in (params or {}).items() if k in PARAMS}
        self.result = result
        self.given_models = models or {}
        self.fixed_pythons = pythons
        self.stop = threading.Event()
        self.worker: Worker[CompareResult] | None = None
        self.slots: list[ModeRun] = []
        self._slot = 0
        self._models: dict[int, RunModel] = {}

    # -- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="compare-form"):
            with Vertical(classes="compare-field"):
                yield Label("workload")
                yield Select(
                    [(w, w) for w in WORKLOADS],
                    value=self.workload,
                    allow_blank=False,
                    id="compare-workload",
                )
            for name in PARAMS:
                param = self.scenario.param(name)
                with Vertical(classes="compare-field"):
                    yield Label(name)
                    yield CompareInput(param, str(self.preset.get(name, param.default)))
            with Vertical(classes="compare-field", id="compare-python-field"):
                if self.fixed_pythons is None:
                    yield Label("other pythons (paths)")
                    yield Input(placeholder="e.g. python3.12  (optional)", id="compare-python")
                else:
                    yield Label("other pythons (serve --python)")
                    yield Label(
                        Content(" ".join(self.fixed_pythons) or "none"), id="compare-python-fixed"
                    )
            yield Button("Run", id="compare-run", variant="primary")
        yield Static(id="compare-error")
        yield VerticalScroll(id="compare-runs")
        with VerticalScroll(id="compare-results"):
            yield CompareTable(id="compare-table")
            yield Static(HINT, id="compare-notes")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#compare-runs").border_title = "Runs, one after another"
        self.query_one("#compare-results").border_title = "Measured, and the guide's prediction"
        if self.result is not None:
            self._show_finished(self.result)
        else:
            self._make_slots([sys.executable])
        self.query_one("#compare-run", Button).focus()

    def _make_slots(self, pythons: list[str]) -> None:
        runs = self.query_one("#compare-runs", VerticalScroll)
        runs.remove_children()
        many = len(pythons) > 1
        self.slots = [
            ModeRun(mode, f"{mode} {_short(path)}" if many else mode)
            for path in pythons
            for mode in MODES
        ]
        self._slot = 0
        self._models = {}
        runs.mount_all(self.slots)
        runs.border_subtitle = ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run":
            return not self.running
        if action == "cancel":
            return self.running
        return super().check_action(action, parameters)

    # -- the form -----------------------------------------------------------------------------
    def _check(self, field: CompareInput) -> str | None:
        try:
            field.param.parse(field.value)
            problem = None
        except UsageError as exc:
            problem = str(exc)
        field.set_class(problem is not None, "-invalid")
        return problem

    @on(Input.Changed, ".compare-input")
    def _changed(self, event: Input.Changed) -> None:
        assert isinstance(event.input, CompareInput)
        problem = self._check(event.input)
        self._error(problem or "")

    @on(Input.Submitted)
    @on(Button.Pressed, "#compare-run")
    def _submitted(self) -> None:
        self.action_run()

    def _error(self, text: str) -> None:
        error = self.query_one("#compare-error", Static)
        error.update(text)
        error.set_class(bool(text), "-shown")

    def read_form(self) -> tuple[str, dict[str, Any], list[str]]:
        """The workload, its parameters and the extra interpreters; UsageError if any is wrong."""
        workload = str(self.query_one("#compare-workload", Select).value)
        params: dict[str, Any] = {}
        problems = []
        for field in self.query(CompareInput):
            problem = self._check(field)
            if problem:
                problems.append(problem)
            else:
                params[field.param.name] = field.param.parse(field.value)
        if problems:
            raise UsageError("; ".join(problems))
        if self.fixed_pythons is not None:
            return workload, params, list(self.fixed_pythons)
        pythons = self.query_one("#compare-python", Input).value.split()
        return workload, params, pythons

    def _set_form_disabled(self, disabled: bool) -> None:
        for widget in self.query("#compare-form Select, #compare-form Input, #compare-run"):
            widget.disabled = disabled

    # -- running ------------------------------------------------------------------------------
    def action_run(self) -> None:
        if self.running:
            return
        try:
            workload, params, pythons = self.read_form()
        except UsageError as exc:
            self._error(f"Cannot run: {exc}")
            return
        self._error("")
        self.result = None
        self.stop = threading.Event()
        self._make_slots([sys.executable, *pythons])
        table = self.query_one(CompareTable)
        table.set_python_column(bool(pythons))
        self.query_one("#compare-notes", Static).update(
            "Probing the interpreters…" if pythons else "Running…"
        )
        self.running = True
        self._set_form_disabled(True)
        self.worker = self._compare(workload, params, pythons, self.stop)

    @work(thread=True, exclusive=True, group="compare", exit_on_error=False)
    def _compare(
        self, workload: str, params: dict[str, Any], pythons: list[str], stop: threading.Event
    ) -> CompareResult:
        """The whole comparison, in this worker's thread; the UI hears of it through calls."""
        for path in pythons:  # each extra interpreter, checked before anything runs
            probe_python(path)
        last = 0.0

        def progress(mode: str, model: RunModel) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_S:
                last = now
                self._call(stop, self._progress, mode, model)

        return compare(
            workload,
            params,
            pythons=[sys.executable, *pythons],
            on_progress=progress,
            on_row=lambda row: self._call(stop, self._row, row),
            stop=stop,
        )

    def _call(self, stop: threading.Event, callback: Callable[..., None], *args: Any) -> None:
        """Run ``callback`` on the UI thread and wait for it, unless the comparison is ending."""
        if stop.is_set():
            return
        with contextlib.suppress(RuntimeError):  # the app is closing
            self.app.call_from_thread(callback, *args)

    def _progress(self, mode: str, model: RunModel) -> None:
        slot = self._current(mode)
        if slot is None:
            return
        if self._models.get(self._slot) is not model:
            self._models[self._slot] = model
            python = model.info.get("python")
            if python and slot.title != mode:
                slot.title = f"{mode} {python}"
        slot.show(model, self._span(model.elapsed))
        slot.scroll_visible(animate=False)

    def _row(self, row: Row) -> None:
        slot = self._current(row.mode)
        if slot is None:
            return
        slot.freeze(row.outcome or "failed", row.elapsed_s)
        self.query_one(CompareTable).add(row)
        self._slot += 1
        if len(self.slots) > 1:
            self._span(0.0)

    def _current(self, mode: str) -> ModeRun | None:
        while self._slot < len(self.slots) and self.slots[self._slot].mode != mode:
            self.slots[self._slot].mark("skipped")
            self._slot += 1
        return self.slots[self._slot] if self._slot < len(self.slots) else None

    def _span(self, live: float) -> float:
        """One time scale for every mode: the longest run so far."""
        span = max([live, 0.5] + [s.elapsed or 0.0 for s in self.slots if s.frozen])
        for slot in self.slots:
            slot.rescale(span)
        runs = self.query_one("#compare-runs", VerticalScroll)
        runs.border_subtitle = f"one time scale: 0 to {span:.2f} s"
        return span

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self.worker or event.state in (
            WorkerState.PENDING,
            WorkerState.RUNNING,
        ):
            return
        self.running = False
        self._set_form_disabled(False)
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self._show_finished(event.worker.result)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            for slot in self.slots:
                if not slot.frozen:
                    slot.mark("skipped")
            if isinstance(error, UsageError):
                self._error(f"Cannot run: {error}")
                self.query_one("#compare-notes", Static).update(HINT)
            else:
                self._error(f"The comparison failed: {error!r}")
        else:
            self._show_cancelled()
        self.query_one(CompareTable).focus()

    def _show_finished(self, result: CompareResult) -> None:
        self.result = result
        table = self.query_one(CompareTable)
        if not self.slots or table.row_count != len(result.rows):
            self._rebuild(result)
        if result.interrupted:
            self._show_cancelled()
        self.query_one("#compare-notes", Static).update(notes(result))

    def _rebuild(self, result: CompareResult) -> None:
        """Draw a comparison made elsewhere (a fixed one, for snapshots and screenshots)."""
        many = len(result.interpreters) > 1
        table = self.query_one(CompareTable)
        table.set_python_column(many)
        runs = self.query_one("#compare-runs", VerticalScroll)
        runs.remove_children()
        self.slots = []
        for row in result.rows:
            slot = ModeRun(row.mode, f"{row.mode} {row.python}" if many else row.mode)
            model = self.given_models.get(row.mode) if not many else None
            if model is not None:
                slot.model = model
            slot.freeze(row.outcome or "failed", row.elapsed_s)
            self.slots.append(slot)
            table.add(row)
        self._slot = len(self.slots)
        runs.mount_all(self.slots)
        self._span(0.0)

    def _show_cancelled(self) -> None:
        for slot in self.slots:
            if not slot.frozen:
                slot.mark("cancelled" if slot.model is not None else "skipped")
        self.query_one("#compare-notes", Static).update(
            Content.styled(
                "Cancelled: the run in progress was ended, the rest skipped.", "$warning"
            )
        )

    def action_cancel(self) -> None:
        if self.running:
            self.stop.set()
            self.query_one("#compare-notes", Static).update("Cancelling…")

    def action_back(self) -> None:
        if self.running:
            self.action_cancel()
        else:
            self.app.pop_screen()

    async def end(self) -> None:
        """Stop the comparison and wait until its runs (and their processes) have ended."""
        self.stop.set()
        deadline = time.monotonic() + QUIT_WAIT_S
        worker = self.worker
        while (
            worker is not None
            and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
            and time.monotonic() < deadline
        ):
            await asyncio.sleep(0.05)

    def on_unmount(self) -> None:
        self.stop.set()


def _short(path: str) -> str:
    return path.rsplit("/", 1)[-1] if path != sys.executable else "(this python)"


def notes(result: CompareResult) -> Content:
    """The guide's reasons, the rows' notes and how the run ended, under the table: the
    lines ``concur-tui compare`` prints around its table, styled."""
    pythons = "; ".join(f"{i.label} {i.description}" for i in result.interpreters)
    parts: list[Content | str | tuple[str, str]] = [
        (f"{result.workload} workload", "bold"),
        f", {settings_text(result)}; python {pythons}",
    ]
    predictions = prediction_lines(result)
    if predictions:
        parts.append((f"\n{PREDICTION_HEADING}", "bold"))
        parts += [f"\n{line}" for line in predictions]
    parts += [(f"\n{note}", "$text-warning") for note in note_lines(result)]
    if result.interrupted:
        parts.append((f"\nCancelled: {SKIPPED}.", "$warning"))
    return Content.assemble(*parts)
