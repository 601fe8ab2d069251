"""Recordings: a run's event stream saved as versioned JSON lines, read back as untrusted data.

A recording is UTF-8 text, one JSON object per line::

    {"format": "concur-tui-recording", "version": 1, "events_version": 1, "events": 338, ...}
    {"e": "hello", "t": 2104790031413, "pid": 7281, ...}
    ...                                  (every event, in the order the model was fed them)

The first line is the header (see ``docs/recording.md``); every other line is one event of
``tui.events`` exactly as the live model consumed it: the runner's events, the program's
output, the supervisor's cpu/procs/threads samples and its closing ``supervisor_end``.

Reading never trusts the file: JSON only (no pickle, no eval), a size bound on the file, each
line and the event count, the format and version checked, every event checked with
``tui.events.check``, and the whole stream fed once through a model so that a file that loads
also replays. Anything wrong raises ``RecordingError`` with a one-line message.

``Replay`` plays a loaded recording into a ``RunModel`` at a virtual time, for the dashboard.
"""

from __future__ import annotations

import array
import bisect
import contextlib
import datetime
import importlib.resources
import itertools
import json
import math
import os
import platform
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, cast

from tui import events as schema
from tui.errors import UsageError
from tui.events import Event, HelloEvent, SchemaError
from tui.files import cannot_write, write_atomically
from tui.model.run import NS, RunModel

if TYPE_CHECKING:
    from tui.model.summary import Summary

FORMAT = "concur-tui-recording"
VERSION = 1
SUFFIX = ".jsonl"
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_LINE_BYTES = 1024 * 1024
MAX_EVENTS = 2_000_000
PIECE_BYTES = 4 << 20  # of a recording's file parsed at a time when a replay moves far
ADVANCE_EVENTS = 8_000  # events a playing replay feeds per step at most (as a live poll)
MAX_SPAN_S = 24 * 3600  # a recording covers at most a day (a run, not a clock's whole range)
SPEEDS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
MIN_SPEED, MAX_SPEED = SPEEDS[0], SPEEDS[-1]


class RecordingMeta(TypedDict, total=False):
    """The header fields this module writes (docs/recording.md); reading, any may be null."""

    scenario: str
    params: dict[str, Any]
    python: str
    cores: int
    created: str
    host: str
    source: str
    events: int
    duration_s: float
    dropped_invalid: int
    truncated: bool


_META_FIELDS = schema.fields_of(RecordingMeta)


class RecordingError(UsageError):
    """A recording that cannot be read or written; the message is one line, fit for stderr."""


# -- writing ---------------------------------------------------------------------------------


