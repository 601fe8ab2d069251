"""The runner's side of the stream: what a flush sends, in what order, in what sizes."""

from __future__ import annotations

from tui import events
from tui.runner import emit


class Datagrams:
    """Stands for the emitter's socket: keeps what it sends (a kernel queue would need a
    reader to hold a big flush)."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def send(self, data: bytes) -> int:
        self.sent.append(data)
        return len(data)

    def settimeout(self, timeout: float) -> None:
        pass

    def close(self) -> None:
        pass


def emitter() -> tuple[emit.Emitter, Datagrams]:
    em = emit.Emitter("/nonexistent", "secret")
    em._sock = datagrams = Datagrams()  # type: ignore[assignment]
    return em, datagrams


def sent(datagrams: Datagrams) -> list[dict]:
    """Every event sent so far, in order, each checked as the supervisor checks it."""
    got = []
    for datagram in datagrams.sent:
        assert len(datagram) <= emit.MAX_DATAGRAM + 100
        secret, *lines = datagram.decode().split("\n")
        assert secret == "secret"
        got += [events.check(events.from_wire(events.loads(line))) for line in lines]
    return got


def test_a_flush_sends_a_tasks_start_first_and_its_plain_end_last() -> None:
    em, datagrams = emitter()
    try:
        em.record_end((1, 40))  # taken before everything else, sent after it
        em.record_step((1, 20, 30, 0))
        em.emit("rename", id=f"a{em.pid}.1", name="fetch", t=15)
        em.record_start((1, 10, "Task-1", None, 7, "main", False))
        em.flush()
        em.flush()  # nothing left: sends nothing
        got = sent(datagrams)
        assert [event["e"] for event in got] == ["starts", "rename", "steps", "ends"]
        # rows name a task by its number; the supervisor reads the id the other events use
        assert {event.get("id") or event["flat"][0] for event in got} == {f"a{em.pid}.1"}
    finally:
        em.close()


def test_steps_and_ends_travel_packed_and_arrive_as_the_rows_recorded() -> None:
    """Rows of numbers only are sent as packed 64-bit integers (cheaper to make than JSON on
    the runner's GIL), in events of at most PACKED_ROWS_PER_EVENT rows; the supervisor's
    ``from_wire`` gives back every row, in order, a task number made its id."""
    em, datagrams = emitter()
    try:
        count = emit.PACKED_ROWS_PER_EVENT + 300
        steps = [(n % 7 + 1, 1_000 + n, 2_000 + n, n if n % 3 else 0) for n in range(count)]
        for row in steps:
            em.record_step(row)
        em.record_end((3, 10**18))
        em.flush()
        lines = [line for data in datagrams.sent for line in data.decode().split("\n")[1:]]
        assert all('"packed":' in line and '"flat"' not in line for line in lines)
        got = sent(datagrams)
        assert [event["e"] for event in got] == ["steps", "steps", "ends"]
        flat = [value for event in got[:2] for value in event["flat"]]
        assert flat == [v for n, *times in steps for v in (f"a{em.pid}.{n}", *times)]
        assert got[0]["t"] == max(row[2] for row in steps[: emit.PACKED_ROWS_PER_EVENT])
        assert got[2]["flat"] == [f"a{em.pid}.3", 10**18]
    finally:
        em.close()


def test_a_packed_event_that_is_not_whole_numbers_is_refused() -> None:
    good = {
        "e": "steps",
        "t": 3,
        "pid": 5,
        "packed": "AQAAAAAAAAABAAAAAAAAAAIAAAAAAAAAAAAAAAAAAAA=",
    }
    assert events.check(events.from_wire(dict(good)))["flat"] == ["a5.1", 1, 2, 0]
    broken = [
        {**good, "packed": "not base64!"},
        {**good, "packed": "AQAAAAAAAA=="},  # 7 bytes: not a 64-bit integer
        {**good, "packed": 12},
        {**good, "flat": []},  # both forms
        {"e": "starts", "t": 3, "pid": 5, "packed": good["packed"]},  # rows with text
    ]
    for event in broken:
        try:
            events.check(events.from_wire(event))
        except ValueError:
            continue
        raise AssertionError(f"taken: {event}")


def test_rows_are_batched_and_split_to_fit_a_datagram() -> None:
    """200 rows an event; rows whose escaped names would not fit one datagram are split over
    more events, and every row arrives once, in order."""
    em, datagrams = emitter()
    try:
        wide = "名" * events.MAX_ROW_TEXT  # 400 characters, 2,400 bytes escaped
        rows = [
            (f"a1.{n}", n, wide if n % 2 else "short", None, 7, "hop", False) for n in range(450)
        ]
        for row in rows:
            em.record_start(row)
        em.flush()
        got = sent(datagrams)
        assert all(event["e"] == "starts" for event in got)
        assert len(got) > 3  # more than 450 / 200 events: the wide ones were split
        flat = [value for event in got for value in event["flat"]]
        assert flat == [value for row in rows for value in row]
        assert all(event["t"] == max(event["flat"][1::7]) for event in got)
        assert em.lost == 0
    finally:
        em.close()


class Refusing(Datagrams):
    """A socket whose sends all fail, as a closed or stuck one does."""

    def send(self, data: bytes) -> int:
        raise TimeoutError


def test_what_no_send_took_is_left_for_the_supervisor_by_the_last_flush(tmp_path) -> None:
    em = emit.Emitter("/nonexistent", "secret", last=True)
    em._sock = Refusing()  # type: ignore[assignment]
    em.emit("note", text="early")
    em.flush()  # not sent: kept, not lost
    assert em.lost == 0
    em.emit("note", text="late")
    run_end = {"e": "run_end", "t": 9, "pid": em.pid, "outcome": "completed"}
    em.flush_last(run_end, str(tmp_path))
    left = (tmp_path / emit.LAST_EVENTS_NAME).read_text().splitlines()
    kept = [events.check(events.loads(line)) for line in left]
    assert [(e["e"], e.get("text")) for e in kept] == [
        ("note", "early"),
        ("note", "late"),
        ("run_end", None),
    ]


def test_a_process_that_does_not_end_the_run_drops_and_counts_what_it_cannot_send() -> None:
    em = emit.Emitter("/nonexistent", "secret")  # a pool worker's
    em._sock = Refusing()  # type: ignore[assignment]
    em.emit("note", text="x")
    em.emit("note", text="y")
    em.flush()
    assert em.lost == 2


def test_when_the_socket_takes_everything_only_run_end_is_left(tmp_path) -> None:
    em, datagrams = emitter()
    em.emit("note", text="x")
    run_end = {"e": "run_end", "t": 9, "pid": em.pid, "outcome": "completed"}
    em.flush_last(run_end, str(tmp_path))
    assert [e["e"] for e in sent(datagrams)] == ["note", "run_end"]
    left = (tmp_path / emit.LAST_EVENTS_NAME).read_text().splitlines()
    assert [events.loads(line)["e"] for line in left] == ["run_end"]


class RefusingFirst(Datagrams):
    """A socket that refuses its first send (a supervisor slow to read), then takes all."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = False

    def send(self, data: bytes) -> int:
        if not self.refused:
            self.refused = True
            raise TimeoutError
        return super().send(data)


def test_what_a_send_did_not_take_goes_before_what_came_after() -> None:
    em = emit.Emitter("/nonexistent", "secret", last=True)
    em._sock = datagrams = RefusingFirst()  # type: ignore[assignment]
    em.record_start((1, 10, "Task-1", None, 7, "main", False))
    em.flush()  # refused: kept
    em.record_end((1, 40))
    em.flush()
    assert [e["e"] for e in sent(datagrams)] == ["starts", "ends"]
    assert em.lost == 0


def test_a_reader_that_polled_before_the_last_sends_still_reads_them(monkeypatch) -> None:
    """The supervisor's reader, starved on a busy machine, may come back from a poll that
    found nothing to find the runner gone: what the runner sent meanwhile must still be read
    (it was lost, and a completed run's tasks read as never ending: seen in loaded rounds)."""
    from tui import catalog
    from tui.supervisor import session as session_module

    run = session_module.RunSession(catalog.find("thread-sleep"), {})
    run._open_channel()
    assert run._pair is not None
    runner_end = run._pair[1]
    real_poll = session_module.select.poll

    class StalePoll:
        """Its first poll finds nothing; by the time its caller looks again, the runner has
        sent its last events and exited."""

        def __init__(self) -> None:
            self.poller, self.first = real_poll(), True

        def register(self, fd: int, mask: int) -> None:
            self.poller.register(fd, mask)

        def poll(self, timeout: int) -> list[tuple[int, int]]:
            if self.first:
                self.first = False
                line = events.dumps({"e": "run_end", "t": 1, "pid": 1, "outcome": "completed"})
                runner_end.send(f"{run._secret}\n{line}".encode())
                run._runner_gone.set()
                return []
            return self.poller.poll(timeout)

    monkeypatch.setattr(session_module.select, "poll", StalePoll)
    try:
        run._read_socket()
        assert run._saw_run_end and run.received["taken"] == 1
    finally:
        run._close_files()
