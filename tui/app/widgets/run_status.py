"""The run in one line: what runs, for how long, and once it ended the summary."""

from __future__ import annotations

from collections import Counter

from textual.content import Content
from textual.widgets import Static

from tui.app.format import OUTCOME_WORD, seconds
from tui.model.run import RunModel
from tui.model.summary import OUTCOME_MARK, sequential_estimate

RUN_STYLE = {"completed": "$success", "failed": "$error", "cancelled": "$warning"}


class RunStatus(Static):
    DEFAULT_CSS = """
    RunStatus { height: auto; padding: 0 1; background: $panel; }
    """

    def show(self, model: RunModel, paused: bool = False) -> None:
        params = " ".join(f"{k}={v}" for k, v in model.params.items())
        head: list[Content | str | tuple[str, str]] = [(model.scenario or "starting…", "bold"), f"  {params}  "]
        counts = Counter(model.tasks[i].outcome for i in model.order)
        tally = "  ".join(
            f"{OUTCOME_MARK.get(o, '?')} {n} {OUTCOME_WORD.get(o, o)}" for o, n in counts.items()
        )
        if model.ended is None:
            state = "● running" if model.started is not None else "○ starting"
            head += [(state, "$primary bold"), f" {seconds(model.elapsed)}   {tally}"]
        else:
            sequential = sequential_estimate(model)
            elapsed = model.elapsed
            speedup = f"  speed-up ×{sequential / elapsed:.2f}" if elapsed > 0 else ""
            head += [
                (f"■ {model.outcome}", f"{RUN_STYLE.get(model.outcome or '', '$error')} bold"),
                f" in {seconds(elapsed)}  one after another ~{seconds(sequential)}{speedup}   {tally}",
            ]
            if model.error:
                head.append((f"\n{model.error}", "$error"))
        if paused:
            head.append(("   ⏸ view paused (p)", "$warning bold"))
        self.update(Content.assemble(*head))
