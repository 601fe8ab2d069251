"""Keys, and what every figure on screen means: what it measures, how, and its limits.

Nothing here is written twice: the keys are read from the screens' bindings (a binding's
``tooltip`` is its longer explanation), each pane brings its own ``HELP``, and the
figures in those come from the constants the measuring code uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static

from tui.app.screens.compare import CompareScreen
from tui.app.screens.dashboard import PANES, PLAYBACK_ACTIONS, DashboardScreen
from tui.app.screens.picker import PickerScreen
from tui.app.widgets.run_status import RunStatus
from tui.app.widgets.timeline import Timeline

# Keys Textual gives every app, said in our words.
TEXTUAL_KEYS = [
    Binding(
        App.COMMAND_PALETTE_BINDING,
        "command_palette",
        "Commands",
        key_display="ctrl+p",
        tooltip="command palette: every action by name (also those the footer has no room for)",
    ),
]


def _key(binding: Binding) -> str:
    return binding.key_display or " / ".join(binding.key.split(","))


def _action(binding: Binding) -> str:
    return binding.action.removeprefix("app.").removeprefix("screen.")


def key_lines(bindings: Iterable[BindingType], said: set[tuple[str, str]]) -> list[str]:
    """A Markdown item per binding not ``said`` already (by key and action)."""
    lines = []
    for binding in bindings:
        if not isinstance(binding, Binding) or (binding.system and not binding.tooltip):
            continue
        said_as = (binding.key, _action(binding))
        if said_as in said:
            continue
        said.add(said_as)
        lines.append(f"- **{_key(binding)}**: {binding.tooltip or binding.description}")
    return lines


def _bindings(*holders: type[App] | type[Screen] | type[Widget]) -> list[BindingType]:
    return [binding for holder in holders for binding in holder.BINDINGS]


@cache
def help_text(app: type[App]) -> str:
    """The whole help, in Markdown (the same for every run: made once)."""
    dashboard = _bindings(DashboardScreen)
    playing: list[BindingType] = [
        b
        for b in dashboard
        if isinstance(b, Binding) and b.action.split("(")[0] in PLAYBACK_ACTIONS
    ]
    everywhere = [*_bindings(app), *TEXTUAL_KEYS]
    keys: list[tuple[str, list[BindingType]]] = [
        ("The scenario list", _bindings(PickerScreen)),
        ("The dashboard", [*(b for b in dashboard if b not in playing), *_bindings(Timeline)]),
        ("While a recording plays (`concur-tui replay`)", playing),
        ("Compare", _bindings(CompareScreen)),
    ]
    said: set[tuple[str, str]] = set()
    parts = ["## Keys", "### Everywhere\n\n" + "\n".join(key_lines(everywhere, said))]
    for title, bindings in keys:  # each screen's own keys, those said above left out
        lines = key_lines(bindings, set(said))
        if lines:
            parts.append(f"### {title}\n\n" + "\n".join(lines))
    sections = [(pane.TITLE, pane.HELP) for pane in PANES] + [(RunStatus.TITLE, RunStatus.HELP)]
    parts += [f"## {title}\n{text}" for title, text in sections if text]
    return "\n\n".join(parts)


INLINE = re.compile(r"(\*\*[^*]+\*\*|`[^`]+`)")
HEADING_STYLE = {"## ": "bold $text-primary", "### ": "bold"}


def _inline(text: str) -> Content:
    """``**strong**`` and ``code`` spans; everything else as it is (never markup)."""
    parts: list[Content | tuple[str, str] | str] = []
    for piece in INLINE.split(text):
        if piece.startswith("**") and piece.endswith("**") and len(piece) > 4:
            parts.append((piece[2:-2], "bold"))
        elif piece.startswith("`") and piece.endswith("`") and len(piece) > 2:
            parts.append((piece[1:-1], "$text-accent"))
        else:
            parts.append(piece)
    return Content.assemble(*parts)


def render_help(markdown: str) -> Content:
    """The little Markdown the help is written in (headings, items, paragraphs, strong and
    code), as one Content: one widget to lay out and style, not one per paragraph."""
    blocks: list[Content] = []
    for block in filter(None, (b.strip() for b in markdown.split("\n\n"))):
        heading = next((h for h in HEADING_STYLE if block.startswith(h)), None)
        if heading is not None:
            title, _, rest = block.partition("\n")
            blocks.append(
                _inline(title.removeprefix(heading)).stylize_before(HEADING_STYLE[heading])
            )
            block = rest
        items: list[str] = []
        for line in block.strip().splitlines():
            if line.startswith("- ") or not items:
                items.append(line)
            else:  # a paragraph's or an item's next line
                items[-1] += " " + line.strip()
        lines = [_inline(f"• {i[2:]}" if i.startswith("- ") else i) for i in items]
        if lines:
            blocks.append(Content("\n").join(lines))
    return Content("\n\n").join(blocks)


class HelpScreen(ModalScreen[None]):
    """Opaque: a screen seen through it is drawn again with it at every frame."""

    NAME: ClassVar[str] = "help"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark", "dismiss", "Close"),
        Binding("q", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(render_help(help_text(type(self.app))))

    def on_mount(self) -> None:
        box = self.query_one("#help-box")
        box.border_title = "Help and definitions"
        box.border_subtitle = "escape to close"
        box.focus()
