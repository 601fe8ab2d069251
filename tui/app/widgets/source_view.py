"""A scenario's source, syntax-highlighted, in colours that suit the current theme; in the
dashboard, the lines a stalled event loop was stuck on are highlighted."""

from __future__ import annotations

from typing import ClassVar

from rich.syntax import Syntax
from textual.widgets import Static

from tui.app.widgets.pane import Place
from tui.literal import visible
from tui.model.run import RunModel


class SourceView(Static):
    TITLE: ClassVar[str] = "Source"
    HELP: ClassVar[str] = ""
    PLACE: ClassVar[Place] = "tab"
    ID: ClassVar[str] = "source-view"
    DRAWN_HIDDEN: ClassVar[bool] = False

    DEFAULT_CSS = """
    SourceView { width: auto; min-width: 100%; height: auto; background: $surface; }
    """

    def __init__(self, source: str = "", file_name: str = "", **kwargs) -> None:
        """``file_name``: the file whose lines a stall may name (``show``)."""
        super().__init__("", **kwargs)
        self.source = source
        self.file_name = file_name or "\0"
        self._lines: set[int] | None = None
        self._stalls_shown = 0

    def on_mount(self) -> None:
        self.show_text(self.source)
        self.watch(
            self.app, "theme", lambda _: self.show_text(self.source, self._lines), init=False
        )

    def show(self, model: RunModel) -> None:
        """Highlight the lines of this file a stall of the event loop was stuck on."""
        if len(model.stalls) == self._stalls_shown:
            return
        self._stalls_shown = len(model.stalls)
        lines = {stall.line for stall in model.stalls if stall.file.endswith(self.file_name)}
        self.show_text(self.source, lines or None)

    def reset(self) -> None:
        self._stalls_shown = -1

    def show_text(self, source: str, highlight_lines: set[int] | None = None) -> None:
        self.source = source
        self._lines = highlight_lines
        dark = self.app.current_theme.dark
        self.update(
            Syntax(
                visible(source, lines=True),  # a file or recording's text, never obeyed
                "python",
                theme="monokai" if dark else "friendly",
                line_numbers=True,
                background_color=self.app.theme_variables.get("surface", "default"),
                highlight_lines=highlight_lines,
                word_wrap=False,
            )
        )
