"""GIL: how much of the time it is held (gauge and history), how contended it is, how long
getting it takes, and who waited for it.

*Held* is the probe's busy fraction; *contended* counts the program's own threads the kernel
saw waiting for it (one CPU-bound thread alone: held ~100 %, contended 0)."""

from __future__ import annotations

import math
import sys
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content

from tui.app.format import millis, seconds
from tui.app.widgets.figures import Figures
from tui.app.widgets.history import History
from tui.app.widgets.meter import Meter
from tui.app.widgets.pane import Place
from tui.events import Attribution
from tui.model.run import RunModel
from tui.supervisor.attribution import QUIET_SWEEP_S, SWEEP_S

TOP_THREADS = 4
THREADS_EVERY_S = 1.0
"""While a run goes on, the per-thread waits are worked out this often (run time), not at
every tick: each is the thread's whole life, and was the pane's largest cost."""


class GilPane(Vertical):
    TITLE: ClassVar[str] = "GIL"
    HELP: ClassVar[str] = f"""
- **held**: the share of time the GIL was held by someone. A probe thread in the
  runner sleeps a short random interval and measures how late it gets the GIL back,
  less any time it waited for a free core; a late wake-up means the GIL was held, and
  that whole cycle counts as busy.
  Checked against loads that hold the GIL a known share of the time (1/3, 2/3, all),
  it reads 0.33, 0.67 and 1.00.
- **contended**: how many of the program's threads the kernel saw waiting for the GIL,
  on average over the last second. One CPU-bound thread alone: held ~100 %, contended 0;
  two: held ~100 %, contended ~1. A free-threaded build has no GIL: the pane says so.
- **wait p50 / p99** (GIL acquire latency): how long the probe waited to get the GIL back,
  median and 99th percentile. About 0.1 ms when nobody holds it; with CPU-bound threads
  at least the {sys.getswitchinterval() * 1000:g} ms switch interval.
- **GIL wait per thread**: each thread's time in a futex wait on the GIL, as the kernel
  saw it, and its share of the thread's life (getting the GIL back after a sleep or a
  wake-up included). Limits: sampled ~{1 / SWEEP_S:.0f} times a second while threads go in
  and out of calls ({1 / QUIET_SWEEP_S:.0f} while they hardly run, or only compute, alone or taking turns with the GIL), so waits shorter than that are counted by
  share, not one by one; on a machine too busy for the sampler to keep time, the log says so. Hooks only (no `/proc`): an estimate,
  the thread's off-CPU time no hook explains.
"""
    PLACE: ClassVar[Place] = "side"
    ID: ClassVar[str] = "gil"
    DRAWN_HIDDEN: ClassVar[bool] = False

    DEFAULT_CSS = """
    GilPane { height: auto; }
    GilPane #gil-latency, GilPane #gil-threads, GilPane #gil-contended {
        height: auto; color: $foreground;
    }
    GilPane #gil-threads { color: $foreground-muted; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._lags_seen = -1
        self._threads_at = (0, -math.inf)
        """The model and its time when the per-thread waits were last worked out."""
        # Kept, not queried at each tick (queries were a third of a tick's cost).
        self._meter = Meter("held", id="gil-busy")
        self._history = History(top=1.0, high=0.9, id="gil-history")
        self._contention = Figures("contended -", id="gil-contended")
        self._latency = Figures("wait p50 - p99 -", id="gil-latency")
        self._threads = Figures("", id="gil-threads")

    def reset(self) -> None:
        self._lags_seen = -1
        self._threads_at = (0, -math.inf)

    def compose(self) -> ComposeResult:
        yield from (self._meter, self._history, self._contention, self._latency, self._threads)

    def show(self, model: RunModel) -> None:
        """*Held*: how busy the GIL was (the probe); *contended*: how many of the program's
        threads waited for it (the kernel's account). Live: the last window and recent
        history; finished: the run's mean, max and all of it."""
        if not model.gil_enabled:
            self._contention.update(
                "free-threaded build: there is no GIL; threads run Python in parallel"
            )
            self._threads.update("")
            return
        self._contention.update(self._contended(model))
        meter, history = self._meter, self._history
        finished = model.ended is not None
        history.whole = finished
        if finished:
            mean, top = model.gil_busy.mean(), model.gil_busy.max()
            meter.label = "held"
            meter.fraction = mean
            meter.figure = f"mean {mean * 100:.0f}% max {top * 100:.0f}%"
            history.data = model.gil_busy.values()
        else:
            busy = model.gil_busy.last()
            meter.label = "held"
            meter.fraction = busy
            meter.figure = f"{busy * 100:3.0f}%"
            history.data = model.gil_busy.values()[-120:]
        if len(model.gil_lags_us) != self._lags_seen:
            self._lags_seen = len(model.gil_lags_us)
            self._latency.update(
                f"wait p50 {millis(model.gil_wait_ms(50))} p99 {millis(model.gil_wait_ms(99))}"
            )
        now = model.now()
        model_at, at = self._threads_at
        if model.ended is None and model_at == id(model) and 0 <= now - at < THREADS_EVERY_S:
            return
        self._threads_at = (id(model), now)
        threads = [
            (task.gil_wait_s(now), task.duration(now), task.label)
            for task in model.tasks.values()
            if task.kind == "thread" and not task.internal
        ]
        threads = sorted((t for t in threads if t[0] > 0.0005), reverse=True)[:TOP_THREADS]
        estimated = model.attribution == Attribution.HOOKS_ONLY
        head = "GIL wait per thread" + (" (estimated, hooks only):" if estimated else ":")
        lines = [head] if threads else ["no thread waited for the GIL"]
        for wait, life, label in threads:
            share = wait / life if life > 0 else 0.0
            lines.append(f" {label[:12]:<12} {seconds(wait):>7} {share * 100:3.0f}%")
        self._threads.update(Content("\n".join(lines)))  # names: no markup

    @staticmethod
    def _contended(model: RunModel) -> str:
        if model.attribution == Attribution.HOOKS_ONLY:
            return "contended: unknown (hooks only)"
        if model.ended is not None and model.gil_contended.values():
            return f"contended {model.gil_contended.mean():.1f} (run mean)"  # threads waiting
        recent = model.gil_contended_recent()
        if recent is None:
            return "contended -"
        return f"contended {recent:.1f} thread{'s' if round(recent, 1) != 1 else ''} waiting"
