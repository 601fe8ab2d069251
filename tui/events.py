"""The one event stream: what the runner, its workers and the supervisor say happened.

Every event is a JSON object on its own line with at least ``e`` (its type),
``t`` (``time.perf_counter_ns()``, CLOCK_MONOTONIC, so every process shares one
clock) and ``pid`` (the process that emitted it). The full schema, with every
field, is in ``docs/events.md``; the TypedDicts below are its typed core, and
``schema()`` (what ``check()`` applies) is derived from them.

This module is imported by the runner, so it must stay standard-library only.
"""

import base64
import functools
import json
import math
import re
import types
from array import array
from enum import StrEnum
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import (
    Any,
    Literal,
    NamedTuple,
    NotRequired,
    TypedDict,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

# No ``from __future__ import annotations`` here: the TypedDicts below are read at run time
# (``schema()``), and postponed annotations hide ``NotRequired`` from ``__required_keys__``.

VERSION = 2
# Streams and recordings of these versions are read (2 added ``starts`` and ``ends``; a
# version 1 stream is a version 2 stream that has none).
READABLE_VERSIONS = (1, 2)

# An event as read or built, before its type is known; the TypedDicts below say what each
# type holds, for the code that handles it.
Event = dict[str, Any]


# -- the words -------------------------------------------------------------------------------


class CauseKind(StrEnum):
    """What cancelled a task (a cause's ``kind``): on screen, in JSON and in exports."""

    TIMEOUT = "timeout"  # asyncio.wait_for or asyncio.timeout
    TASKGROUP = "taskgroup"  # a TaskGroup cancelling the siblings of a failed task
    GATHER = "gather"  # the gather() a task belongs to was cancelled
    RUN_EXIT = "run_exit"  # asyncio.run cancelling what is still pending at the end
    USER = "user"  # asked from concur-tui, or the run was interrupted
    PROGRAM = "program"  # task.cancel() in the program's own code


class TaskKind(StrEnum):
    """What a task is: a thread, a process-pool item, an asyncio task, a thread-pool call."""

    THREAD = "thread"
    PROCESS = "process"
    ASYNC = "async"
    CALL = "call"  # a call submitted to a thread pool (submit, map, run_in_executor, to_thread)


class TaskOutcome(StrEnum):
    DONE = "done"
    ERROR = "error"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"


class RunOutcome(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"  # the program raised or exited non-zero, or its runner died
    CANCELLED = "cancelled"  # interrupted: Ctrl-C, or cancelled from the dashboard


class TaskState(StrEnum):
    """Why a task is where it is at a moment: the one vocabulary of spans, JSON and colours.

    The order is the legend's. How each is known is in README, "What the figures mean".
    """

    RUNNING = "running"  # on a CPU
    GIL = "gil"  # off-CPU in a futex wait on its process's GIL
    CORE = "core"  # runnable, but every core was busy (the run queue)
    WAITING = "waiting"  # ready but not running for another reason: the event loop was busy,
    # or (hooks-only) off-CPU for a reason nothing measured
    QUEUED = "queued"  # submitted to an executor or pool, no worker has taken it yet
    SLEEPING = "sleeping"  # time.sleep, asyncio.sleep, clock_nanosleep
    IO = "io"  # waiting for I/O or a child process (read, recv, poll, select, wait4, ...)
    BLOCKED = "blocked"  # on a lock, queue, condition, event, join; an asyncio task awaiting


class Attribution(StrEnum):
    """How off-CPU time is told apart: by the kernel's view of each thread, or by hooks only."""

    KERNEL = "kernel"
    HOOKS_ONLY = "hooks-only"


# What the supervisor drops to stay within its bounds, counted on screen and in the summary.
DropKind = Literal["invalid_event", "output_line", "task"]
DROP_KINDS: tuple[DropKind, ...] = get_args(DropKind)
DROP_WORDS: dict[DropKind, str] = {
    "invalid_event": "invalid events dropped",
    "output_line": "output lines dropped",
    "task": "tasks past the limit not shown",
}
OutputStream = Literal["stdout", "stderr"]

TASK_KINDS: tuple[TaskKind, ...] = tuple(TaskKind)
TASK_OUTCOMES: tuple[TaskOutcome, ...] = tuple(TaskOutcome)
RUN_OUTCOMES: tuple[RunOutcome, ...] = tuple(RunOutcome)
WAIT_STATES = (TaskState.SLEEPING, TaskState.BLOCKED, TaskState.IO)  # what a `wait` reports
CANCEL_CAUSES: tuple[CauseKind, ...] = tuple(CauseKind)


# -- the event types -------------------------------------------------------------------------
# One TypedDict a type: the fields it must carry, and (NotRequired) those it may.
# ``schema()`` and ``check()`` are derived from them: the types mypy checks the model's
# handlers against are the types a stream read from outside is checked against.


class Cause(TypedDict):
    """Why a task was cancelled (docs/events.md, "A cause")."""

    kind: CauseKind
    by: NotRequired[str | None]  # the task whose failure or cancellation caused it
    detail: NotRequired[str]
    where: NotRequired[str | None]  # file:line
    msg: NotRequired[str]  # what the program passed to cancel(msg)


class _Stamped(TypedDict):
    t: int  # time.perf_counter_ns(): one clock for every process
    pid: int


class HelloEvent(_Stamped):
    e: Literal["hello"]
    v: int
    scenario: str
    params: dict[str, Any]
    python: str
    implementation: NotRequired[str]
    gil_enabled: NotRequired[bool]
    start_method: NotRequired[str]
    switch_interval_s: NotRequired[float]
    cores: NotRequired[int]
    source_file: NotRequired[str]


class RunStartEvent(_Stamped):
    e: Literal["run_start"]
    # The CPU seconds the runner, and each process below it ([pid, s]), used before the
    # program began: their start (interpreters, hooks, a pool's server), not the program's.
    self_cpu_s: NotRequired[float]
    children_cpu: NotRequired[list[list[float]]]


class RunEndEvent(_Stamped):
    e: Literal["run_end"]
    outcome: RunOutcome
    error: NotRequired[str | None]
    traceback: NotRequired[str | None]
    self_cpu_s: NotRequired[float]  # the runner's, when the program ended
    children_cpu_s: NotRequired[float]
    switch_interval_s: NotRequired[float]
    lost_events: NotRequired[int]


class TaskStartEvent(_Stamped):
    e: Literal["task_start"]
    id: str
    kind: TaskKind
    name: str
    tid: NotRequired[int | None]
    parent: NotRequired[str | None]
    coro: NotRequired[str]
    core: NotRequired[int | None]
    internal: NotRequired[bool]
    queued: NotRequired[bool]
    worker: NotRequired[str]


class TaskEndEvent(_Stamped):
    e: Literal["task_end"]
    id: str
    outcome: TaskOutcome
    error: NotRequired[str | None]
    traceback: NotRequired[str | None]
    cancelled_by: NotRequired[Cause | None]
    result: NotRequired[str | None]
    cpu_ns: NotRequired[int]
    sleep_ns: NotRequired[int]
    block_ns: NotRequired[int]
    io_ns: NotRequired[int]
    cpu_queue_ns: NotRequired[int]
    core: NotRequired[int | None]
    cores: NotRequired[list[int]]
    process_cpu_ns: NotRequired[int]


class RenameEvent(_Stamped):
    e: Literal["rename"]
    id: str
    name: str


class WaitEvent(_Stamped):
    e: Literal["wait"]
    id: str
    state: TaskState
    t0: int
    what: str


class WaitStartEvent(_Stamped):
    e: Literal["wait_start"]
    id: str
    state: TaskState
    what: str


class StepEvent(_Stamped):
    e: Literal["step"]
    id: str
    t0: int


class ReadyEvent(_Stamped):
    e: Literal["ready"]
    id: str
    t0: int


class StepsEvent(_Stamped):
    e: Literal["steps"]
    flat: list[Any]  # STEP_ROW_LEN values a step: id, t0, t, ready (checked by check())


class StartsEvent(_Stamped):
    e: Literal["starts"]
    flat: list[Any]  # START_ROW values a task: asyncio tasks' task_start (checked by check())


class EndsEvent(_Stamped):
    e: Literal["ends"]
    flat: list[Any]  # END_ROW values a task: asyncio tasks' task_end, done (checked by check())


class WindowEvent(_Stamped):
    e: Literal["window"]
    t0: int
    threads: dict[str, list[int]]  # id -> [run_ns, gil_ns]
    waiting: NotRequired[dict[str, list[Any]]]  # id -> [state, t0, what]


class CancelEvent(_Stamped):
    e: Literal["cancel"]
    id: str
    cause: Cause


class GilEvent(_Stamped):
    e: Literal["gil"]
    t0: int
    busy: float
    lags_us: list[int]


class LoopEvent(_Stamped):
    e: Literal["loop"]
    t0: int
    lags_us: list[int]


class StallEvent(_Stamped):
    e: Literal["stall"]
    t0: int
    file: str
    line: int
    code: str
    function: NotRequired[str]


class StallEndEvent(_Stamped):
    e: Literal["stall_end"]
    t0: int


class OutputEvent(_Stamped):
    e: Literal["output"]
    stream: OutputStream
    text: str


class CpuEvent(_Stamped):
    e: Literal["cpu"]
    t0: int
    per_core: list[float]  # every program's use of each core, percent
    # The run's processes' and concur-tui's own share of it (absent from older recordings).
    scenario: NotRequired[list[float] | None]
    tool: NotRequired[list[float] | None]


class ThreadsEvent(_Stamped):
    e: Literal["threads"]
    rows: list[list[Any]]  # [pid, tid, state, cpu_s, core]


class ProcsEvent(_Stamped):
    e: Literal["procs"]
    rows: list[list[Any]]  # [pid, name, cpu_s, rss_bytes]


class NoteEvent(_Stamped):
    e: Literal["note"]
    text: str
    id: NotRequired[str | None]


class GilWordsEvent(_Stamped):
    e: Literal["gil_words"]
    words: list[int]
    enabled: bool


class AttributionEvent(_Stamped):
    e: Literal["attribution"]
    mode: Attribution
    reason: NotRequired[str | None]  # why the kernel cannot be asked


class OffcpuEvent(_Stamped):
    e: Literal["offcpu"]
    t0: int
    rows: list[list[Any]]  # [pid, tid, {state: ns}, {state: what}]
    sampler_cpu_ns: NotRequired[int]
    sweeps: NotRequired[int]  # sweeps over [t0, t)
    late: NotRequired[int]  # of them, ones that came over their interval late (a busy machine)


class SupervisorEndEvent(_Stamped):
    e: Literal["supervisor_end"]
    exit_code: int
    kernel_cpu_s: NotRequired[float | None]
    outcome: NotRequired[RunOutcome]  # when the runner died without a run_end
    error: NotRequired[str | None]


class DroppedEvent(_Stamped):
    e: Literal["dropped"]
    what: DropKind
    count: int


EVENT_TYPES: tuple[type, ...] = (
    HelloEvent,
    RunStartEvent,
    RunEndEvent,
    TaskStartEvent,
    TaskEndEvent,
    RenameEvent,
    WaitEvent,
    WaitStartEvent,
    StepEvent,
    ReadyEvent,
    StepsEvent,
    StartsEvent,
    EndsEvent,
    WindowEvent,
    CancelEvent,
    GilEvent,
    LoopEvent,
    StallEvent,
    StallEndEvent,
    OutputEvent,
    CpuEvent,
    ThreadsEvent,
    ProcsEvent,
    NoteEvent,
    GilWordsEvent,
    AttributionEvent,
    OffcpuEvent,
    SupervisorEndEvent,
    DroppedEvent,
)


class Field(NamedTuple):
    """How ``check`` reads one field: its JSON types; for a word, the words it may be; for an
    object with a TypedDict of its own (a cause), that object's fields."""

    types: tuple[type, ...]
    required: bool
    choices: frozenset[Any] | None = None
    fields: dict[str, "Field"] | None = None


def _field(annotation: Any, required: bool) -> Field:
    """A field's annotation as isinstance types: a float may be written as an integer, an
    enum or a Literal is a string (or a number) of its values."""
    union = get_origin(annotation) in (Union, types.UnionType)
    members = get_args(annotation) if union else (annotation,)
    found: list[type] = []
    choices: set[Any] | None = set()
    nested = None
    for member in members:
        if is_typeddict(member):
            found.append(dict)
            nested = fields_of(member)
            choices = None
        elif member is type(None):
            found.append(type(None))
            if choices is not None:
                choices.add(None)
        elif get_origin(member) is Literal:
            found.extend(type(value) for value in get_args(member))
            if choices is not None:
                choices.update(get_args(member))
        elif isinstance(member, type) and issubclass(member, StrEnum):
            found.append(str)
            if choices is not None:
                choices.update(item.value for item in member)
        else:
            found.extend((int, float) if member is float else (_json_type(member),))
            choices = None
    words = frozenset(choices) if choices else None
    return Field(tuple(dict.fromkeys(found)), required, words, nested)


def _json_type(annotation: Any) -> type:
    origin = get_origin(annotation) or annotation
    if not isinstance(origin, type):
        raise TypeError(f"no JSON type for {annotation!r}")
    return origin


def fields_of(typed_dict: Any) -> dict[str, Field]:
    """How ``fields_problem`` checks an object against a TypedDict (besides e, t and pid)."""
    return {
        name: _field(hint, name in typed_dict.__required_keys__)
        for name, hint in get_type_hints(typed_dict).items()
        if name not in ("e", "t", "pid")
    }


@functools.cache
def schema() -> dict[str, dict[str, Field]]:
    """Event type -> its fields besides e, t and pid: those it must carry, and those checked if
    present. Built on first use: the runner and its workers only write events, and do not pay
    for it as they start."""
    return {
        get_args(get_type_hints(event_type)["e"])[0]: fields_of(event_type)
        for event_type in EVENT_TYPES
    }


# The fields of each type that carry text from the program (names, messages, output), which
# is shown only as literal text (``tui.literal``); the rest are numbers and our own words.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "hello": ("scenario", "params", "python", "implementation", "start_method", "source_file"),
    "run_end": ("error", "traceback"),
    "task_start": ("id", "name", "coro", "parent", "kind"),
    "task_end": ("id", "outcome", "error", "traceback", "result", "cancelled_by"),
    "rename": ("id", "name"),
    "wait": ("id", "state", "what"),
    "wait_start": ("id", "state", "what"),
    "step": ("id",),
    "ready": ("id",),
    "steps": ("flat",),
    "window": ("threads", "waiting"),
    "cancel": ("id", "cause"),
    "stall": ("file", "function", "code"),
    "output": ("stream", "text"),
    "note": ("text", "id"),
    "procs": ("rows",),
    "threads": ("rows",),
    "supervisor_end": ("error",),
    "attribution": ("reason",),
    # (offcpu's rows too, made literal by the model for the rows it keeps: a big run sends many)
}

# Types only the supervisor writes: a datagram from the runner's side claiming one is refused.
# (Output is written by both: the runner and its workers stamp what the program writes to
# sys.stdout/sys.stderr; the supervisor reads what reaches the pipes by other ways.)
SUPERVISOR_TYPES = frozenset(
    {"cpu", "threads", "procs", "offcpu", "attribution", "supervisor_end", "dropped"}
)


class Rows(NamedTuple):
    """Many small events of one type sent as one, a ``flat`` list of their values one row after
    another: nothing per row for the runner's garbage collector to track, one list to encode
    (a dict an event cost ~10x more to build and encode for 20 000 short asyncio tasks)."""

    columns: tuple[str, ...]
    # How each column is checked (``_rows_problem``): "id" a string of 1 to MAX_ID characters,
    # "time" an integer nanosecond stamp, "text" a string of at most MAX_ROW_TEXT characters,
    # "bool"; a trailing "?" also allows null.
    checks: tuple[str, ...]
    t_column: int  # the column whose latest value is the event's own ``t``


# ``steps``: an asyncio task's step from ``t0`` to ``t``; ``ready`` is when the task was due
# (its sleep over) if the loop ran it more than 1 ms late, else 0.
STEPS = Rows(("id", "t0", "t", "ready"), ("id", "time", "time", "time"), 2)
# ``starts``: an asyncio task's ``task_start`` (kind async); ``ends``: its ``task_end`` when it
# finished without an error (outcome done). Any other end is a ``task_end`` of its own.
STARTS = Rows(
    ("id", "t", "name", "parent", "tid", "coro", "internal"),
    ("id", "time", "text", "id?", "time?", "text", "bool"),
    1,
)
ENDS = Rows(("id", "t"), ("id", "time"), 1)
ROWS = {"steps": STEPS, "starts": STARTS, "ends": ENDS}
STEP_ROW_LEN = len(STEPS.columns)
# On the wire (the runner's side to the supervisor) rows are cheaper to make: an asyncio task's
# id in a row is its number n alone, for ``a<pid>.<n>`` (pid: the event's); and rows of
# numbers only may come ``packed``, base64 of native 64-bit integers, instead of ``flat``
# (encoding 120 000 steps as JSON held the GIL 35 ms of a 220 ms program; packing, 16).
# ``from_wire`` makes them the model's rows as the supervisor takes them in.
PACKED = frozenset({"steps", "ends"})
MAX_ROW_TEXT = 400  # a task with a longer name or coroutine is sent as a task_start of its own
MAX_ID = 200  # characters of a task id in a row

# asyncio's own name for a task nobody named (``Task-3``): shown with what the task runs.
DEFAULT_ASYNC_NAME = re.compile(r"Task-\d+")

# Bounds on any one event's values (the transport bounds a whole event: a datagram, a line).
MAX_TEXT = 1 << 17  # characters of one string
MAX_ITEMS = 100_000  # items of one list or object
MAX_DEPTH = 8
_INT_RANGE = (-(1 << 63), 1 << 63)


class SchemaError(ValueError):
    """An event that does not follow the schema (only raised for streams read from outside)."""


def loads(text: str | bytes) -> Any:
    """Parse one line of JSON from outside: ``ValueError`` for NaN, Infinity or a number too
    large for a float, which ``json.loads`` would let through. (One decoder for every line:
    ``json.loads`` with these hooks makes a decoder a call, 40 % of a short event's parse.)"""
    if isinstance(text, bytes | bytearray):
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    return _DECODER.decode(text)


def async_task_id(pid: int, n: int) -> str:
    """The id of the ``n``-th asyncio task the process ``pid`` made (``a<pid>.<n>``)."""
    return f"a{pid}.{n}"


def from_wire(event: Any) -> Any:
    """A rows event as the runner's side sends it (``PACKED``), in the model's form: values
    unpacked, task numbers made ids. Anything else is returned as it came, for ``check``."""
    if not isinstance(event, dict) or event.get("e") not in ROWS:
        return event
    rows = ROWS[event["e"]]
    width = len(rows.columns)
    if "packed" in event:
        packed = event.pop("packed")
        if event["e"] not in PACKED or not isinstance(packed, str) or "flat" in event:
            raise SchemaError(f"{event['e']} event: 'packed' where it cannot be")
        values = array("q")
        values.frombytes(base64.b64decode(packed, validate=True))  # ValueError if malformed
        event["flat"] = values.tolist()
    flat, pid = event.get("flat"), event.get("pid")
    if type(flat) is list and type(pid) is int and len(flat) % width == 0:
        for at, how in enumerate(rows.checks):
            if how.startswith("id"):
                column = flat[at::width]
                flat[at::width] = [async_task_id(pid, v) if type(v) is int else v for v in column]
    return event


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number an event may hold")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def check(event: Any, deep: bool = True) -> Event:
    """Return ``event`` if it follows the schema, else raise ``SchemaError`` naming the problem.

    ``deep`` also walks every value (finite numbers, sizes, nesting); an event parsed with
    ``loads`` from a bounded line (a datagram, a recording's line) only needs its top level."""
    if not isinstance(event, dict):
        raise SchemaError(f"an event must be a JSON object, not {type(event).__name__}")
    kind = event.get("e")
    fields = schema().get(kind) if isinstance(kind, str) else None
    if fields is None:
        raise SchemaError(f"unknown event type {kind!r}")
    if not isinstance(event.get("t"), int) or not isinstance(event.get("pid"), int):
        raise SchemaError(f"{kind} event without integer 't' and 'pid'")
    problem = fields_problem(event, fields)
    if problem:
        raise SchemaError(f"{kind} event: {problem}")
    if kind == "hello" and event["v"] not in READABLE_VERSIONS:
        raise SchemaError(f"event stream version {event['v']} (this concur-tui reads {VERSION})")
    if not 0 <= event["t"] < _INT_RANGE[1]:
        raise SchemaError(f"{kind} event: 't' out of range")
    if kind in ROWS:
        problem = _rows_problem(event["flat"], ROWS[kind])
        if problem:
            raise SchemaError(f"{kind} event: {problem}")
    problem = _value_problem(event, 0) if deep else _top_level_problem(event)
    if problem:
        raise SchemaError(f"{kind} event: {problem}")
    return event


_ABSENT = object()


def fields_problem(value: dict[str, Any], fields: dict[str, Field]) -> str | None:
    """What in ``value`` does not follow ``fields`` (a missing field, a wrong type, an unknown
    word), or None. (Every event read is checked: the common case, a value of exactly a JSON
    type, is one set lookup.)"""
    for name, (json_types, required, choices, nested) in fields.items():
        item = value.get(name, _ABSENT)
        if item is _ABSENT:
            if required:
                return f"field {name!r} missing"
            continue
        if type(item) not in json_types and (
            isinstance(item, bool) or not isinstance(item, json_types)
        ):
            return f"field {name!r} has the wrong type"  # a bool is not a number here
        if choices is not None and item not in choices:
            return f"unknown {name} {str(item)[:40]!r}"
        if nested is not None and isinstance(item, dict):
            problem = fields_problem(item, nested)
            if problem:
                return f"{name}: {problem}"
    return None


def _rows_problem(flat: list[Any], rows: Rows) -> str | None:
    """What is wrong with a rows event's values (checked whatever ``deep`` says: the model reads
    every one). Column by column: a big event is checked in a few passes, not a call a value."""
    width = len(rows.columns)
    if len(flat) > MAX_ITEMS or len(flat) % width:
        return f"not a multiple of {width} values, or more than {MAX_ITEMS}"
    high = _INT_RANGE[1]
    for at, (name, how) in enumerate(zip(rows.columns, rows.checks, strict=True)):
        column = flat[at::width]
        if how.endswith("?"):
            how = how[:-1]
            column = [value for value in column if value is not None]
        if how == "id":
            fine = all(type(v) is str and 0 < len(v) <= MAX_ID for v in column)
            wanted = f"a string of 1 to {MAX_ID} characters"
        elif how == "time":
            fine = all(type(v) is int and 0 <= v < high for v in column)
            wanted = "an integer time"
        elif how == "text":
            fine = all(type(v) is str and len(v) <= MAX_ROW_TEXT for v in column)
            wanted = f"a string of at most {MAX_ROW_TEXT} characters"
        else:
            fine = all(type(v) is bool for v in column)
            wanted = "true or false"
        if not fine:
            return f"a row whose {name} is not {wanted}"
    if rows is STEPS and not all(
        r <= t0 <= t
        for r, t0, t in zip(flat[3::width], flat[1::width], flat[2::width], strict=True)
    ):
        return "a step whose times are out of order (ready <= t0 <= t)"
    return None


def _top_level_problem(event: Event) -> str | None:
    for value in event.values():
        if isinstance(value, str) and len(value) > MAX_TEXT:
            return f"a string longer than {MAX_TEXT} characters"
        if isinstance(value, int) and not _INT_RANGE[0] <= value < _INT_RANGE[1]:
            return "an integer out of range"
    return None


def _value_problem(value: Any, depth: int) -> str | None:
    """What makes a value unfit to show or store: a non-finite or huge number, a string or
    list past its bound, nesting too deep. None when it is fine."""
    if isinstance(value, str):
        return f"a string longer than {MAX_TEXT} characters" if len(value) > MAX_TEXT else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if _INT_RANGE[0] <= value < _INT_RANGE[1] else "an integer out of range"
    if isinstance(value, float):
        return None if math.isfinite(value) else "a number that is not finite"
    if depth >= MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH}"
    if isinstance(value, dict):
        items: Any = value.values()
        if any(not isinstance(key, str) or len(key) > MAX_TEXT for key in value):
            return "an object key that is not a short string"
    elif isinstance(value, list | tuple):
        items = value
    else:
        return f"a value of type {type(value).__name__}"
    if len(value) > MAX_ITEMS:
        return f"more than {MAX_ITEMS} items in one list or object"
    for item in items:
        problem = _value_problem(item, depth + 1)
        if problem:
            return problem
    return None


# Made once: ``json.dumps`` makes an encoder at every call, and so does ``JSONEncoder.encode``
# (its C half), which cost more than encoding a small event (the runner encodes each event it
# sends). The C encoder, kept, also keeps its cache of encoded keys. No circular check: events
# are built here, of plain values (``repr`` for anything else).
_c_encoder = c_make_encoder and c_make_encoder(
    None, repr, encode_basestring_ascii, None, ":", ",", False, False, True
)
_py_encode = json.JSONEncoder(separators=(",", ":"), default=repr).encode


def dumps(event: Event) -> str:
    if _c_encoder is None:
        return _py_encode(event)
    return "".join(_c_encoder(event, 0))


def strict_json(value: Any) -> Any:
    """``value`` with every non-finite number replaced by None: what strict JSON can hold."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: strict_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [strict_json(item) for item in value]
    return value


def dumps_strict(value: Any, **kwargs: Any) -> str:
    """JSON that any parser reads: non-finite numbers become null (never NaN or Infinity).
    The value is copied only when it holds one."""
    try:
        return json.dumps(value, allow_nan=False, **kwargs)
    except ValueError:
        return json.dumps(strict_json(value), allow_nan=False, **kwargs)
