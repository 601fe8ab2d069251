"""A scenario's source, syntax-highlighted, in colours that suit the current theme."""

from __future__ import annotations

from rich.syntax import Syntax
from textual.widgets import Static

from tui.literal import visible


class SourceView(Static):
    DEFAULT_CSS = """
    SourceView { width: auto; min-width: 100%; height: auto; background: $surface; }
    """

    def __init__(self, source: str = "", **kwargs) -> None:
        super().__init__("", **kwargs)
        self.source = source

    def on_mount(self) -> None:
        self.show(self.source)
        self.watch(self.app, "theme", lambda _: self.show(self.source), init=False)

    def show(self, source: str, highlight_lines: set[int] | None = None) -> None:
        self.source = source
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
