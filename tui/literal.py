"""Program text as literal text: control characters made visible, never obeyed.

Names, messages and output come from programs and recordings we do not
control. A terminal obeys what they hold (an OSC 52 sequence writes the
clipboard, ``ESC [2J`` clears the screen), so every such string goes through
``visible`` before it is stored in the model, printed or exported: each control
character becomes a visible escape (``\\x1b``, ``\\u202e``). Rich markup is the
other half: widgets take program text as ``Text``/``Content``, never as markup.
Standard library only (the model uses it).
"""

from __future__ import annotations

import re
from typing import Any

# C0 and C1 controls, DEL, and the Unicode format characters that reorder or hide text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_CONTROL_BUT_LINES = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_ASCII_CONTROL = bytes(range(0x20)) + b"\x7f"
_ASCII_CONTROL_BUT_LINES = bytes(c for c in range(0x20) if c not in (9, 10)) + b"\x7f"


def visible(text: str, lines: bool = False) -> str:
    """``text`` with every control character written as a visible escape; with ``lines``,
    newlines and tabs are kept (output, tracebacks)."""
    if text.isascii():  # the common case, 50x faster than the pattern on a flood's text
        data = text.encode("ascii")
        controls = _ASCII_CONTROL_BUT_LINES if lines else _ASCII_CONTROL
        if len(data.translate(None, controls)) == len(data):
            return text
    pattern = _CONTROL_BUT_LINES if lines else _CONTROL
    return pattern.sub(_escape, text) if pattern.search(text) else text


MULTILINE_FIELDS = frozenset({"text", "traceback", "error"})


def visible_event(event: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """``event`` with the program text in ``fields`` made visible (a copy only if needed)."""
    for name in fields:
        value = event.get(name)
        if value is None:
            continue
        new = visible_values(value, name in MULTILINE_FIELDS)
        if new is not value:
            event = {**event, name: new}
    return event


def visible_values(value: Any, lines: bool = True) -> Any:
    """Every string in ``value`` (and its lists and objects) made visible: the same object
    when nothing needed it. An object's own fields keep lines only if in MULTILINE_FIELDS."""
    if isinstance(value, str):
        return visible(value, lines)
    if isinstance(value, dict):
        changed = False
        out = {}
        for key, item in value.items():
            new_key = visible(key) if isinstance(key, str) else key
            new = visible_values(item, key in MULTILINE_FIELDS)
            changed = changed or new is not item or new_key is not key
            out[new_key] = new
        return out if changed else value
    if isinstance(value, list):
        items = [visible_values(item, lines) for item in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value