class Recorder:
    """Collects events as they arrive, in the order the model is fed them, and saves them.

    Hand it every batch you feed the model (``recorder.extend(batch)`` next to
    ``model.feed_many(batch)``); ``save(path)`` writes the recording at any time, so a
    dashboard's record key can save a run that is still going. Events that do not follow the
    schema are left out (and counted in the header), so whatever it saves loads again; past
    ``MAX_EVENTS`` it stops collecting and marks the recording truncated.
    """

    def __init__(self, meta: dict[str, Any] | None = None, limit: int = MAX_EVENTS) -> None:
        self.meta: dict[str, Any] = dict(meta or {})
        self.events: list[Event] = []
        self.limit = limit
        self.dropped = 0
        self.truncated = False

    def add(self, event: Event) -> None:
        if len(self.events) >= self.limit:
            self.truncated = True
            return
        try:
            schema.check(event, deep=False)  # the live stream's readers checked the rest
        except SchemaError:
            self.dropped += 1
            return
        self.events.append(event)

    def extend(self, events: Iterable[Event], checked: bool = False) -> Recorder:
        """``checked``: they came through ``events.check`` already (a session's reader, a
        recording's) or concur-tui made them, so only the limit applies (the dashboard takes
        a thousand events a second from a GIL convoy: checking each twice was a fifth of it)."""
        if not checked:
            for event in events:
                self.add(event)
            return self
        batch = list(events)
        room = max(0, self.limit - len(self.events))
        if len(batch) > room:
            self.truncated = True
            del batch[room:]
        self.events.extend(batch)
        return self

    def header(self) -> dict[str, Any]:
        meta = dict(self.meta)
        hello = cast("HelloEvent | None", next((e for e in self.events if e["e"] == "hello"), None))
        if hello is not None:
            meta.setdefault("scenario", hello["scenario"])
            meta.setdefault("params", hello["params"])
            meta.setdefault("python", hello["python"])
            if "cores" in hello:  # checked as it was added
                meta.setdefault("cores", hello["cores"])
        meta.setdefault("host", platform.node())
        meta["created"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        meta["events"] = len(self.events)
        meta["duration_s"] = round(_release_times(self.events)[-1], 6) if self.events else 0.0
        if self.dropped:
            meta["dropped_invalid"] = self.dropped
        if self.truncated:
            meta["truncated"] = True
        return {"format": FORMAT, "version": VERSION, "events_version": schema.VERSION, **meta}

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the recording to ``path`` (atomically: a complete file or none)."""
        if not self.events:
            raise RecordingError("nothing to save: no events were recorded")
        return _write(
            path, (f"{_dumps(x)}\n" for x in itertools.chain([self.header()], self.events))
        )


class FileRecording:
    """A recording that is already a checked file: saved again by copying its lines."""

    def __init__(self, meta: dict[str, Any], events: RecordedEvents) -> None:
        self.meta = meta
        self.events = events

    def save(self, path: str | os.PathLike[str]) -> Path:
        return _write(path, self.events.raw_lines())


def _write(path: str | os.PathLike[str], lines: Iterable[str]) -> Path:
    """A recording's lines written atomically; RecordingError (one line) if they cannot be."""
    try:
        return write_atomically(path, lines)
    except OSError as exc:
        raise RecordingError(cannot_write(path, exc)) from None


def save(
    path: str | os.PathLike[str], events: Iterable[Event], meta: dict[str, Any] | None = None
) -> Path:
    """Save ``events`` (in the order the model consumed them) as a recording at ``path``."""
    return Recorder(meta).extend(events).save(path)


def scenario_meta(scenario: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Header fields for a run of a catalog scenario: its name, parameters and source text."""
    meta: dict[str, Any] = {"scenario": scenario.name, "params": dict(params)}
    with contextlib.suppress(OSError):
        source = scenario.source
        if len(source) < MAX_LINE_BYTES // 4:
            meta["source"] = source
    return meta


def _dumps(value: Any) -> str:
    """One line of strict JSON (a non-finite number becomes null), so what is saved loads."""
    return schema.dumps_strict(value, separators=(",", ":"), ensure_ascii=False, default=repr)


# -- reading ---------------------------------------------------------------------------------


def load(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[Event]]:
    """Read a recording: ``(meta, events)``, or ``RecordingError`` saying what is wrong."""
    meta, events, _ = _load(path, keep="list")
    assert isinstance(events, list)
    return meta, events


def load_model(path: str | os.PathLike[str]) -> tuple[dict[str, Any], RunModel]:
    """Read a recording and return its header and a model fed every event (the run's end state).
    The events are read one at a time and not kept: memory is the model's, not the file's."""
    meta, _, model = _load(path, keep="none")
    return meta, model


def summary_of_recording(path: str | os.PathLike[str]) -> Summary:
    """The headless summary of a recorded run: equal to the summary the live run printed."""
    from tui.model.summary import summarize

    return summarize(load_model(path)[1])


RECORDINGS_ENV = "CONCUR_TUI_RECORDINGS"


def recordings_folder() -> Path:
    """Where the dashboard's ``w`` saves runs: ``$CONCUR_TUI_RECORDINGS`` if set, else
    ``concur-tui/recordings`` in the user's data folder (``$XDG_DATA_HOME``, by default
    ``~/.local/share``). ``concur-tui replay NAME`` also looks there."""
    chosen = os.environ.get(RECORDINGS_ENV)
    if chosen:
        return Path(chosen).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "concur-tui" / "recordings"


def find_recording(name: str) -> Path:
    """``name`` as given, or the file of that name in the recordings folder if only it exists."""
    given = Path(name).expanduser()
    if given.exists() or given.is_absolute() or given.parent != Path("."):
        return given
    saved = recordings_folder() / name
    return saved if saved.exists() else given


def demo_names() -> list[str]:
    """The demo recordings shipped in ``tui/demos``."""
    folder = importlib.resources.files("tui.demos")
    return sorted(p.name[: -len(SUFFIX)] for p in folder.iterdir() if p.name.endswith(SUFFIX))


def demo_path(name: str) -> Path:
    """The file of a shipped demo recording, or ``RecordingError`` listing the ones there are."""
    names = demo_names()
    if name not in names:
        raise RecordingError(
            f"no demo recording {name!r} (there are: {', '.join(names) or 'none'})"
        )
    resource = importlib.resources.files("tui.demos") / f"{name}{SUFFIX}"
    # Demos ship as plain files inside the package; as_file() would copy one out of a zip.
    with importlib.resources.as_file(resource) as real:
        return Path(real)


class RecordedEvents(Sequence[Event]):
    """A checked recording's events, read from its file when asked for (one line each), so
    that replaying a 200 MB recording holds offsets and times, not the events themselves.

    The file stays open: a file replaced by another after loading is not read. A line that
    changed since it was checked reads as a ``dropped`` event.
    """

    def __init__(self, stream: Any, offsets: array.array, release_times: array.array) -> None:
        self._stream = stream
        self._offsets = offsets
        self.release_times = release_times

    def __len__(self) -> int:
        return len(self._offsets)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):  # contiguous: one seek, then line after line
            start, stop, step = index.indices(len(self))
            if step != 1 or start >= stop:
                return [self[i] for i in range(start, stop, step)]
            self._stream.seek(self._offsets[start])
            lines = [self._stream.readline(MAX_LINE_BYTES + 1) for _ in range(stop - start)]
            return [self._parse(line) for line in lines]
        self._stream.seek(self._offsets[index])
        return self._parse(self._stream.readline(MAX_LINE_BYTES + 1))

    def __iter__(self) -> Iterator[Event]:
        if not self._offsets:
            return
        self._stream.seek(self._offsets[0])
        for _ in range(len(self._offsets)):
            yield self._parse(self._stream.readline(MAX_LINE_BYTES + 1))

    def raw_lines(self) -> Iterator[str]:
        """The recording's file as it was checked, header first, a line at a time."""
        self._stream.seek(0)
        stop = self._offsets[-1]
        while self._stream.tell() <= stop:
            line = self._stream.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            yield line.decode("utf-8", errors="replace")

    def index_past(self, start: int, size: int) -> int:
        """The index after ``start`` where ``size`` bytes of the file have been read (at
        least one event)."""
        return bisect.bisect_right(self._offsets, self._offsets[start] + size, start + 1)

    def pieces(self, start: int, stop: int) -> Iterator[list[Event]]:
        """Events ``start`` to ``stop``, a few MB of the file at a time."""
        while start < stop:
            end = bisect.bisect_right(
                self._offsets, self._offsets[start] + PIECE_BYTES, start + 1, stop
            )
            yield self[start:end]
            start = end

    @staticmethod
    def _parse(raw: bytes) -> Event:
        try:
            return schema.check(schema.loads(raw), deep=False)
        except (ValueError, RecursionError):
            return {"e": "dropped", "t": 0, "pid": 0, "what": "invalid_event", "count": 1}


def _load(
    path: str | os.PathLike[str], keep: str
) -> tuple[dict[str, Any], list[Event] | RecordedEvents | None, RunModel]:
    """One pass over the file: every event checked and fed to a model (so that what loads
    also replays). ``keep``: "list" returns the events, "lazy" a RecordedEvents, "none" none."""
    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise RecordingError(f"cannot open {name}: {exc.strerror or exc}") from None
    stream = None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RecordingError(f"{name} is not a regular file")
        if info.st_size == 0:
            raise RecordingError(f"{name} is empty, not a recording")
        if info.st_size > MAX_FILE_BYTES:
            raise RecordingError(
                f"{name} is {info.st_size / 2**20:.0f} MB; recordings are limited to"
                f" {MAX_FILE_BYTES // 2**20} MB"
            )
        stream = os.fdopen(fd, "rb")
        meta, events, model = _parse(name, stream, keep)
    except BaseException:
        if stream is not None:
            stream.close()
        else:
            os.close(fd)
        raise
    if keep != "lazy":
        stream.close()
    return meta, events, model


def _parse(
    name: str, stream: Any, keep: str
) -> tuple[dict[str, Any], list[Event] | RecordedEvents | None, RunModel]:
    meta: dict[str, Any] | None = None
    kept: list[Event] = []
    offsets = array.array("q")
    times = array.array("d")
    model = RunModel()
    count = 0
    total = 0
    number = 0
    first = latest = 0
    while True:
        offset = total
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            break
        number += 1
        total += len(raw)
        if total > MAX_FILE_BYTES:
            raise RecordingError(f"{name} grew past {MAX_FILE_BYTES // 2**20} MB while reading")
        if not raw.endswith(b"\n"):
            if len(raw) > MAX_LINE_BYTES:
                raise RecordingError(
                    f"{name}: line {number} is longer than {MAX_LINE_BYTES // 2**20} MB"
                )
            raise RecordingError(f"{name} is truncated: line {number} is incomplete")
        if not raw.strip():
            continue
        value = _json_line(name, number, raw)
        if meta is None:
            meta = _check_header(name, value)
            continue
        if count >= MAX_EVENTS:
            raise RecordingError(f"{name} has more than {MAX_EVENTS} events")
        try:
            event = schema.check(value, deep=False)  # loads() and the line bound did the rest
        except SchemaError as exc:
            raise RecordingError(f"{name}: line {number}: {exc}") from None
        if not count:
            first = latest = event["t"]
        if abs(event["t"] - first) > MAX_SPAN_S * 1e9:
            raise RecordingError(
                f"{name}: line {number}: its time is more than {MAX_SPAN_S // 3600} h away"
                " from the first event's"
            )
        try:
            model.feed(event)
        except Exception as exc:
            raise RecordingError(
                f"{name}: event {count + 1} ({event['e']}) does not make sense"
                f" ({type(exc).__name__}: {exc})".splitlines()[0]
            ) from None
        count += 1
        if keep == "list":
            kept.append(event)
        elif keep == "lazy":
            latest = max(latest, event["t"])
            offsets.append(offset)
            times.append((latest - first) / NS)
    if meta is None:
        raise RecordingError(f"{name} is empty, not a recording")
    if not count:
        raise RecordingError(f"{name} holds a header but no events")
    expected = meta.get("events")
    if expected is not None and expected != count:
        raise RecordingError(
            f"{name} is truncated or damaged: its header says {expected} events, it holds {count}"
        )
    _check_summary(name, model)
    events = (
        kept
        if keep == "list"
        else RecordedEvents(stream, offsets, times)
        if keep == "lazy"
        else None
    )
    return meta, events, model


def _json_line(name: str, number: int, raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordingError(f"{name}: line {number} is not UTF-8 text") from None
    try:
        return schema.loads(text)
    except json.JSONDecodeError as exc:
        what = "not a concur-tui recording (not JSON lines)" if number == 1 else "not valid JSON"
        raise RecordingError(f"{name}: line {number} is {what}: {exc.msg}") from None
    except RecursionError:
        raise RecordingError(f"{name}: line {number} is nested too deeply") from None
    except ValueError as exc:  # NaN, Infinity, 1e999
        raise RecordingError(f"{name}: line {number}: {exc}") from None


def _check_header(name: str, header: Any) -> dict[str, Any]:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise RecordingError(f"{name} is not a concur-tui recording (no {FORMAT!r} header)")
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise RecordingError(f"{name}: the header has no integer format version")
    if version != VERSION:
        raise RecordingError(
            f"{name} is a version {version} recording; this concur-tui reads version {VERSION}"
        )
    events_version = header.get("events_version", schema.VERSION)
    if events_version not in schema.READABLE_VERSIONS:
        raise RecordingError(
            f"{name} holds version {events_version} events; this concur-tui reads version"
            f" {schema.VERSION}"
        )
    meta = {k: v for k, v in header.items() if k not in ("format", "version", "events_version")}
    problem = schema.fields_problem({k: v for k, v in meta.items() if v is not None}, _META_FIELDS)
    if problem:
        raise RecordingError(f"{name}: header {problem}")
    return meta


def _check_summary(name: str, model: RunModel) -> None:
    """Summarize the model once, so that what loads also summarizes and exports."""
    from tui.model.summary import summarize

    try:
        summarize(model)
    except Exception as exc:
        raise RecordingError(
            f"{name}: its summary does not make sense ({type(exc).__name__}: {exc})".splitlines()[0]
        ) from None


# -- replaying -------------------------------------------------------------------------------


def _release_times(events: list[Event]) -> list[float]:
    """When each event is shown in a replay: seconds after the first event, never going back.

    Events arrive in the order the model consumed them, which is not quite the order of their
    timestamps (a sample can arrive after an event stamped later); an event is released at the
    latest timestamp seen up to it, so order is kept and time only moves forward.
    """
    if not events:
        return []
    origin = events[0]["t"]
    latest = origin
    times = []
    for event in events:
        latest = max(latest, event["t"])
        times.append((latest - origin) / NS)
    return times


class Replay:
    """Play recorded events into a ``RunModel`` at a virtual time, deterministically.

    ``replay.model`` is what the panes draw. Its clock is the replay's virtual time, so the
    live edge, spans still open and everything the model derives are exactly what they were
    at that moment of the recorded run. Time is seconds from the recording's first event.

    - ``advance(wall_dt)``: call from a timer with the real seconds since the last call; moves
      by ``wall_dt * speed`` unless paused or at the end. Returns True if anything changed.
    - ``pause()``, ``play()``, ``toggle()``; ``paused``. ``play()`` at the end starts over.
    - ``step(seconds=None)``: pause and move to the next event's time (None), or by
      ``seconds`` (negative goes back).
    - ``step_back()``: pause and move to the previous event's time, the latest one before the
      position: right after ``step()`` it goes back exactly where that step started from
      (when that was an event's time, as after another step or at the start).
    - ``seek(t)``: jump to ``t`` (clamped to ``0..duration``). Going back rebuilds the model
      from the start, **in place**: ``replay.model`` stays the same object (its ``version``
      keeps growing), but its tasks and series are new ones, and ``generation`` is bumped so a
      view that caches per-task state knows to drop it.
    - ``set_speed(x)`` (clamped to 0.1..4), ``faster()``, ``slower()`` (along ``SPEEDS``).
    - ``position``, ``duration``, ``finished``, ``meta`` (the recording's header);
      ``clock()`` is the model's clock (ns, the recording's own timestamps).
    - Iterating a Replay yields all its events (``len()`` counts them), so code that takes a
      plain list of recorded events can take a Replay too.

    No Textual and no clock of its own: the same calls give the same model every time.
    """

    def __init__(
        self,
        events: Iterable[Event],
        meta: dict[str, Any] | None = None,
        speed: float = 1.0,
        paused: bool = False,
    ) -> None:
        self.events: Sequence[Event] = (
            events if isinstance(events, RecordedEvents) else list(events)
        )
        if not self.events:
            raise ValueError("a replay needs at least one event")
        self.meta = dict(meta or {})
        self._times: Sequence[float] = (
            events.release_times
            if isinstance(events, RecordedEvents)
            else _release_times(list(self.events))
        )
        self._origin = self.events[0]["t"]
        self.duration = self._times[-1]
        self.position = 0.0
        self.paused = paused
        self.speed = 1.0
        self.set_speed(speed)
        self.generation = 0
        self._next = 0
        self.model = RunModel(clock=self.clock)
        self._feed_to(0.0)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], **kwargs: Any) -> Replay:
        """Play a recording file; its events stay in the file until they are played."""
        meta, events, _ = _load(path, keep="lazy")
        assert isinstance(events, RecordedEvents)
        return cls(events, meta, **kwargs)

    def recording(self) -> Recorder | FileRecording:
        """What saving this replay writes: the whole recording, copied line by line from its
        file when it was played from one (so a big one is never held in memory)."""
        if isinstance(self.events, RecordedEvents):
            return FileRecording(self.meta, self.events)
        return Recorder(self.meta).extend(self.events)

    @classmethod
    def from_demo(cls, name: str, **kwargs: Any) -> Replay:
        return cls.from_file(demo_path(name), **kwargs)

    def clock(self) -> int:
        return self._origin + round(self.position * NS)

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    @property
    def finished(self) -> bool:
        return self.position >= self.duration

    # -- time ----------------------------------------------------------------------------------
    def advance(self, wall_dt: float) -> bool:
        if self.paused or self.finished or not wall_dt > 0:
            return False
        self.seek(self._within_budget(self.position + wall_dt * self.speed))
        return True

    def _within_budget(self, t: float) -> float:
        """``t``, or the time of the last event a dashboard can take in one poll when more
        lie before ``t`` (a flood plays slower than it was recorded instead of freezing)."""
        stop = bisect.bisect_right(self._times, t, lo=self._next)
        cap = self._next + ADVANCE_EVENTS
        if isinstance(self.events, RecordedEvents):
            cap = min(cap, self.events.index_past(self._next, PIECE_BYTES))
        return self._times[cap - 1] if stop > cap else t

    def seek(self, t: float) -> None:
        t = min(self.duration, max(0.0, t)) if math.isfinite(t) else self.position
        if self._next and t < self._times[self._next - 1]:
            self._rebuild()
        self.position = t
        self._feed_to(t)
        self.model.version += 1

    def step(self, seconds: float | None = None) -> None:
        self.paused = True
        if seconds is not None:
            self.seek(self.position + seconds)
        elif self._next < len(self.events):
            self.seek(max(self.position, self._times[self._next]))
        else:
            self.seek(self.duration)

    def step_back(self) -> None:
        self.paused = True
        earlier = bisect.bisect_left(self._times, self.position) - 1
        self.seek(self._times[earlier] if earlier >= 0 else 0.0)

    def pause(self) -> None:
        self.paused = True

    def play(self) -> None:
        if self.finished:
            self.seek(0.0)
        self.paused = False

    def toggle(self) -> None:
        if self.paused:
            self.play()
        else:
            self.pause()

    # -- speed ---------------------------------------------------------------------------------
    def set_speed(self, speed: float) -> float:
        if math.isfinite(speed):
            self.speed = min(MAX_SPEED, max(MIN_SPEED, float(speed)))
        return self.speed

    def faster(self) -> float:
        return self.set_speed(next((s for s in SPEEDS if s > self.speed + 1e-9), MAX_SPEED))

    def slower(self) -> float:
        return self.set_speed(
            next((s for s in reversed(SPEEDS) if s < self.speed - 1e-9), MIN_SPEED)
        )

    # -- internals -----------------------------------------------------------------------------
    def _feed_to(self, t: float) -> None:
        stop = bisect.bisect_right(self._times, t, lo=self._next)  # release times only grow
        if isinstance(self.events, RecordedEvents):  # a seek far into a big file: in pieces
            for piece in self.events.pieces(self._next, stop):
                self.model.feed_many(piece)
        elif stop > self._next:
            self.model.feed_many(self.events[self._next : stop])
        self._next = max(self._next, stop)

    def _rebuild(self) -> None:
        version = self.model.version
        self.model.__init__(clock=self.clock)  # type: ignore[misc]  # same object, fresh state
        self.model.version = version + 1
        self.generation += 1
        self._next = 0
