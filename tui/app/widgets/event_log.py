"""Log: task lifecycle events with names and times, interleaved with the program's output."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.widgets import RichLog

from tui.model.run import LogEntry, RunModel

KIND_MARK = {
    "started": ("▶", "primary"),
    "finished": ("✓", "success"),
    "failed": ("✗", "error"),
    "timeout": ("◔", "warning"),
    "cancelled": ("⊘", "accent"),
    "cancel": ("⊘", "accent"),
    "stall": ("⚠", "error"),
    "note": ("!", "warning"),
    "dropped": ("⚠", "warning"),
    "run": ("■", "foreground"),
}


MAX_LINES = 20_000  # the oldest lines go first past this
MAX_NEW_OUTPUT = 200  # output lines written per redraw; the rest of a flood is skipped, counted
MAX_LINE = 2_000  # characters of one output line shown
# More than this many tasks starting (or finishing) between two redraws make one line.
BURST = 50
BURST_KINDS = ("started", "finished")


class EventLog(RichLog):
    """Appends what the model learned since the last call; never redraws old lines."""

    DEFAULT_CSS = """
    EventLog { background: $surface; scrollbar-size-vertical: 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(
            wrap=True, markup=False, highlight=False, min_width=20, max_lines=MAX_LINES, **kwargs
        )
        self._log_seen = 0
        self._out_seen = 0
        self._origin = 0.0
        self._partial = ""
        self._stale = False
        self._styles: dict[str, Style] = {}

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._restyle, init=False)

    def _restyle(self) -> None:
        """Lines carry the colours of the theme they were written in: write them again."""
        self._stale = True
        self._styles.clear()

    def reset(self) -> None:
        self.clear()
        self._log_seen = self._out_seen = 0
        self._partial = ""

    def _colour(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self._make_style(name)
        return style

    def _make_style(self, name: str) -> Style:
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
        new = model.log[self._log_seen :]
        self._log_seen = len(model.log)
        for kind in BURST_KINDS:  # thousands of tasks starting at once: one line says it
            burst = [entry for entry in new if entry.kind == kind]
            if len(burst) > BURST:
                new = [entry for entry in new if entry.kind != kind]
                first, last = burst[0], burst[-1]
                names = f"{model.task_label(first.task_id)} … {model.task_label(last.task_id)}"
                text = f"{len(burst):,} tasks {kind} ({names}; each is a row on the timeline)"
                new.append(LogEntry(first.t, kind, text))
        for entry in new:
            mark, colour = KIND_MARK.get(entry.kind, ("•", "foreground"))
            line = Text(
                f"{round(entry.t - origin, 3) + 0.0:7.3f}s ", style=self._colour("foreground-muted")
            )
            line.append(f"{mark} {entry.text}", style=self._colour(colour))
            entries.append((entry.t, line))
        output: list[tuple[float, str, str]] = []
        for t, stream, text in model.output_since(self._out_seen):
            *lines, self._partial = (self._partial + text).split("\n")
            output += [(t, stream, out) for out in lines]
            if len(self._partial) > MAX_LINE:  # a line without end: show it in pieces
                output.append((t, stream, self._partial))
                self._partial = ""
        self._out_seen = model.output_count
        if len(output) > MAX_NEW_OUTPUT:  # a flood: a screen can show only so much
            skipped = len(output) - MAX_NEW_OUTPUT
            output = output[skipped:]
            text = f"… {skipped:,} lines of output not shown (more than a poll can show)"
            entries.append((output[0][0], Text(" " * 9 + text, style=self._colour("warning"))))
        for t, stream, out in output:
            if len(out) > MAX_LINE:
                out = f"{out[:MAX_LINE]}… ({len(out) - MAX_LINE:,} more characters)"
            line = Text(
                f"{round(t - origin, 3) + 0.0:7.3f}s ", style=self._colour("foreground-muted")
            )
            line.append(
                "│ " + out, style=self._colour("error" if stream == "stderr" else "foreground")
            )
            entries.append((t, line))
        if model.ended is not None and self._partial:
            entries.append((model.ended, Text("          │ " + self._partial)))
            self._partial = ""
        if entries:
            # One write for the whole batch: 10 000 tasks starting at once is one poll's news.
            entries.sort(key=lambda item: item[0])
            self.write(Text("\n").join(line for _, line in entries))
