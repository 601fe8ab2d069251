"""Which should I use? The guide's Step 1 questions, its answer, and a way to see it measured.

The answer is ``tui.compare.advise`` (the same as ``concur-tui advise``); opening it dismisses
the modal with the ``Advice``, and the app opens what demonstrates it: the Compare screen
preset with the workload, or the scenario in the dashboard.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from tui.app.screens.fields import LEAVE_FIELD, FieldKeysScreen
from tui.catalog import UsageError
from tui.compare import DOMINANTS, Advice, Dominant, advise

ANSWERS: dict[Dominant, str] = {
    "waiting": "Waiting: network, disk, databases, APIs",
    "computing": "Computing: pure-Python number crunching",
    "both": "Both: a real share of each",
}


class AdviseScreen(FieldKeysScreen, ModalScreen[Advice | None]):
    LEAVE_TO = "#advise-dominant"
    BINDINGS: ClassVar[list[BindingType]] = [
        LEAVE_FIELD,
        Binding("escape", "dismiss(None)", "Close"),
        Binding("o", "open", "Open it"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, dominant: Dominant = "waiting", tasks: int = 4) -> None:
        super().__init__()
        self.dominant = dominant
        self.tasks = tasks
        self.advice: Advice | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="advise-box"):
            yield Label("What does most of your tasks' time go to?", classes="advise-question")
            with RadioSet(id="advise-dominant"):
                for key in DOMINANTS:
                    yield RadioButton(ANSWERS[key], value=key == self.dominant, name=key)
            with Horizontal(id="advise-tasks-row"):
                yield Label("How many tasks at once?", classes="advise-question")
                yield Input(str(self.tasks), id="advise-tasks", type="integer")
            yield Static(id="advise-answer")
            with Horizontal(id="advise-buttons"):
                yield Button("Open it", id="advise-open", variant="primary")
                yield Button("Close", id="advise-close")

    def on_mount(self) -> None:
        box = self.query_one("#advise-box")
        box.border_title = "Which should I use?"
        box.border_subtitle = "o open it · escape close"
        self.query_one(RadioSet).focus()
        self._answer()

    def _answer(self) -> None:
        pressed = self.query_one(RadioSet).pressed_button
        dominant = pressed.name if pressed is not None and pressed.name else "waiting"
        answer = self.query_one("#advise-answer", Static)
        text = self.query_one("#advise-tasks", Input).value.strip()
        try:
            tasks = int(text) if text else 0
            self.advice = advise(dominant, tasks)
        except (UsageError, ValueError) as exc:
            self.advice = None
            answer.update(Content.styled(str(exc), "$text-error"))
            self.query_one("#advise-open", Button).disabled = True
            return
        advice = self.advice
        answer.update(
            Content.assemble(
                ("Use: ", "bold"),
                (advice.recommendation, "bold $text-success"),
                "\n\n",
                advice.why,
                "\n\n",
                ("See it: ", "bold"),
                (advice.command, "$text-accent"),
            )
        )
        button = self.query_one("#advise-open", Button)
        button.disabled = False
        button.label = "Open the comparison" if advice.open_kind == "compare" else "Watch it run"

    @on(RadioSet.Changed)
    @on(Input.Changed)
    def _changed(self) -> None:
        self._answer()

    @on(Input.Submitted)
    @on(Button.Pressed, "#advise-open")
    def _open(self) -> None:
        self.action_open()

    @on(Button.Pressed, "#advise-close")
    def _close(self) -> None:
        self.dismiss(None)

    def action_open(self) -> None:
        if self.advice is not None:
            self.dismiss(self.advice)
