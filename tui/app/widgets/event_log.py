"""Log: task lifecycle events with names and times, interleaved with the program's output."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.widgets import RichLog

from tui.app.widgets.growing import GrowingScrollView
from tui.app.widgets.pane import Place
from tui.marks import LOG_GLYPHS
from tui.model.run import LogEntry, LogMerge, RunModel

# The colour of each kind of line (a component class each, so a theme may restyle it).
KIND_COLOUR = {
    "started": "$primary",
    "finished": "$success",
    "failed": "$error",
    "timeout": "$warning",
    "cancelled": "$accent",
    "cancel": "$accent",
    "stall": "$error",
    "note": "$warning",
    "dropped": "$warning",
    "run": "$foreground-muted",
    "stderr": "$error",
    "output": "$foreground-muted",
    "time": "$foreground-muted",
}


MAX_LINES = 20_000  # the oldest lines go first past this
MAX_NEW_OUTPUT = 200  # output lines written per redraw; the rest of a flood is skipped, counted
MAX_LINE = 2_000  # characters of one output line shown


class EventLog(GrowingScrollView, RichLog):
    """Appends what the model's log released since the last call; never redraws old lines, nor
    lays the screen out for a new one (``GrowingScrollView``)."""

    TITLE: ClassVar[str] = "Log"
    HELP: ClassVar[str] = ""
    PLACE: ClassVar[Place] = "tab"
    ID: ClassVar[str] = "event-log"
    DRAWN_HIDDEN: ClassVar[bool] = True

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"event-log--{kind}" for kind in KIND_COLOUR}
    DEFAULT_CSS = """
    EventLog { background: $surface; scrollbar-size-vertical: 1; }
    """ + "\n".join(
        f"EventLog > .event-log--{kind} {{ color: {colour}; }}"
        for kind, colour in KIND_COLOUR.items()
    )

    def __init__(self, **kwargs) -> None:
        super().__init__(
            wrap=True, markup=False, highlight=False, min_width=20, max_lines=MAX_LINES, **kwargs
        )
        self._merge = LogMerge()
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
        self._merge = LogMerge()

    def _colour(self, kind: str) -> Style:
        """The colour of a kind of line (only the colour: the log draws its own background)."""
        style = self._styles.get(kind)
        if style is None:
            part = kind if kind in KIND_COLOUR else "output"
            colour = self.get_component_rich_style(f"event-log--{part}").color
            style = self._styles[kind] = Style(color=colour)
        return style

    def show(self, model: RunModel) -> None:
        if self._stale:
            self.reset()
            self._stale = False
        origin = model.started or 0.0
        lines: list[Text] = []
        entries = self._merge.take(model)
        outputs = [i for i, entry in enumerate(entries) if entry.kind == "output"]
        if len(outputs) > MAX_NEW_OUTPUT:  # a flood: a screen can show only so much
            skip = set(outputs[: len(outputs) - MAX_NEW_OUTPUT])
            first = entries[outputs[0]]
            entries = [
                LogEntry(first.t, "dropped", f"{len(skip):,} lines of output not shown"),
                *(entry for i, entry in enumerate(entries) if i not in skip),
            ]
        for entry in entries:
            line = Text(f"{round(entry.t - origin, 3) + 0.0:7.3f}s ", style=self._colour("time"))
            if entry.kind == "output":
                colour = "stderr" if entry.stream == "stderr" else "output"
                text = entry.text
                if len(text) > MAX_LINE:
                    text = f"{text[:MAX_LINE]}… ({len(text) - MAX_LINE:,} more characters)"
                line.append("│ " + text, style=self._colour(colour))
            else:
                mark = LOG_GLYPHS.get(entry.kind, "•")
                line.append(f"{mark} {entry.text}", style=self._colour(entry.kind))
            lines.append(line)
        if lines:
            # One write for the whole batch: 10 000 tasks starting at once is one poll's news.
            batch = Text("\n").join(lines)
            if not self.size.height:  # not laid out yet: RichLog keeps it, and scrolls, later
                self.write(batch)
                return
            # Scrolled to its end now, not after the next frame (a second frame, its own).
            self.write(batch, scroll_end=False)
            if self.auto_scroll:
                self.scroll_end(animate=False, immediate=True, x_axis=False)
