"""concur-tui's Textual app: the scenario picker, the dashboard, help."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui import catalog
from tui.app.hangup import HangupGuard
from tui.app.screens.advise import AdviseScreen
from tui.app.screens.compare import CompareScreen
from tui.app.screens.dashboard import DashboardScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.picker import PickerScreen
from tui.app.source import LiveSource, PlaybackSource, ReplaySource
from tui.app.themes import PROJECTOR, THEMES, mark_variables
from tui.catalog import Scenario
from tui.compare import Advice
from tui.events import Event
from tui.recording import Replay


class ConcurApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "concur-tui"
    HORIZONTAL_BREAKPOINTS: list[tuple[int, str]] | None = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS: list[tuple[int, str]] | None = [(0, "-short"), (34, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        # The tooltips are the help screen's words for each key (tui.app.screens.help).
        Binding(
            "q",
            "quit",
            "Quit",
            tooltip="quit from anywhere but a text field (ends the run and every process it"
            " started)",
        ),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="this help"),
        Binding(
            "f2",
            "toggle_projector",
            "Projector theme",
            show=False,
            tooltip="projector theme: high contrast, large glyphs; again for the theme before"
            " (--projector)",
        ),
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            show=False,
            priority=True,
            tooltip="quit from anywhere, a text field too (ctrl+c too, but in a text field)",
        ),
    ]

    def __init__(
        self,
        extra_scenarios: Iterable[Scenario] = (),
        start: tuple[Scenario, dict[str, Any]] | None = None,
        replay: Replay | list[Event] | None = None,
        replay_until_s: float | None = None,
        record: Path | None = None,
        compare_pythons: list[str] | None = None,
        wall_clock: Callable[[], float] = time.monotonic,
        projector: bool = False,
    ) -> None:
        """``replay``: a ``Replay`` is played (pause, step, seek and speed keys); a list of
        events is shown at once, its clock stopped at ``replay_until_s`` (or its end).
        ``record``: where the ``start`` run is saved as a recording when it ends or the app
        quits (``record_message`` then says how that went). ``compare_pythons``: the only
        other interpreters the Compare screen may run (served pages), instead of a field.
        ``wall_clock`` moves a played replay on (tests pass their own, so playing does not
        depend on the machine's load). ``projector``: start in the
        projector theme."""
        super().__init__()
        for theme in THEMES:
            self.register_theme(theme)
        self._theme_before_projector = self.theme
        if projector:
            self.theme = PROJECTOR.name
        self.scenarios = catalog.builtins() + list(extra_scenarios)
        self.start = start
        self.replay = replay
        self.replay_until_s = replay_until_s
        self.record = record
        self.record_message: str | None = None
        self.compare_pythons = compare_pythons
        self.wall_clock = wall_clock

    def on_mount(self) -> None:
        # Asked to stop from outside (kill, a closed terminal): quit as `q` does, so every
        # run ends and the terminal is given back in the state it was found.
        # Interrupted, so exit code 130, as `run` does.
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(
                    sig, lambda: self.call_later(self.action_quit, catalog.EXIT_INTERRUPTED)
                )
        if not self.is_headless:  # a closed terminal: see HangupGuard
            with contextlib.suppress(ValueError):  # not on the main thread
                HangupGuard(self).install()
        self.push_screen(PickerScreen(self.scenarios))
        if self.start is not None:
            self.start_run(*self.start, record=self.record)
        elif self.replay is not None:
            self.start_replay(self.replay, self.replay_until_s)

    def start_run(
        self, scenario: Scenario, params: dict[str, Any], record: Path | None = None
    ) -> None:
        self.push_screen(
            DashboardScreen(
                partial(LiveSource, scenario, params),
                scenario.source,
                scenario.title,
                scenario.path.name,
                record=record,
            )
        )

    def start_replay(self, events: Replay | list[Event], until_s: float | None = None) -> None:
        """Open the dashboard on recorded events: a ``Replay`` played, a list shown at once."""
        hello = next((e for e in events if e.get("e") == "hello"), {})
        meta = events.meta if isinstance(events, Replay) else {}
        name = meta.get("scenario") or hello.get("scenario", "")
        # By name among the built-ins only: a recording never makes us read a file it names.
        scenario = catalog.builtin(str(name))
        source = meta.get("source") or (scenario.source if scenario else "")
        file = Path(hello.get("source_file") or "").name or (scenario.path.name if scenario else "")
        factory = (
            partial(PlaybackSource, events, self.wall_clock)
            if isinstance(events, Replay)
            else partial(ReplaySource, events, until_s)
        )
        self.push_screen(DashboardScreen(factory, source, name, file))

    def open_compare(self, workload: str = "io", params: dict[str, Any] | None = None) -> None:
        """The Compare screen, its form preset with ``workload`` and ``params``."""
        self.push_screen(CompareScreen(workload, params, pythons=self.compare_pythons))

    def open_advisor(self) -> None:
        self.push_screen(AdviseScreen(), callback=self.open_advice)

    def open_advice(self, advice: Advice | None) -> None:
        """Open what demonstrates a piece of advice: a comparison, or a scenario running."""
        if advice is None:
            return
        if advice.open_kind == "compare":
            self.open_compare(advice.open_target, advice.open_params)
            return
        scenario = catalog.find(advice.open_target)
        self.start_run(scenario, scenario.resolve(advice.open_params))

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """Each state's and outcome's colour, for a theme that does not set them."""
        return mark_variables(self.current_theme.to_color_system().generate())

    def action_toggle_projector(self) -> None:
        """Into the projector theme, or back to the theme used before it."""
        if self.theme == PROJECTOR.name:
            self.theme = self._theme_before_projector
        else:
            self._theme_before_projector = self.theme
            self.theme = PROJECTOR.name

    def action_help(self) -> None:
        """The help screen is made once and kept: making its Markdown took a second."""
        if not isinstance(self.screen, HelpScreen):
            if not self.is_screen_installed(HelpScreen.NAME):
                self.install_screen(HelpScreen(), HelpScreen.NAME)
            self.push_screen(HelpScreen.NAME)

    async def action_quit(self, return_code: int = catalog.EXIT_OK) -> None:
        """End every run first: nothing the scenario started may outlive the app."""
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen):
                screen.end()
            elif isinstance(screen, CompareScreen):
                await screen.end()
        self.exit(return_code=return_code)

    def action_help_quit(self) -> None:
        """Ctrl+C quits, ending every run, as in any terminal program (Textual would only
        say how to quit). A focused text field still takes Ctrl+C as copy."""
        self.call_later(self.action_quit)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        seen = {"Quit"}
        for active in screen.active_bindings.values():
            binding = active.binding
            if binding.description and binding.description not in seen:
                seen.add(binding.description)
                yield SystemCommand(
                    binding.description,
                    f"key: {binding.key_display or binding.key}",
                    partial(self._run_binding, active.node, binding.action),
                )

    async def _run_binding(self, node: Any, action: str) -> None:
        await self.run_action(action, node)
