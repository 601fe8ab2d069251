"""Textual's Footer, fitted to its width: Help, Back and Quit always stay in sight.

Textual's ``Footer`` lays every key out in a row and crops what does not fit, so on a
small terminal the keys at the end (help, back, quit) vanish first. This one goes
compact when the row is too long, then leaves out the other keys from the last one
back. A key left out still works, and is listed in the help screen and the command
palette.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby
from typing import ClassVar

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup  # no public module (Textual 8)

# Actions whose keys are never left out: how to get help, get back and get out.
ESSENTIAL: frozenset[str] = frozenset(
    {"app.help", "help", "app.quit", "quit", "back", "leave_field", "typing_quit", "dismiss"}
)

Item = list[tuple[Binding, bool, str]]  # the bindings shown as one key, or as one group


class KeyFooter(Footer):
    """A footer that keeps the essential keys when the terminal is narrow."""

    DEFAULT_CSS = """
    KeyFooter.-compact FooterLabel { margin: 0 1 0 0; }
    """

    PALETTE_WIDTH: ClassVar[tuple[int, int]] = (14, 11)  # (normal, compact) "^p palette"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._fitted_width = -1
        self.left_out: list[str] = []
        """The descriptions of the keys that did not fit, last time."""
        self._composed_for: tuple = ()
        self._recomposing = False

    @property
    def settled(self) -> bool:
        """Whether the keys shown are all mounted and are the ones the bindings say."""
        return not self._recomposing and self._composed_for == self._shown()

    async def recompose(self) -> None:
        self._recomposing = True  # (compose runs first; its keys are mounted after)
        try:
            await super().recompose()
        finally:
            self._recomposing = False

    def _shown(self) -> tuple:
        """What the footer shows: the width, and each shown key and whether it is enabled."""
        bindings = self.screen.active_bindings.items()
        keys = tuple(
            (key, b.action, b.description, on) for key, (_, b, on, _) in bindings if b.show
        )
        return (self.size.width, keys)

    def bindings_changed(self, screen: Screen) -> None:
        """Compose again only when what it shows changed, once things settled: coming back to
        a screen (closing the help) recomposed every key, a tenth of a second on a busy
        machine."""
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self._compose_if_changed)

    async def _compose_if_changed(self) -> None:
        if self.is_attached and self._shown() != self._composed_for:
            await self.recompose()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._fitted_width and self._bindings_ready:
            self.call_after_refresh(self.recompose)

    def _items(self) -> list[tuple[Binding.Group | None, list[Item]]]:
        """The shown bindings as Textual's Footer groups them: one key per action, by group."""
        by_action: defaultdict[str, Item] = defaultdict(list)
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled, tooltip))
        parts: list[tuple[Binding.Group | None, list[Item]]] = []
        for group, run in groupby(by_action.values(), lambda item: item[0][0].group):
            items = list(run)
            if group is not None and len(items) > 1:
                parts.append((group, items))
            else:  # shown as keys of their own, each left out on its own
                parts += [(None, [item]) for item in items]
        return parts

    def _width(self, group: Binding.Group | None, items: list[Item], compact: bool) -> int:
        if group is not None and len(items) > 1:
            keys = sum(cell_len(self.app.get_key_display(item[0][0])) + 4 for item in items)
            return keys + cell_len(group.description) + 1
        binding = items[0][0][0]
        key = cell_len(self.app.get_key_display(binding))
        description = cell_len(binding.description)
        return key + description + (2 if compact else 3)

    def _fit(self) -> list[tuple[Binding.Group | None, list[Item]]]:
        """The groups that fit the width, compact if need be; sets ``compact``."""
        parts = self._items()
        width = self.size.width
        self._fitted_width = width
        self.left_out = []

        def total(compact: bool) -> int:
            palette = self.PALETTE_WIDTH[compact] if self.show_command_palette else 0
            return palette + sum(self._width(g, items, compact) for g, items in parts)

        compact = total(False) > width
        while total(compact) > width:
            droppable = [
                i
                for i, (_, items) in enumerate(parts)
                if not any(item[0][0].action in ESSENTIAL for item in items)
            ]
            if not droppable:
                break
            _, items = parts.pop(droppable[-1])
            self.left_out.insert(0, items[0][0][0].description)
        self.compact = compact
        return parts

    def compose(self) -> ComposeResult:
        if not self._bindings_ready or self.size.width <= 0:
            return  # nothing to fit yet: the first resize composes it again
        self._composed_for = self._shown()
        for group, items in self._fit():
            if group is not None and len(items) > 1:
                with KeyGroup(classes="-compact" if group.compact else ""):
                    for item in items:
                        binding, enabled, tooltip = item[0]
                        yield FooterKey(
                            binding.key,
                            self.app.get_key_display(binding),
                            "",
                            binding.action,
                            disabled=not enabled,
                            tooltip=tooltip or binding.description,
                            classes="-grouped",
                        ).data_bind(compact=Footer.compact)
                yield FooterLabel(group.description)
                continue
            binding, enabled, tooltip = items[0][0]
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            try:
                _, binding, enabled, tooltip = self.screen.active_bindings[
                    self.app.COMMAND_PALETTE_BINDING
                ]
            except KeyError:
                return
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )
