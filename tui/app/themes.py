"""Colours: the projector theme, and the colour of each task state and outcome in any theme.

Widgets colour a state with ``$state-<name>`` and an outcome with ``$outcome-<name>``
(see ``tui.marks``). A theme may set these variables; one that does not (Textual's
own) gets them from its palette through ``ROLES``: running in its success colour,
waiting in its warning colour, and so on.
"""

from __future__ import annotations

from textual.theme import Theme

from tui.marks import OUTCOME_MARKS, STATE_MARKS

# The theme colour (a variable of Textual's colour system, and an alpha) each mark takes
# in a theme that does not name one.
ROLES: dict[str, tuple[str, str]] = {
    "state-running": ("success", ""),
    "state-gil": ("warning", ""),
    "state-core": ("error", ""),
    "state-waiting": ("warning", " 60%"),
    "state-queued": ("secondary", ""),
    "state-sleeping": ("primary", ""),
    "state-io": ("accent", ""),
    "state-blocked": ("foreground", " 70%"),
    "outcome-done": ("text-success", ""),
    "outcome-error": ("text-error", ""),
    "outcome-timeout": ("text-warning", ""),
    "outcome-cancelled": ("text-accent", ""),
}

PROJECTOR = Theme(
    name="projector",
    # Dark text on white reads best in a lit room; every colour is saturated and at least
    # 3:1 against the white background (the tests check), so a washed-out projector keeps
    # them apart. Its glyphs are the large set (``tui.marks``).
    primary="#0038c8",
    secondary="#5b1fa8",
    accent="#8a0fa8",
    warning="#b34700",
    error="#c40000",
    success="#00701e",
    foreground="#000000",
    background="#ffffff",
    surface="#ffffff",
    panel="#dcdcdc",
    boost="#00000010",
    dark=False,
    variables={
        "glyphs": "large",
        "state-running": "#008a25",
        "state-gil": "#cc3d00",
        "state-core": "#800020",
        "state-waiting": "#a18e12",
        "state-queued": "#4f0f8a",
        "state-sleeping": "#0050ff",
        "state-io": "#129ea1",
        "state-blocked": "#303030",
        "outcome-done": "#00701e",
        "outcome-error": "#c40000",
        "outcome-timeout": "#a04000",
        "outcome-cancelled": "#8a0fa8",
        "foreground-muted": "#303030",
        "text-muted": "#303030",
        "footer-key-foreground": "#0038c8",
        "block-cursor-background": "#0038c8",
        "block-cursor-foreground": "#ffffff",
    },
)
THEMES = (PROJECTOR,)


def mark_variables(palette: dict[str, str]) -> dict[str, str]:
    """``$state-*`` and ``$outcome-*`` for a theme that does not set them, from its ``palette``
    (the variables Textual generates from the theme)."""
    names = [f"state-{s}" for s in STATE_MARKS] + [f"outcome-{o}" for o in OUTCOME_MARKS]
    defaults = {}
    for name in names:
        role, alpha = ROLES.get(name, ("foreground", ""))
        defaults[name] = f"{palette[role]}{alpha}"
    return defaults


def large_glyphs(theme: Theme) -> bool:
    """Whether a theme asks for the large glyph set."""
    return theme.variables.get("glyphs") == "large"
