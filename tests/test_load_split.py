"""Whose each core's time was: the run's, concur-tui's own, or other programs' (issue 10's
"the observer's share is visible"), from synthetic samples and from a real sweep."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest
from conftest import until

from tui.model.run import BUSY_CORES, RunModel
from tui.model.summary import summarize
from tui.supervisor.sampler import CoreShares, CoreTimes, StatFiles, TreeSampler, thread_rows


def cpu(t: int, per_core: list[float], scenario: list[float] | None, tool: list[float] | None):
    return {"e": "cpu", "t": t, "pid": 1, "t0": t - 100, "per_core": per_core,
            "scenario": scenario, "tool": tool}  # fmt: skip


def test_the_rest_of_each_core_is_other_programs() -> None:
    model = RunModel()
    model.feed(cpu(1_000, [100.0, 50.0], [60.0, 10.0], [5.0, 0.0]))
    model.feed(cpu(2_000, [100.0, 30.0], [80.0, 10.0], [5.0, 5.0]))
    run, tool, other = model.load_split()
    assert run == pytest.approx((0.7 + 0.9) / 2)
    assert tool == pytest.approx((0.05 + 0.10) / 2)
    assert other == pytest.approx((0.35 + 0.4 + 0.15 + 0.15) / 2)
    assert model.machine_busy() == other > BUSY_CORES
    assert summarize(model).to_json()["cpu"]["load_cores"] == {
        "run": 0.8,
        "tool": 0.075,
        "other": 0.525,
    }


def test_each_core_says_whose_time_it_was_live_and_as_the_runs_mean() -> None:
    """A finished run's CPU bars are the run's mean: other programs' share is drawn apart
    there too, or a busy machine would pass as the scenario's work."""
    model = RunModel()
    model.feed(cpu(1_000, [100.0, 50.0], [60.0, 10.0], [5.0, 0.0]))
    model.feed(cpu(2_000, [100.0, 30.0], [80.0, 10.0], [5.0, 5.0]))
    assert model.core_shares(1) == [(5.0, 15.0), (5.0, 15.0)]
    mean = model.core_shares()
    assert mean == [pytest.approx((5.0, 25.0)), pytest.approx((2.5, 27.5))]
    _, tool, other = model.load_split()
    assert (tool, other) == pytest.approx((0.075, 0.525))  # the same account, summed


def test_time_put_on_the_wrong_core_is_not_other_programs() -> None:
    """A thread counted on the core it was last seen on, having run on the other: one core
    reads more than busy, the other less. The machine's figures, whole, are still right."""
    model = RunModel()
    model.feed(cpu(1_000, [100.0, 100.0], [140.0, 55.0], [2.0, 3.0]))
    run, tool, other = model.load_split()
    assert (run, tool, other) == pytest.approx((1.95, 0.05, 0.0))
    assert model.machine_busy() is None  # per core, 0.4 of a core would have been "other"


def test_a_quiet_machine_is_not_busy_and_old_recordings_have_no_split() -> None:
    quiet = RunModel()
    quiet.feed(cpu(1_000, [50.0, 10.0], [45.0, 5.0], [3.0, 2.0]))
    assert quiet.machine_busy() is None
    old = RunModel()
    old.feed(cpu(1_000, [50.0, 10.0], None, None))
    old.feed(cpu(2_000, [50.0, 10.0], [1.0], [1.0, 2.0]))  # the wrong length: ignored
    assert old.load_split() is None and old.machine_busy() is None
    assert summarize(old).cpu.load_cores is None


def test_core_shares_put_each_threads_new_cpu_time_on_its_core() -> None:
    shares = CoreShares(cores=2)
    assert shares.percent([[1, 10, "R", 5.0, 0], [1, 11, "S", 1.0, 1]], 0.0) == [0.0, 0.0]
    # A thread not seen before started since the last sweep: all its time is this sweep's (at
    # most the sweep's length, were it seen late); what ended since is put on its core.
    rows = [[1, 10, "R", 5.05, 1], [1, 11, "S", 1.0, 1], [1, 12, "R", 0.03, 0], [2, 2, "R", 9, 0]]
    assert shares.percent(rows, 0.1, ended=[(1, 0.02)]) == [100.0, 70.0]
    assert shares.percent(rows, 0.1) == [0.0, 0.0]


