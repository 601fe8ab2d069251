"""The run in one line: what runs, for how long, and once it ended the summary."""

from __future__ import annotations

from collections import Counter

from textual.content import Content
from textual.widgets import Static

from tui.app.format import OUTCOME_WORD, seconds
from tui.events import TaskState
from tui.model.run import RunModel
from tui.model.summary import OUTCOME_MARK, cores_busy, sequential_estimate, speedup
from tui.recording import Replay

RUN_STYLE = {"completed": "$success", "failed": "$error", "cancelled": "$warning"}


class RunStatus(Static):
    DEFAULT_CSS = """
    RunStatus { height: auto; padding: 0 1; background: $panel; }
    """

    _estimate: tuple[int, int, float | None] = (0, -1, None)

    def _sequential(self, model: RunModel) -> float | None:
        """The summary's one-after-another estimate, worked out once per model change."""
        key = (id(model), model.version)
        if self._estimate[:2] != key:
            self._estimate = (*key, sequential_estimate(model))
        return self._estimate[2]

    _tally: tuple[int, int, Counter] = (0, -1, Counter())

    def _counts(self, model: RunModel) -> Counter:
        key = (id(model), model.version)
        if self._tally[:2] != key:
            tasks = (model.tasks[i] for i in model.order)
            self._tally = (
                *key,
                Counter(TaskState.QUEUED if t.queued else t.outcome for t in tasks),
            )
        return self._tally[2]

    _shown: tuple[RunModel, bool, Replay | None] | None = None

    def on_resize(self) -> None:
        """How much fits depends on the width, unknown at the first ``show`` before layout."""
        if self._shown is not None:
            self.call_after_refresh(self.show, *self._shown)

    def show(self, model: RunModel, paused: bool = False, replay: Replay | None = None) -> None:
        """``replay``: the recording being played, whose position, speed and state are shown."""
        self._shown = (model, paused, replay)
        compact = self.size.width < 100
        params = "" if compact else " ".join(f"{k}={v}" for k, v in model.params.items())
        head: list[Content | str | tuple[str, str]] = [
            (model.scenario or "starting…", "bold"),
            f"  {params}  ",
        ]
        counts = self._counts(model)
        tally = (
            ""
            if compact
            else "  ".join(
                f"{OUTCOME_MARK.get(o, '?')} {n} {OUTCOME_WORD.get(o, o)}"
                for o, n in counts.items()
            )
        )
        if model.ended is None:
            state = "● running" if model.started is not None else "○ starting"
            head += [(state, "$primary bold"), f" {seconds(model.elapsed)}   {tally}"]
        else:
            sequential = self._sequential(model)
            factor, busy = speedup(model, sequential), cores_busy(model)
            figures = (
                f"one after another ~{seconds(sequential)}  speed-up ×{factor:.1f}"  # noqa: RUF001
                if factor is not None
                else "speed-up: no estimate"
            )
            if busy is not None:
                figures += f"  cores busy {busy:.1f}"
            head += [
                (f"■ {model.outcome}", f"{RUN_STYLE.get(model.outcome or '', '$error')} bold"),
                f" in {seconds(model.elapsed)}  {figures}   {tally}",
            ]
            if model.error:
                head.append((f"\n{model.error}", "$error"))
        if replay is not None:
            head.append(self._playback(replay))
        if paused:
            head.append(("   ‖ view paused (p)", "$warning bold"))
        self.update(Content.assemble(*head))

    @staticmethod
    def _playback(replay: Replay) -> Content:
        if replay.paused:
            state = ("‖ replay paused", "$warning bold")
        elif replay.finished:
            state = ("■ replay ended", "$foreground-muted bold")
        else:
            state = ("▶ replay", "$accent bold")
        return Content.assemble(
            "\n",
            state,
            f" {replay.position:.3f} s of {replay.duration:.3f} s  at {replay.speed:g}x",
        )
