"""The run in one line: what runs, for how long, and once it ended the summary.

The line is made of parts, each with a rank (0: always shown) and forms from the
longest to the shortest. When the line is wider than the widget, the part with the
highest rank takes its next shorter form, or leaves the line once it has none; so
the name, the outcome and the tally of outcomes stay, and the parameters go first.
A figure someone adds is one more ``Part``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import ClassVar

from textual.content import Content

from tui.app.format import seconds
from tui.app.widgets.figures import Figures
from tui.marks import RUN_MARKS, Mark, status_mark
from tui.model.run import RunModel
from tui.model.summary import cores_busy, sequential_estimate, speedup
from tui.recording import Replay

RUN_STYLE = {"completed": "$success", "failed": "$error", "cancelled": "$warning"}
GAP = "  "


@dataclass
class Part:
    """One figure of the line: ``forms`` from the longest to the shortest."""

    rank: int
    forms: list[Content]
    form: int = 0

    @property
    def content(self) -> Content:
        return self.forms[self.form]


def fit(parts: list[Part], width: int) -> list[Part]:
    """The parts that fit ``width`` cells, shortened or left out from the highest rank down."""
    shown = list(parts)

    def length() -> int:
        return sum(p.content.cell_length for p in shown) + len(GAP) * max(0, len(shown) - 1)

    while length() > width:
        ranked = [p for p in shown if p.form + 1 < len(p.forms) or p.rank > 0]
        if not ranked:
            break
        part = max(ranked, key=lambda p: (p.rank, -shown.index(p)))
        if part.form + 1 < len(part.forms):
            part.form += 1
        else:
            shown.remove(part)
    return shown


class RunStatus(Figures):
    TITLE: ClassVar[str] = "Summary"
    HELP: ClassVar[str] = """
- **elapsed**: from the program's start to its end.
- **one after another** (an estimate): the sum over work items (threads, pool items,
  thread-pool calls, asyncio tasks; not the threads that only ran them) of their own
  service time: running, sleeping and I/O. Never queue time, GIL wait, core wait or
  time blocked on another task, so CPU-bound work cannot show more speed-up than it
  had cores, and a single-threaded program reads x1.0.
- **speed-up**: one after another ÷ elapsed; none is shown when nothing was measured.
- **cores busy** (measured): the scenario's CPU seconds (every process) ÷ elapsed.
"""

    DEFAULT_CSS = """
    RunStatus {
        height: 1;
        padding: 0 1;
        background: $panel;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    _estimate: tuple[int, int, float | None] = (0, -1, None)

    def _sequential(self, model: RunModel) -> float | None:
        """The summary's one-after-another estimate, worked out once per model change."""
        key = (id(model), model.version)
        if self._estimate[:2] != key:
            self._estimate = (*key, sequential_estimate(model))
        return self._estimate[2]

    _tally: tuple[int, int, Counter[Mark]] = (0, -1, Counter())

    def _counts(self, model: RunModel) -> Counter[Mark]:
        """How many tasks stand each way (queued, running, each outcome)."""
        key = (id(model), model.version)
        if self._tally[:2] != key:
            tasks = (model.tasks[i] for i in model.order)
            self._tally = (*key, Counter(status_mark(t.outcome, t.queued) for t in tasks))
        return self._tally[2]

    _shown: tuple[RunModel, bool, Replay | None] | None = None

    def on_resize(self) -> None:
        """How much fits depends on the width, unknown at the first ``show`` before layout."""
        if self._shown is not None:
            self.call_after_refresh(self.show, *self._shown)

    def parts(self, model: RunModel, paused: bool, replay: Replay | None) -> list[Part]:
        """Every figure the line can show, in the order shown."""
        parts = [Part(0, [Content.styled(model.scenario or "starting…", "bold")])]
        if model.params:
            params = " ".join(f"{k}={v}" for k, v in model.params.items())
            parts.append(Part(6, [Content(params)]))
        if model.ended is None:
            state = RUN_MARKS["running" if model.started is not None else "starting"]
            parts.append(
                Part(
                    0,
                    [
                        Content.assemble(
                            (f"{state.glyph} {state.word}", "$primary bold"),
                            f" {seconds(model.elapsed)}",
                        ),
                    ],
                )
            )
        else:
            ended = RUN_MARKS.get(model.outcome or "", RUN_MARKS["failed"])
            outcome = (
                f"{ended.glyph} {model.outcome}",
                f"{RUN_STYLE.get(model.outcome or '', '$error')} bold",
            )
            parts.append(
                Part(
                    0,
                    [
                        Content.assemble(outcome, f" in {seconds(model.elapsed)}"),
                        Content.assemble(outcome, f" {seconds(model.elapsed)}"),
                    ],
                )
            )
            if model.error:
                parts.append(Part(2, _shortened(model.error, "$error")))
        counts = self._counts(model)
        if counts:
            long = "  ".join(f"{mark.glyph} {n} {mark.word}" for mark, n in counts.items())
            short = " ".join(f"{mark.glyph}{n}" for mark, n in counts.items())
            parts.append(Part(1, [Content(long), Content(short)]))
        if model.ended is not None:
            sequential = self._sequential(model)
            factor, busy = speedup(model, sequential), cores_busy(model)
            if sequential is None or factor is None:
                parts.append(Part(4, [Content("speed-up: no estimate"), Content("×?")]))  # noqa: RUF001
            else:
                parts.append(Part(5, [Content(f"one after another ~{seconds(sequential)}")]))
                parts.append(
                    Part(4, [Content(f"speed-up ×{factor:.1f}"), Content(f"×{factor:.1f}")])  # noqa: RUF001
                )
            if busy is not None:
                parts.append(
                    Part(5, [Content(f"cores busy {busy:.1f}"), Content(f"{busy:.1f} cores")])
                )
        if replay is not None:
            parts.append(Part(0, self._playback(replay)))
        if paused:
            style = "$warning bold"
            parts.append(
                Part(0, [Content.styled("‖ view paused (p)", style), Content.styled("‖", style)])
            )
        return parts

    def show(self, model: RunModel, paused: bool = False, replay: Replay | None = None) -> None:
        """``replay``: the recording being played, whose position, speed and state are shown."""
        self._shown = (model, paused, replay)
        parts = self.parts(model, paused, replay)
        width = self.content_region.width
        shown = fit(parts, width) if width > 0 else parts
        self.update(Content(GAP).join(p.content for p in shown))

    @staticmethod
    def _playback(replay: Replay) -> list[Content]:
        if replay.paused:
            state = ("‖ replay paused", "$warning bold")
        elif replay.finished:
            state = (f"{RUN_MARKS['completed'].glyph} replay ended", "$foreground-muted bold")
        else:
            state = ("▶ replay", "$accent bold")
        where = f" {replay.position:.3f} s of {replay.duration:.3f} s  at {replay.speed:g}x"
        short = f" {replay.position:.2f}/{replay.duration:.2f} s {replay.speed:g}x"
        return [Content.assemble(state, where), Content.assemble(state, short)]


def _shortened(text: str, style: str) -> list[Content]:
    """``text`` on one line, then cut to 40 and 20 cells."""
    line = " ".join(text.split())
    forms = [line] + [line[: n - 1] + "…" for n in (40, 20) if len(line) > n]
    return [Content.styled(form, style) for form in forms]
