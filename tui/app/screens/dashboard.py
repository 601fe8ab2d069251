"""The dashboard: one run, every pane, fed by polling an event source from the UI thread.

The screen owns the model. A timer drains the source (a live RunSession whose
own threads do the blocking reads, or a replay), feeds the model, and hands the
model to each pane; panes only draw. The runner is another process, so the UI
keeps its frame rate however hard the scenario works.

A playback source (``tui.recording.Replay``) feeds a model of its own, which the
screen shows instead; its keys (play/pause, step, seek, speed) exist only then.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, ScrollableContainer, VerticalScroll
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane

from tui.app.source import DRAIN_LIMIT, EventSource, PlaybackSource, SourceFactory
from tui.app.widgets.cpu_pane import CpuPane
from tui.app.widgets.event_log import EventLog
from tui.app.widgets.gil_pane import GilPane
from tui.app.widgets.key_footer import KeyFooter
from tui.app.widgets.loop_pane import LoopPane
from tui.app.widgets.pane import Pane
from tui.app.widgets.run_status import RunStatus
from tui.app.widgets.source_view import SourceView
from tui.app.widgets.task_detail import TaskDetail
from tui.app.widgets.timeline import Timeline
from tui.events import Event
from tui.model.run import RunModel
from tui.recording import (
    SPEEDS,
    FileRecording,
    Recorder,
    RecordingError,
    Replay,
    recordings_folder,
)
from tui.supervisor.session import CANCEL_GRACE_S

# Live panes are drawn twice a second (keys answer at once): drawing at 15 fps cost the
# dashboard a third of a core, at 4 fps 6-9 % (README: "Measured on this machine").
POLL_S = 1 / 2
# A poll that took a full share of a flood (``DRAIN_LIMIT``) polls again this soon, so a
# backlog drains as fast as before while a quiet run is drawn at POLL_S.
CATCH_UP_S = 1 / 4
PLAYBACK_ACTIONS = {"play_pause", "step", "speed", "seek", "seek_to"}
NOT_IN_PLAYBACK = {"cancel_run", "cancel_task", "rerun"}
STEP = Binding.Group("Step ±")
SPEED = Binding.Group("Speed")
SEEK = Binding.Group("±1 s")
ZOOM = Binding.Group("Zoom")
TAB = "-tab"  # a tab's id: its pane's, and this

# Every pane, in its place's order (``Pane.PLACE``): the one list to add a pane to.
PANES: tuple[type[Pane], ...] = (
    Timeline,
    CpuPane,
    GilPane,
    LoopPane,
    EventLog,
    TaskDetail,
    SourceView,
)


class DashboardScreen(Screen):
    BINDINGS: ClassVar[list[BindingType]] = [
        # Playback keys exist only while a recording plays (check_action). Priority: the
        # timeline has its own Home.
        # The tooltips are the help screen's words for each key (tui.app.screens.help).
        Binding(
            "space",
            "play_pause",
            "Play/pause",
            tooltip="play / pause (at the end: play again from the start)",
        ),
        Binding(
            "full_stop",
            "step(1)",
            "Step",
            key_display=".",
            group=STEP,
            tooltip="step on to the next event (pauses)",
        ),
        Binding(
            "comma",
            "step(-1)",
            "Step back",
            key_display=",",
            group=STEP,
            tooltip="step back to the previous event (pauses)",
        ),
        Binding(
            "left_square_bracket",
            "speed(-1)",
            "Slower",
            key_display="[",
            group=SPEED,
            tooltip=f"slower; the speeds: {', '.join(f'{s:g}x' for s in SPEEDS)}",
        ),
        Binding("right_square_bracket", "speed(1)", "Faster", key_display="]", group=SPEED),
        Binding("shift+left", "seek(-1)", "Back 1 s", key_display="⇧←", group=SEEK, priority=True),
        Binding("shift+right", "seek(1)", "On 1 s", key_display="⇧→", group=SEEK, priority=True),
        Binding(
            "home",
            "seek_to(0)",
            "Start",
            priority=True,
            tooltip="back to the start (instead of the first task; ↑ and PgUp still get there)",
        ),
        # On a narrow terminal the footer leaves keys out from the last one back (KeyFooter).
        Binding("r", "rerun", "Rerun", tooltip="run the same scenario again"),
        Binding(
            "c",
            "cancel_run",
            "Cancel run",
            tooltip="cancel the run: ask the program to stop, end it by force after"
            f" {CANCEL_GRACE_S:g} s",
        ),
        Binding(
            "w",
            "save_recording",
            "Save run",
            tooltip="save the run so far as a recording in the recordings folder"
            " (~/.local/share/concur-tui/recordings, or $CONCUR_TUI_RECORDINGS); the message"
            " says where, and `concur-tui replay NAME` plays it",
        ),
        Binding(
            "x",
            "cancel_task",
            "Cancel task",
            tooltip="cancel the selected task, where Python allows it: an asyncio task, a pool"
            " item not yet started. A running thread cannot be stopped from outside; the log"
            " says so",
        ),
        Binding(
            "p",
            "pause",
            "Pause view",
            tooltip="pause the view: keep collecting, stop redrawing (press again to catch up)",
        ),
        Binding("plus,equals_sign", "zoom(2)", "Zoom in", key_display="+", group=ZOOM),
        Binding("minus", "zoom(0.5)", "Zoom out", key_display="-", group=ZOOM),
        Binding("question_mark", "app.help", "Help", key_display="?"),
        Binding("escape", "back", "Back", tooltip="back to the scenario list (ends the run)"),
        Binding("q", "app.quit", "Quit"),
        Binding("l", f"tab('{EventLog.ID}')", "Log", show=False, tooltip="show the Log tab"),
        Binding("t", f"tab('{TaskDetail.ID}')", "Task", show=False, tooltip="show the Task tab"),
        Binding(
            "s", f"tab('{SourceView.ID}')", "Source", show=False, tooltip="show the Source tab"
        ),
    ]

    def __init__(
        self,
        factory: SourceFactory,
        source_text: str = "",
        title: str = "",
        source_name: str = "",
        record: Path | None = None,
    ) -> None:
        """``record``: save the run there as a recording when it ends or the screen closes."""
        super().__init__()
        self.factory = factory
        self.source: EventSource = factory()
        self.model = self._new_model()
        self.recorder = Recorder(self.source.meta)
        self.record = record
        self.source_text = source_text
        self.run_title = title
        self.source_name = source_name  # the file whose lines a stall may name
        self.paused = False
        self._notes_seen = 0
        self._drawn_version = -1
        self._panes: list[Pane] = []
        self._generation = self._source_generation()
        self._recorded = False
        self._ended = False
        self._begun = False
        self._poll_timer: Timer | None = None
        self.saved_to: Path | None = None
        """Where ``w`` last saved the run."""

    def _new_model(self) -> RunModel:
        """The model a playback feeds itself, or a fresh one to feed with drained events."""
        if isinstance(self.source, PlaybackSource):
            return self.source.model
        return RunModel(clock=self.source.clock)

    def _source_generation(self) -> int:
        return self.source.generation if isinstance(self.source, PlaybackSource) else 0

    @property
    def replay(self) -> Replay | None:
        """The recording being played, if this dashboard plays one."""
        return self.source.replay if isinstance(self.source, PlaybackSource) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in PLAYBACK_ACTIONS:
            return self.replay is not None
        # Nothing runs behind a playback to cancel, and Home plays it again: its own keys take
        # that room in the footer.
        return action not in NOT_IN_PLAYBACK or self.replay is None

    def _new_pane(self, kind: type[Pane]) -> Widget:
        if kind is SourceView:  # the one pane that needs more than the model: the program
            return SourceView(self.source_text, self.source_name, id=kind.ID)
        return cast(type[Widget], kind)(id=kind.ID)

    @property
    def panes(self) -> list[Pane]:
        if not self._panes:  # found once: a query at every tick costs
            self._panes = [cast(Pane, self.query_one(f"#{kind.ID}")) for kind in PANES]
        return self._panes

    def compose(self) -> ComposeResult:
        panes = {place: [k for k in PANES if place == k.PLACE] for place in ("main", "side", "tab")}
        yield RunStatus(id="status")
        with Horizontal(id="main"):
            for kind in panes["main"]:
                yield self._new_pane(kind)
            with VerticalScroll(id="side"):
                for kind in panes["side"]:
                    yield self._new_pane(kind)
        with TabbedContent(id="bottom", initial=f"{panes['tab'][0].ID}{TAB}"):
            for kind in panes["tab"]:
                with TabPane(kind.TITLE, id=f"{kind.ID}{TAB}"):
                    pane = self._new_pane(kind)
                    # A pane that does not scroll itself scrolls in its tab.
                    yield pane if isinstance(pane, ScrollView) else ScrollableContainer(pane)
        yield KeyFooter()

    def on_mount(self) -> None:
        for pane in self.panes:
            if pane.PLACE != "tab":
                cast(Widget, pane).border_title = pane.TITLE
        self.query_one(Timeline).focus()
        self.watch(self.app, "theme", self._theme_changed, init=False)
        if self.source.live:
            # A run starts once the screen is drawn: its first layout and paint (~0.25 s of a
            # core at 140x45) no longer compete with the program's first moments.
            self.call_after_refresh(self._begin)
        else:
            self._begin()

    def _begin(self) -> None:
        """Start the source and poll it (once per source; not after the screen ended)."""
        if self._ended or self._begun:  # (left, or run again, before the first frame)
            return
        self._begun = True
        self.source.start()
        self._poll()
        if self._poll_timer is None:
            self._poll_timer = self.set_interval(POLL_S, self._poll)

    def _theme_changed(self) -> None:
        self._drawn_version = -1  # redraw on the next tick, in the new colours

    def on_unmount(self) -> None:
        self.end()

    def end(self) -> None:
        """End the run (nothing it started may outlive the screen) and save it if asked to."""
        self._ended = True
        self.source.kill()
        if self.record is not None and not self._recorded:
            while events := self.source.drain():
                self._feed(events)
            self._save_record()

    # -- the loop that feeds the model ------------------------------------------------------
    def _poll(self) -> None:
        events = self.source.drain()
        self._feed(events)
        if len(events) >= DRAIN_LIMIT:
            self.set_timer(CATCH_UP_S, self._poll)
        if self._generation != self._source_generation():
            self._restart_views()
        for note in self.model.notes[self._notes_seen :]:
            self.notify(note, title="From the runner", severity="warning", timeout=8, markup=False)
        self._notes_seen = len(self.model.notes)
        if self.record is not None and not self._recorded and self.source.done:
            self._save_record()
        if self.paused or not self.is_current:  # hidden: drawn when shown again
            return
        if self.model.version != self._drawn_version or (
            self.model.ended is None and self.source.live
        ):
            self.redraw()

    def _feed(self, events: list[Event]) -> None:
        if events:
            self.model.feed_many(events)
            self.recorder.extend(events, checked=True)  # (by the source's reader)

    def _restart_views(self) -> None:
        """A playback went back and rebuilt its model: views that append must start over."""
        self._generation = self._source_generation()
        self._notes_seen = len(self.model.notes)  # notes before the new position were shown
        self._drawn_version = -1
        self._reset_panes()

    def _reset_panes(self) -> None:
        for pane in self.panes:
            pane.reset()

    def redraw(self) -> None:
        """Every pane draws the model; one in a tab not shown only if it must (``Pane``)."""
        model = self.model
        self._drawn_version = model.version
        self._show_status()
        shown_tab = self.query_one(TabbedContent).active
        for pane in self.panes:
            if pane.PLACE != "tab" or pane.DRAWN_HIDDEN or f"{pane.ID}{TAB}" == shown_tab:
                pane.show(model)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane_id = (event.pane.id or "").removesuffix(TAB)
        for pane in self.panes:
            if pane_id == pane.ID:
                pane.show(self.model)

    # -- messages from the panes ------------------------------------------------------------
    def on_timeline_highlighted(self, message: Timeline.Highlighted) -> None:
        detail = self.query_one(TaskDetail)
        detail.task_id = message.task_id
        if self.query_one(TabbedContent).active == f"{detail.ID}{TAB}":
            detail.show(self.model)  # (else when its tab opens: a hidden one's text lays out)

    def on_timeline_selected(self, message: Timeline.Selected) -> None:
        from tui.app.screens.task_screen import TaskScreen

        self.app.push_screen(TaskScreen(self.model, message.task_id))

    # -- actions ----------------------------------------------------------------------------
    def _show_status(self) -> None:
        self.query_one(RunStatus).show(self.model, self.paused, self.replay)

    def action_rerun(self) -> None:
        self.end()
        self.source = self.factory()
        self.model = self._new_model()
        self.recorder = Recorder(self.source.meta)
        self._recorded = False
        self._generation = self._source_generation()
        self._notes_seen = 0
        self._drawn_version = -1
        self.paused = False
        self._reset_panes()
        self._ended = self._begun = False
        self._begin()
        self.notify("Started again", timeout=2)

    def action_cancel_run(self) -> None:
        if self.model.ended is not None or not self.source.live:
            self.notify("The run has already ended.", timeout=3)
            return
        self.source.cancel()
        self.notify("Asked the program to stop (it is ended by force after 2 s).", timeout=4)

    def action_cancel_task(self) -> None:
        task = self.query_one(Timeline).highlighted_task
        if task is None:
            self.notify("No task selected.", timeout=3)
        elif task.end is not None:
            self.notify(f"{task.label} has already ended.", timeout=3, markup=False)
        elif not self.source.live:
            self.notify("This is a replay: nothing runs to cancel.", timeout=3)
        else:
            self.source.cancel_task(task.id)
            self.notify(f"Asked to cancel {task.label}…", timeout=3, markup=False)

    def action_pause(self) -> None:
        self.paused = not self.paused
        self._show_status()
        if not self.paused:
            self.redraw()

    # -- recordings -------------------------------------------------------------------------
    def action_save_recording(self) -> None:
        """Save the run so far (a playback: the whole recording) in the recordings folder."""
        recording = self._recording()
        scenario = self.model.scenario or recording.meta.get("scenario") or "run"
        stamp = time.strftime("%Y%m%d-%H%M%S")
        folder = recordings_folder()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.notify(
                f"cannot make {folder}: {exc}", title="Not saved", severity="error", markup=False
            )
            return
        stem = folder / f"concur-{Path(str(scenario)).stem}-{stamp}"
        path = stem.with_name(f"{stem.name}.jsonl")
        n = 1
        while path.exists():
            n += 1
            path = stem.with_name(f"{stem.name}-{n}.jsonl")
        try:
            recording.save(path)
        except RecordingError as exc:
            self.notify(str(exc), title="Not saved", severity="error", timeout=8, markup=False)
            return
        self.saved_to = path
        self.notify(
            f"{path}\nplay it: concur-tui replay {path.name}",
            title="Saved",
            markup=False,
            timeout=8,
        )

    def _recording(self) -> Recorder | FileRecording:
        replay = self.replay
        return replay.recording() if replay is not None else self.recorder

    def _save_record(self) -> None:
        """Save the run to the file given with ``watch --record`` (once it is over)."""
        assert self.record is not None
        self._recorded = True
        recording = self._recording()
        try:
            recording.save(self.record)
        except RecordingError as exc:
            message = f"not recorded: {exc}"
            self.notify(str(exc), title="Not recorded", severity="error", timeout=8, markup=False)
        else:
            message = f"recorded {len(recording.events)} events to {self.record}"
            self.notify(message, timeout=4, markup=False)
        self.app.record_message = message  # type: ignore[attr-defined]  # cli prints it

    # -- playback ---------------------------------------------------------------------------
    def _playback_moved(self) -> None:
        self._poll()
        self._show_status()

    def action_play_pause(self) -> None:
        replay = self.replay
        if replay is not None:
            if replay.paused or replay.finished:
                replay.play()  # at the end: from the start
            else:
                replay.pause()
            self._playback_moved()

    def action_step(self, direction: int) -> None:
        if self.replay is not None:
            if direction > 0:
                self.replay.step()
            else:
                self.replay.step_back()
            self._playback_moved()

    def action_speed(self, direction: int) -> None:
        replay = self.replay
        if replay is not None:
            if direction > 0:
                replay.faster()
            else:
                replay.slower()
            self._playback_moved()

    def action_seek(self, seconds: float) -> None:
        if self.replay is not None:
            self.replay.seek(self.replay.position + seconds)
            self._playback_moved()

    def action_seek_to(self, seconds: float) -> None:
        if self.replay is not None:
            self.replay.seek(seconds)
            self._playback_moved()

    def action_zoom(self, factor: float) -> None:
        timeline = self.query_one(Timeline)
        timeline.zoom_by(factor)
        self.notify(f"zoom ×{timeline.zoom:g}", timeout=1)  # noqa: RUF001

    def action_tab(self, pane_id: str) -> None:
        self.query_one(TabbedContent).active = f"{pane_id}{TAB}"

    def action_back(self) -> None:
        self.end()
        self.app.pop_screen()
