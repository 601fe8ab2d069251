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

One row per task: a thread, a process-pool work item, a call submitted to a thread pool
or an asyncio task. Each cell shows the state the task spent most of that slice of time in:

{chr(10).join(f"- `{STATE_CHAR[s]}` **{s}**: {STATE_MEANING[s]}" for s in STATES)}

How: hooks in the runner mark every sleep, blocking call, asyncio step and executor
queue with the clock; each thread's CPU time comes from its own CPU clock every 50 ms.
Why a thread is off-CPU where no hook knows comes from the kernel: about 100 times a
second the dashboard reads each thread's `/proc/.../syscall` and `schedstat`. A futex
wait on its process's GIL (found at start by watching a thread wait for it) is **GIL
wait**, any other futex **blocked**, reads, polls and child waits **I/O**, a runnable
thread without a core **core wait**. Inside one window the amounts are measured but
their order is not. Where `/proc` can't be read this is said once, and time no hook
explains shows as waiting.

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

- **held**: the share of time the GIL was held by someone. A probe thread in the
  runner sleeps a short random interval and measures how late it gets the GIL back,
  less any time it waited for a free core; a late wake-up means the GIL was held, and
  that whole cycle counts as busy.
  Checked against loads that hold the GIL a known share of the time (1/3, 2/3, all),
  it reads 0.33, 0.67 and 1.00.
- **contended**: how many of the program's threads the kernel saw waiting for the GIL,
  on average over the last second. One CPU-bound thread alone: held ~100 %, contended 0;
  two: held ~100 %, contended ~1. A free-threaded build has no GIL: the pane says so.
- **wait p50 / p99** (GIL acquire latency): how long the probe waited to get the GIL back, median and
  99th percentile. About 0.1 ms when nobody holds it; with CPU-bound threads at least
  the 5 ms switch interval.
- **GIL wait per thread**: each thread's time in a futex wait on the GIL, as the kernel
  saw it, and its share of the thread's life (getting the GIL back after a sleep or a
  wake-up included). Limits: sampled ~100 times a second, so waits shorter than that
  are counted by share, not one by one. Hooks only (no `/proc`): an estimate, the
  thread's off-CPU time no hook explains.

## Event loop lag

How late a callback that should run now actually runs: a timer on the loop, due every
20 ms, records how late it runs (it is a callback, not a task, so it is in no task list). A blocking call inside async code shows as a
spike. A **stall** is the loop missing its beat for more than 0.1 s; the dashboard then
names the file, line and code the loop's thread was stuck in.

## Summary

- **elapsed**: from the program's start to its end.
- **one after another** (an estimate): the sum over work items (threads, pool items,
  thread-pool calls, asyncio tasks; not the threads that only ran them) of their own
  service time: running, sleeping and I/O. Never queue time, GIL wait, core wait or
  time blocked on another task, so CPU-bound work cannot show more speed-up than it
  had cores, and a single-threaded program reads x1.0.
- **speed-up**: one after another ÷ elapsed; none is shown when nothing was measured.
- **cores busy** (measured): the scenario's CPU seconds (every process) ÷ elapsed.
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
