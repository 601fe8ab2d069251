"""Keys on a screen with text fields: letters go to the field, escape leaves it, ctrl+q quits.

A focused ``Input`` takes every printable key, so a screen's one-letter keys (``q``
Quit, ``?`` Help, ``m``...) would type into it while the footer still offered them.
While a field has focus those keys leave the footer (the field has them), escape
moves focus out of the field, and ctrl+q is shown as the way to quit.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.keys import key_to_character
from textual.screen import Screen
from textual.widgets import Input, TextArea

TEXT_FIELDS = (Input, TextArea)
LEAVE_FIELD = Binding(
    "escape", "leave_field", "Leave field", tooltip="in a text field: leave it (else: back)"
)


def typed(key: str) -> bool:
    """True when ``key`` (a binding's key name) is a character a text field would take."""
    character = key_to_character(key)
    return character is not None and character.isprintable()


class FieldKeysScreen(Screen):
    """A screen whose text fields take their keys first. ``LEAVE_TO``: what escape focuses.

    Each subclass lists ``LEAVE_FIELD`` among its bindings, before an escape binding of its
    own if it has one: the first binding enabled for a key is the one that runs.
    """

    LEAVE_TO: ClassVar[str] = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        # Shown only while typing (q is the field's then); App's own ctrl+q quits either way.
        Binding("ctrl+q", "typing_quit", "Quit", key_display="^q", priority=True),
    ]

    @property
    def typing(self) -> bool:
        """A text field has focus: printable keys are its."""
        return isinstance(self.focused, TEXT_FIELDS)

    def _typed_actions(self) -> set[str]:
        return {
            binding.action
            for key, binding in self._bindings
            if typed(key) and binding.action not in ("leave_field", "typing_quit")
        }

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("leave_field", "typing_quit"):
            return self.typing
        return not (self.typing and action in self._typed_actions())

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def on_descendant_blur(self) -> None:
        self.refresh_bindings()

    def action_leave_field(self) -> None:
        target = self.query(self.LEAVE_TO).first() if self.LEAVE_TO else None
        if target is not None and target.focusable:
            target.focus()
        else:
            self.set_focus(None)

    async def action_typing_quit(self) -> None:
        await self.app.action_quit()
