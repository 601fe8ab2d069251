"""Keys, and what every figure on screen means: what it measures, how, and its limits."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from tui.model.run import STATE_MEANING, STATES
from tui.model.summary import OUTCOME_MARK, STATE_CHAR

KEYS = [
    ("enter", "picker: start the highlighted scenario; timeline: the selected task's details"),
    ("↑ ↓ PgUp PgDn Home End", "move through the scenarios / the timeline's tasks"),
    ("← →", "timeline: look earlier / later (stops following the live edge)"),
    ("f", "timeline: follow the live edge again"),
    ("+ / -", "zoom the timeline in / out"),
    ("r", "run the same scenario again"),
    ("c", "cancel the run: ask the program to stop, end it by force after 2 s"),
    (
        "x",
        "cancel the selected task, where Python allows it: an asyncio task, a pool item"
        " not yet started. A running thread cannot be stopped from outside; the log says so",
    ),
    ("p", "pause the view: keep collecting, stop redrawing (press again to catch up)"),
    ("l / t / s", "show the Log / Task / Source tab"),
    (
        "w",
        "save the run so far as a recording in the recordings folder"
        " (~/.local/share/concur-tui/recordings, or $CONCUR_TUI_RECORDINGS); the message"
        " says where, and `concur-tui replay NAME` plays it",
    ),
    (
        "m",
        "picker: compare the modes: one workload run sequentially, with threads, processes and asyncio",
    ),
    ("a", "picker: which should I use? the guide's questions, its answer, and a way to see it"),
    (
        "r / c",
        "compare: run the comparison / cancel it (the run in progress ends, the rest are skipped)",
    ),
    ("?", "this help"),
    ("ctrl+p", "command palette: every action by name (also those the footer has no room for)"),
    (
        "F2",
        "projector theme: high contrast, large glyphs; again for the theme before (--projector)",
    ),
    (
        "escape",
        "in a text field: leave it; else back to the scenario list (ends the run; on Compare,"
        " cancels a comparison first)",
    ),
    ("q", "quit from anywhere but a text field (ends the run and every process it started)"),
    ("ctrl+q, ctrl+c", "quit from anywhere, a text field too"),
]

REPLAY_KEYS = [
    ("space", "play / pause (at the end: play again from the start)"),
    (". / ,", "step: on to the next event / back to the previous one (pauses)"),
    ("[ / ]", "slower / faster: 0.1x, 0.25x, 0.5x, 1x, 2x, 4x"),
    ("shift+← / shift+→", "back / on 1 s"),
    ("Home", "back to the start (instead of the first task; ↑ and PgUp still get there)"),
]

DEFINITIONS = f"""
## Timeline

One row per task: a thread, a process-pool work item or an asyncio task. Each cell
shows the state the task spent most of that slice of time in:

{chr(10).join(f"- `{STATE_CHAR[s]}` **{s}**: {STATE_MEANING[s]}" for s in STATES)}

How: hooks in the runner mark every sleep, blocking call and asyncio step with the
clock. For a thread, time that is neither a known wait nor on a CPU (measured with
the thread's own CPU clock, every 50 ms) is **waiting for the GIL**; inside one 50 ms
window the split is measured but the order of running and waiting is not.

End markers: `{OUTCOME_MARK["done"]}` done, `{OUTCOME_MARK["error"]}` failed with an
error, `{OUTCOME_MARK["timeout"]}` timed out (a `wait_for` or `asyncio.timeout` expired),
`{OUTCOME_MARK["cancelled"]}` cancelled; the task's details say what cancelled it (the
timeout, the TaskGroup whose sibling failed, `asyncio.run` at exit, you).

## CPU per core

Each core's busy percentage, sampled by the dashboard process every 0.1 s (psutil),
with its recent history. `*` marks the cores the scenario's threads and processes
were seen running on (`/proc`, the last core each thread ran on). It is the whole
machine's load, the dashboard included.

## GIL

- **busy**: the share of time the GIL was held by someone. A probe thread in the
  runner sleeps a short random interval and measures how late it gets the GIL back,
  less any time it waited for a free core; a late wake-up means the GIL was held, and
  that whole cycle counts as busy.
  Checked against loads that hold the GIL a known share of the time (1/3, 2/3, all),
  it reads 0.33, 0.67 and 1.00.
- **wait p50 / p99** (GIL acquire latency): how long the probe waited to get the GIL back, median and
  99th percentile. About 0.1 ms when nobody holds it; with CPU-bound threads at least
  the 5 ms switch interval.
- **GIL wait per thread**: each thread's time ready to run Python but not on a CPU,
  and its share of the thread's life (including getting the GIL back after a sleep or
  a wake-up). Time waiting for a free core is taken out once the thread has ended
  (from /proc's run-queue wait); while it runs, the figure still includes it. Limits:
  a call the hooks don't know (a raw lock, socket I/O) counts as waiting too.

## Event loop lag

How late a callback that should run now actually runs: a timer on the loop, due every
20 ms, records how late it runs (it is a callback, not a task, so it is in no task list). A blocking call inside async code shows as a
spike. A **stall** is the loop missing its beat for more than 0.1 s; the dashboard then
names the file, line and code the loop's thread was stuck in.

## Summary

- **elapsed**: from the program's start to its end.
- **one after another**: what the tasks would have taken run one after another: each
  leaf task's life minus the time it spent waiting for the GIL, the loop or a core.
- **speed-up**: one after another ÷ elapsed. Above 1: the tasks overlapped usefully.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark", "dismiss", "Close"),
        Binding("q", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        keys = "\n".join(f"- **{key}**: {what}" for key, what in KEYS)
        replay = "\n".join(f"- **{key}**: {what}" for key, what in REPLAY_KEYS)
        text = (
            f"## Keys\n\n{keys}\n\n"
            f"## Keys while a recording plays (`concur-tui replay`)\n\n{replay}\n{DEFINITIONS}"
        )
        with VerticalScroll(id="help-box"):
            yield Markdown(text)

    def on_mount(self) -> None:
        box = self.query_one("#help-box")
        box.border_title = "Help and definitions"
        box.border_subtitle = "escape to close"
        box.focus()
