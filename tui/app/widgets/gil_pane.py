"""GIL: how busy it is (gauge and history), how long getting it takes, who waited for it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.app.format import millis, seconds
from tui.app.widgets.history import History
from tui.app.widgets.meter import Meter
from tui.model.run import RunModel

TOP_THREADS = 4


class GilPane(Vertical):
    DEFAULT_CSS = """
    GilPane { height: auto; }
    GilPane #gil-latency, GilPane #gil-threads { height: auto; color: $foreground; }
    GilPane #gil-threads { color: $foreground-muted; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._lags_seen = -1

    def compose(self) -> ComposeResult:
        yield Meter("busy", id="gil-busy")
        yield History(top=1.0, high=0.9, id="gil-history")
        yield Static("wait p50 - p99 -", id="gil-latency")
        yield Static("", id="gil-threads")

    def show(self, model: RunModel) -> None:
        """Live: the last window and recent history; finished: the run's mean, max and all of it."""
        meter = self.query_one("#gil-busy", Meter)
        history = self.query_one("#gil-history", History)
        finished = model.ended is not None
        history.whole = finished
        if finished:
            mean, top = model.gil_busy.mean(), model.gil_busy.max()
            meter.label = "mean"
            meter.fraction = mean
            meter.figure = f"{mean * 100:3.0f}% max {top * 100:.0f}%"
            history.data = model.gil_busy.values()
        else:
            busy = model.gil_busy.last()
            meter.label = "busy"
            meter.fraction = busy
            meter.figure = f"{busy * 100:3.0f}%"
            history.data = model.gil_busy.values()[-120:]
        if len(model.gil_lags_us) != self._lags_seen:
            self._lags_seen = len(model.gil_lags_us)
            self.query_one("#gil-latency", Static).update(
                f"wait p50 {millis(model.gil_wait_ms(50))} p99 {millis(model.gil_wait_ms(99))}"
            )
        now = model.now()
        threads = [
            (task.gil_wait_s(now), task.duration(now), task.label)
            for task in model.tasks.values()
            if task.kind == "thread" and not task.internal
        ]
        threads = sorted((t for t in threads if t[0] > 0.0005), reverse=True)[:TOP_THREADS]
        lines = ["GIL wait per thread:"] if threads else ["no thread waited for the GIL"]
        for wait, life, label in threads:
            share = wait / life if life > 0 else 0.0
            lines.append(f" {label[:12]:<12} {seconds(wait):>7} {share * 100:3.0f}%")
        self.query_one("#gil-threads", Static).update("\n".join(lines))
