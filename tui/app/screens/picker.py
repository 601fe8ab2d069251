"""The first screen: every scenario in the guide's order; the highlighted one's lesson,
parameters and source."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, ScrollableContainer, Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from tui import catalog
from tui.app.screens.fields import LEAVE_FIELD, FieldKeysScreen
from tui.app.widgets.key_footer import KeyFooter
from tui.app.widgets.source_view import SourceView
from tui.catalog import Param, Scenario, UsageError

SECTION_TITLE = {
    "examples": "The guide's examples",
    "lessons": "Its lessons",
    "more": "More to explore",
    "scripts": "Your scripts",
}


def reflow(text: str) -> str:
    """Join a docstring's hard-wrapped lines so the lesson wraps to the pane's width."""
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


class ParamInput(Input):
    """An Input that knows which scenario parameter it edits."""

    def __init__(self, param: Param, value: str) -> None:
        super().__init__(value, id=f"param-{param.name}", classes="param-input")
        self.param = param


class ParamSelect(Select[str]):
    """A Select for a parameter with a fixed set of choices (a workload's ``mode``)."""

    def __init__(self, param: Param, value: str) -> None:
        choices = [str(c) for c in param.choices or ()]
        super().__init__(
            [(c, c) for c in choices],
            value=value if value in choices else str(param.default),
            allow_blank=False,
            id=f"param-{param.name}",
            classes="param-select",
        )
        self.param = param


class PickerScreen(FieldKeysScreen):
    LEAVE_TO = "#scenario-list"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "start", "Run", priority=True, tooltip="start the highlighted scenario"),
        Binding(
            "m",
            "compare",
            "Compare modes",
            tooltip="compare the modes: one workload run sequentially, with threads, processes"
            " and asyncio",
        ),
        Binding(
            "a",
            "advise",
            "Which should I use?",
            tooltip="the guide's questions, its answer, and a way to see it",
        ),
        LEAVE_FIELD,
        Binding("question_mark", "app.help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, scenarios: list[Scenario]) -> None:
        super().__init__()
        self.scenarios = {s.name: s for s in scenarios}
        self.current: Scenario | None = None
        self.edits: dict[str, dict[str, str]] = {}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter opens (and picks in) a focused Select rather than starting the run."""
        if action == "start" and self.focused is not None:
            return not any(isinstance(n, Select) for n in self.focused.ancestors_with_self)
        return super().check_action(action, parameters)

    def compose(self) -> ComposeResult:
        with Horizontal(id="picker"):
            yield OptionList(*self._options(), id="scenario-list")
            with Vertical(id="about"):
                with VerticalScroll(id="about-top"):
                    yield Static(id="scenario-title")
                    yield Static(id="scenario-lesson")
                    yield Vertical(id="params")
                    yield Static(id="params-error")
                with ScrollableContainer(id="source-box"):
                    yield SourceView(id="picker-source")
        yield KeyFooter()

    def _options(self) -> list[Option | None]:
        """A row per scenario under its section: the name people type, then its title."""
        options: list[Option | None] = []
        ordered = sorted(self.scenarios.values(), key=catalog.guide_order)
        for section in catalog.SECTIONS:
            members = [s for s in ordered if catalog.section(s) == section]
            if not members:
                continue
            if options:
                options.append(None)
            title = Content.styled(SECTION_TITLE[section], "bold $text-accent")
            options.append(Option(title, id=f"section:{section}", disabled=True))
            for scenario in members:
                name = scenario.name if scenario.module else scenario.path.name
                prompt = Content.assemble(
                    (f" {name}", "bold"), "\n", (f"   {scenario.title}", "$text-muted")
                )
                options.append(Option(prompt, id=scenario.name))
        return options

    def on_mount(self) -> None:
        self.query_one("#scenario-list").border_title = "Scenarios"
        self.query_one("#source-box").border_title = "Source"
        listing = self.query_one(OptionList)
        listing.focus()
        for index in range(listing.option_count):
            if not listing.get_option_at_index(index).disabled:
                listing.highlighted = index
                break

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        scenario = self.scenarios.get(event.option.id or "")
        if scenario is not None and scenario is not self.current:
            self.run_worker(self.show(scenario), group="show", exclusive=True)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_start()

    async def show(self, scenario: Scenario) -> None:
        self.current = scenario
        self.query_one("#scenario-title", Static).update(
            Content.assemble(
                (scenario.title, "bold"), (f"   {scenario.name} · {scenario.kind}", "$text-muted")
            )
        )
        self.query_one("#scenario-lesson", Static).update(Content(reflow(scenario.lesson)))
        self.query_one(SourceView).show_text(scenario.source)
        self.query_one("#source-box", ScrollableContainer).scroll_home(animate=False)
        box = self.query_one("#params", Vertical)
        await box.remove_children()
        edits = self.edits.setdefault(scenario.name, {})
        rows: list[Widget] = []
        for param in scenario.params:
            limits = ""
            value = edits.get(param.name, str(param.default))
            field: Input | Select[str] = ParamInput(param, value)
            if param.choices:
                limits = f" (one of: {', '.join(map(str, param.choices))})"
                field = ParamSelect(param, value)
            elif param.low is not None or param.high is not None:
                limits = f" ({param.low} to {param.high})"
            rows.append(
                Vertical(
                    Horizontal(
                        Label(Content(param.name), classes="param-name"),
                        field,
                        Label(Content(f"{param.help}{limits}"), classes="param-help"),
                        classes="param-row",
                    ),
                    Static("", classes="param-error", id=f"error-{param.name}"),
                    classes="param",
                )
            )
        if not rows:
            rows.append(Static("No parameters.", classes="param-help"))
        await box.mount_all(rows)
        for param in scenario.params:
            self._check(param, edits.get(param.name, str(param.default)))
        for error in self.query("#params-error").results(Static):  # none once the app quits
            error.update("")

    def _check(self, param: Param, text: str) -> str | None:
        """Validate one field exactly as the CLI does; show the problem under it."""
        try:
            param.parse(text)
            problem = None
        except UsageError as exc:
            problem = str(exc)
        for error in self.query(f"#error-{param.name}").results(Static):
            error.update(Content(problem or ""))
            error.set_class(problem is not None, "-shown")
        for field in self.query(f"#param-{param.name}").results(Input):
            field.set_class(problem is not None, "-invalid")
        return problem

    @on(Input.Changed, ".param-input")
    def _changed(self, event: Input.Changed) -> None:
        assert isinstance(event.input, ParamInput)
        if self.current is None or event.input.param not in self.current.params:
            return  # a field of the scenario shown before, on its way out
        self.edits.setdefault(self.current.name, {})[event.input.param.name] = event.value
        self._check(event.input.param, event.value)

    @on(Select.Changed, ".param-select")
    def _chosen(self, event: Select.Changed) -> None:
        assert isinstance(event.select, ParamSelect)
        if self.current is None or event.select.param not in self.current.params:
            return
        self.edits.setdefault(self.current.name, {})[event.select.param.name] = str(event.value)

    @on(Input.Submitted, ".param-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_start()

    def chosen_params(self) -> dict[str, Any]:
        """The parameters for a run, or UsageError: the same validation as ``--set``."""
        assert self.current is not None
        fields = {field.param.name: field.value for field in self.query(ParamInput)}
        fields |= {field.param.name: str(field.value) for field in self.query(ParamSelect)}
        self.edits[self.current.name] = dict(fields)
        return self.current.resolve(fields)

    def action_start(self) -> None:
        if self.current is None:
            return
        try:
            params = self.chosen_params()
        except UsageError as exc:
            self.query_one("#params-error", Static).update(Content(f"Cannot start: {exc}"))
            self.notify(str(exc), title="Cannot start", severity="error", timeout=4, markup=False)
            return
        self.query_one("#params-error", Static).update("")
        self.app.start_run(self.current, params)  # type: ignore[attr-defined]

    def action_compare(self) -> None:
        self.app.open_compare()  # type: ignore[attr-defined]

    def action_advise(self) -> None:
        self.app.open_advisor()  # type: ignore[attr-defined]
