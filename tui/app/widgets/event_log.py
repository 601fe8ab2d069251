"""Log: task lifecycle events with names and times, interleaved with the program's output."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.widgets import RichLog

from tui.model.run import RunModel

KIND_MARK = {
    "started": ("▶", "primary"),
    "finished": ("✓", "success"),
    "failed": ("✗", "error"),
    "timeout": ("◔", "warning"),
    "cancelled": ("⊘", "accent"),
    "cancel": ("⊘", "accent"),
    "stall": ("⚠", "error"),
    "note": ("!", "warning"),
    "run": ("■", "foreground"),
}


class EventLog(RichLog):
    """Appends what the model learned since the last call; never redraws old lines."""

    DEFAULT_CSS = """
    EventLog { background: $surface; scrollbar-size-vertical: 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(wrap=True, markup=False, highlight=False, min_width=20, **kwargs)
        self._log_seen = 0
        self._out_seen = 0
        self._origin = 0.0
        self._partial = ""
        self._stale = False

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._restyle, init=False)

    def _restyle(self) -> None:
        """Lines carry the colours of the theme they were written in: write them again."""
        self._stale = True

    def reset(self) -> None:
        self.clear()
        self._log_seen = self._out_seen = 0
        self._partial = ""

    def _colour(self, name: str) -> Style:
        variables = self.app.theme_variables
        if name == "foreground" or name not in variables:
            return Style()
        colour = Color.parse(variables.get("surface", "black")) + Color.parse(variables[name])
        return Style(color=colour.rich_color)

    def show(self, model: RunModel) -> None:
        if self._stale:
            self.reset()
            self._stale = False
        origin = model.started or 0.0
        entries: list[tuple[float, Text]] = []
        for entry in model.log[self._log_seen :]:
            mark, colour = KIND_MARK.get(entry.kind, ("•", "foreground"))
            line = Text(
                f"{round(entry.t - origin, 3) + 0.0:7.3f}s ", style=self._colour("foreground-muted")
            )
            line.append(f"{mark} {entry.text}", style=self._colour(colour))
            entries.append((entry.t, line))
        self._log_seen = len(model.log)
        for t, stream, text in model.output[self._out_seen :]:
            text = self._partial + text
            *lines, self._partial = text.split("\n")
            for out in lines:
                line = Text(
                    f"{round(t - origin, 3) + 0.0:7.3f}s ", style=self._colour("foreground-muted")
                )
                line.append(
                    "│ " + out, style=self._colour("error" if stream == "stderr" else "foreground")
                )
                entries.append((t, line))
        self._out_seen = len(model.output)
        if model.ended is not None and self._partial:
            entries.append((model.ended, Text("          │ " + self._partial)))
            self._partial = ""
        for _, line in sorted(entries, key=lambda item: item[0]):
            self.write(line)