def test_a_real_sweep_counts_a_process_it_saw_start_late_and_never_saw_end() -> None:
    """A child that started after one sweep and ended before the next is the run's all the
    same (its parent's reaped-children time says what it used): not other programs' load."""
    import resource
    import subprocess
    import sys

    sampler = TreeSampler(os.getpid())  # this test process stands in for the runner
    sampler.sample()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    burn = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    subprocess.run([sys.executable, "-c", burn], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    event = sampler.sample()[0]
    sampler.close()
    counted = sum(event["scenario"]) / 100 * (event["t"] - event["t0"]) / 1e9
    assert used >= 0.25 and counted >= used - 0.03, (event, used)


def test_a_real_sweep_finds_a_spinning_thread_of_the_run() -> None:
    """The spinner's CPU time between two sweeps is counted as the run's: however busy the
    machine is (the spinner may get little of a core), what it did get is not "other"."""
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            pass

    sampler = TreeSampler(os.getpid())  # this test process stands in for the runner
    spinner = threading.Thread(target=spin)
    spinner.start()
    clock = time.pthread_getcpuclockid(spinner.ident or 0)

    def spinner_cpu_s() -> float:  # as /proc counts it, which the sweep reads
        return sum(row[3] for row in thread_rows(os.getpid()) if row[1] == spinner.native_id)

    try:
        sampler.sample()
        began, cpu_began = spinner_cpu_s(), time.clock_gettime(clock)
        until(lambda: time.clock_gettime(clock) - cpu_began >= 0.2, 60, "0.2 s of spinning")
        spun = spinner_cpu_s() - began  # within the sweep's interval
        event = sampler.sample()[0]
    finally:
        stop.set()
        spinner.join()
    # /proc's count of a running thread can trail its CPU clock (seen: 0.12 s against 0.2 s on
    # a CI machine), so the sweep is held to /proc's own count, less its 10 ms ticks.
    counted = sum(event["scenario"]) / 100 * (event["t"] - event["t0"]) / 1e9
    assert spun > 0 and counted >= spun - 0.03, (event, spun)
    assert all(0.0 <= p <= 100.0 for p in event["scenario"] + event["tool"])


def test_each_cores_busy_share_reads_as_psutil_reads_it() -> None:
    """/proc/stat read from a kept-open file, worked out as psutil.cpu_percent(percpu=True)
    does: the two, read a moment apart over the same interval, agree within a clock tick."""
    import psutil

    files = StatFiles()
    cores = CoreTimes(files)
    psutil.cpu_percent(percpu=True)
    end = time.monotonic() + 0.5
    while time.monotonic() < end:  # some work for at least one core to show
        pass
    ours, theirs = cores.percent(), psutil.cpu_percent(percpu=True)
    files.close()
    assert len(ours) == len(theirs) == psutil.cpu_count()
    # Ticks are 10 ms: one landing between the two reads moves a core's 0.5 s by 2 points.
    assert all(abs(a - b) <= 5 for a, b in zip(ours, theirs, strict=True)), (ours, theirs)
    assert sum(ours) > 0


# Run in a fresh interpreter: in the suite's own process other runs' samplers read its threads'
# files too (one still closing on a busy machine was seen holding two), so whose files are open
# could not be told apart.
SAMPLER_FILES = """
import os, threading, time
from tui.supervisor.sampler import TreeSampler

def open_stat_files():
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(f"/proc/{os.getpid()}/task/"):
            found.add(target)
    return found

stop = threading.Event()
sampler = TreeSampler(os.getpid())
sampler.sample()
helpers = [threading.Thread(target=stop.wait) for _ in range(4)]
for helper in helpers:
    helper.start()
helper_files = {f"/proc/{os.getpid()}/task/{h.native_id}/stat" for h in helpers}
sampler.sample()
assert helper_files <= open_stat_files(), "a live thread's file is not kept open"
rows = sampler.sample()[2]["rows"]
assert {h.native_id for h in helpers} <= {row[1] for row in rows}, rows
stop.set()
for helper in helpers:
    helper.join()
# join() returns before the kernel has taken the thread out of /proc (later on a busy
# machine): until then it is a thread to read, and its file rightly stays open
deadline = time.monotonic() + 30
while any(os.path.exists(f) for f in helper_files) and time.monotonic() < deadline:
    time.sleep(0.01)
sampler.sample()
assert open_stat_files(), "the live threads' files were closed"
assert not helper_files & open_stat_files(), "an ended thread's file is still open"
sampler.close()
assert not open_stat_files(), f"left open after close: {open_stat_files()}"
"""


def test_the_sampler_keeps_its_proc_files_open_only_while_they_are_read() -> None:
    """Files stay open between sweeps (pread is 5x cheaper than opening), but one whose
    thread ended is closed at the next sweep, and every one when the sampler closes."""
    done = subprocess.run(
        [sys.executable, "-c", SAMPLER_FILES], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
