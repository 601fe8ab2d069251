"""The selection guide, measured: compare's runs on this machine, interpreters, and advise().

The tests check the guide's claims as behaviour that another process on the machine cannot
break (CPU-bound threads take turns on the GIL, worker processes run at once; I/O waits
overlap under threads and asyncio, a ``slow`` test with wide margins). The speed-ups
themselves are a benchmark: ``python bench/compare_speed.py`` on a quiet machine.
"""

from __future__ import annotations

import json
import math
import os
import stat
import sys
from pathlib import Path

import pytest
from conftest import find_python

from tui import catalog
from tui.catalog import UsageError
from tui.cli import main
from tui.compare import (
    MODES,
    CompareResult,
    Interpreter,
    Row,
    advise,
    compare,
    format_table,
    predict,
    verdict,
)
from tui.model.run import RunModel
from tui.model.summary import summarize

PY312 = find_python("3.12")
PY313 = find_python("3.13")
CORES = os.cpu_count() or 1


def items(model: RunModel, kind: str) -> list[dict]:
    tasks = summarize(model).to_json()["tasks"]
    return [t for t in tasks if t["kind"] == kind and t["name"] != "MainThread"]


@pytest.fixture(scope="module")
def cpu_result() -> tuple[CompareResult, list[str], dict[str, RunModel]]:
    seen: list[str] = []
    models: dict[str, RunModel] = {}

    def progress(mode: str, model: RunModel) -> None:
        if not seen or seen[-1] != mode:
            seen.append(mode)
        models[mode] = model

    modes = ("sequential", "threads", "processes", "asyncio")
    result = compare("cpu", {"tasks": 4, "cpu_work": 0.3}, modes=modes, on_progress=progress)
    return result, seen, models


@pytest.fixture(scope="module")
def io_result(io_run) -> CompareResult:
    return io_run[0]


@pytest.fixture(scope="module")
def io_run() -> tuple[CompareResult, dict[str, RunModel]]:
    models: dict[str, RunModel] = {}

    def progress(mode: str, model: RunModel) -> None:
        models[mode] = model

    return compare("io", {"tasks": 4, "io_s": 0.5}, on_progress=progress), models


# -- measured: behaviour, not speed (bench/compare_speed.py checks the speed-ups) -------------
def test_cpu_threads_take_turns_on_the_gil_and_processes_run_at_once(cpu_result) -> None:
    result, seen, models = cpu_result
    assert result.ok, format_table(result)
    assert seen == ["sequential", "threads", "processes", "asyncio"]
    sequential, threads, processes, asyncio_ = (result.row(m) for m in seen)
    # Threads: the GIL is busy, and each thread waits for it a good part of its life.
    assert threads.gil_busy is not None and threads.gil_busy >= 0.6
    for t in items(models["threads"], "thread"):
        assert t["gil_wait_s"] >= 0.2 * (t["end_s"] - t["start_s"]), t
    # Processes: each has its own GIL, and items in different workers ran at the same time
    # (time-sliced on a busy machine, but at once).
    assert processes.gil_busy is not None and processes.gil_busy <= 0.2
    work = items(models["processes"], "process")
    assert len(work) == 4 and len({t["pid"] for t in work}) >= min(2, CORES)
    assert any(
        a["pid"] != b["pid"] and min(a["end_s"], b["end_s"]) > max(a["start_s"], b["start_s"])
        for a in work
        for b in work
    )
    # The same computing costs about the same CPU whichever way it runs.
    for row in (threads, processes, asyncio_):
        assert 0.6 * sequential.cpu_s <= row.cpu_s, (row.mode, row.cpu_s, sequential.cpu_s)
    assert sequential.speedup == 1.0
    assert threads.predicted_speedup == 1.0
    assert processes.predicted_speedup == round(4 / math.ceil(4 / min(4, CORES)), 2)
    # Computing inside coroutines blocks the loop: it stalls throughout.
    assert asyncio_.loop_stalled_s >= 0.5 * asyncio_.elapsed_s
    assert threads.loop_stalled_s == 0
    # Worker processes are more resident memory than one interpreter.
    assert processes.peak_rss_mb > threads.peak_rss_mb > 5


@pytest.mark.slow
def test_io_threads_and_asyncio_overlap_the_waits(io_run) -> None:
    result, models = io_run
    assert result.ok, format_table(result)
    assert [r.mode for r in result.rows] == list(MODES)
    sequential = result.row("sequential")
    assert sequential.elapsed_s >= 4 * 0.5 * 0.98  # four 0.5 s waits, one after another
    for mode in ("threads", "asyncio"):
        row = result.row(mode)
        assert row.predicted_speedup == 4.0
        # Overlapped: four waits in less than two waits' time (about one, on a quiet machine).
        assert row.elapsed_s < 2 * 0.5, format_table(result)
        # Waiting needs no CPU: each task ran for a sliver of the time it waited.
        for t in items(models[mode], "thread" if mode == "threads" else "async"):
            waited = t["sleeping_s"] + t["blocked_s"]
            assert t["running_s"] <= 0.1 * waited, t
    # A pool of one worker per core overlaps only that many waits at a time.
    processes = result.row("processes")
    if CORES < 4:
        assert processes.elapsed_s >= 2 * 0.5 * 0.98, format_table(result)


def test_text_and_json_carry_the_same_rows(io_result) -> None:
    text = format_table(io_result)
    for row in io_result.rows:
        assert row.mode in text and f"{row.elapsed_s:.2f} s" in text
    data = json.loads(json.dumps(io_result.to_dict()))
    assert [r["mode"] for r in data["rows"]] == list(MODES)
    assert set(data["rows"][0]) >= {
        "mode", "python", "gil_enabled", "elapsed_s", "wall_s", "speedup", "cores_used",
        "gil_busy", "peak_rss_mb", "predicted_speedup", "prediction", "verdict",
    }  # fmt: skip


# -- interpreters -----------------------------------------------------------------------------
@pytest.mark.skipif(PY312 is None, reason="no Python 3.12 on PATH or in pyenv")
def test_python_312_from_the_cli(capsys) -> None:
    argv = ["compare", "--workload", "io", "--set", "tasks=2", "--set", "io_s=0.5"]
    argv += ["--mode", "sequential", "--mode", "threads", "--python", PY312, "--json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["mode"] for r in data["rows"]] == ["sequential", "threads"]
    assert all(r["python"].startswith("3.12.") for r in data["rows"])
    assert all(r["gil_enabled"] is True for r in data["rows"])
    assert data["interpreters"][0]["version"].startswith("3.12.")
    # The threads' prediction for two overlapping waits (that they do overlap is the slow
    # test above's, by invariants: two runs' wall clocks compared read 1.79 s for threads
    # against 1.06 s one after another, beside three suites and two CPU hogs).
    assert [r["predicted_speedup"] for r in data["rows"]] == [1.0, 2.0]
    assert all(r["outcome"] == "completed" for r in data["rows"])


@pytest.mark.skipif(PY313 is None or PY312 is None, reason="no Python 3.13 and 3.12")
def test_interpreters_side_by_side() -> None:
    result = compare("io", {"tasks": 2, "io_s": 0.3}, pythons=[PY313, PY312], modes=["threads"])
    assert result.ok, format_table(result)
    assert [r.python[:4] for r in result.rows] == ["3.13", "3.12"]
    assert "3.13.0 GIL" in format_table(result)


def _one_line_exit_2(capsys, *argv: str) -> str:
    assert main(["compare", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0]


def test_bad_python_paths_exit_2_with_one_line(capsys, tmp_path: Path) -> None:
    assert "no such file" in _one_line_exit_2(capsys, "--python", str(tmp_path / "nope"))
    assert "not a Python interpreter" in _one_line_exit_2(capsys, "--python", "/bin/true")
    assert "folder" in _one_line_exit_2(capsys, "--python", str(tmp_path))
    text = tmp_path / "text"
    text.write_text("hello")
    assert "not executable" in _one_line_exit_2(capsys, "--python", str(text))


def test_python_that_cannot_import_the_runner(capsys, tmp_path: Path) -> None:
    fake = tmp_path / "root" / "tui"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('simulated broken install')\n")
    wrapper = tmp_path / "python"
    wrapper.write_text(
        f'#!/bin/sh\ncd {tmp_path} && PYTHONPATH={tmp_path / "root"} exec {sys.executable} "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    line = _one_line_exit_2(capsys, "--python", str(wrapper))
    assert "cannot run the runner" in line and "simulated broken install" in line


def test_compare_refuses_what_it_chooses_itself(capsys) -> None:
    assert "every mode" in _one_line_exit_2(capsys, "--set", "mode=threads")
    assert "--workload" in _one_line_exit_2(capsys, "--set", "workload=cpu")
    assert "no parameter" in _one_line_exit_2(capsys, "--set", "nope=1")
    with pytest.raises(UsageError):
        compare("gpu")


def test_workload_scenario_is_in_the_catalog() -> None:
    scenario = catalog.find("workload")
    assert scenario.kind == "mixed"
    assert scenario.resolve(["mode=threads", "tasks=3"])["mode"] == "threads"
    assert {p.name: p.type for p in scenario.params} == {
        "mode": str, "workload": str, "tasks": int, "io_s": float, "cpu_work": float,
    }  # fmt: skip


# -- the guide's prediction -------------------------------------------------------------------
def test_predictions_follow_the_rule_of_thumb() -> None:
    assert predict("io", "threads", 5, 1.0, 0.0, 2).speedup == 5.0
    assert predict("io", "asyncio", 5, 1.0, 0.0, 2).speedup == 5.0
    assert predict("io", "processes", 4, 1.0, 0.0, 2).speedup == 2.0
    assert predict("cpu", "threads", 4, 0.0, 1.0, 2).speedup == 1.0
    assert predict("cpu", "asyncio", 4, 0.0, 1.0, 2).speedup == 1.0
    assert predict("cpu", "processes", 4, 0.0, 1.0, 2).speedup == 2.0
    assert predict("cpu", "processes", 4, 0.0, 1.0, 8).speedup == 4.0
    # Without a GIL, threads spread the computing too.
    assert predict("cpu", "threads", 4, 0.0, 1.0, 2, gil_enabled=False).speedup == 2.0
    # Mixed: 4 x (0.5 + 0.5) one after another; threads overlap only the waits.
    assert predict("mixed", "threads", 4, 0.5, 0.5, 2).speedup == 1.6
    assert verdict(3.8, 4.0) == "agrees" and verdict(1.2, 2.0) == "differs"
    assert verdict(None, 2.0) == "n/a"


def test_format_table_names_failures() -> None:
    interp = Interpreter("/x/python", "3.13.0", "CPython", False, True, "3.13.0t")
    failed = Row(
        "threads", "3.13.0t", "/x/python", False, "failed", "boom", 0.1, 0.2, None, 0.0,
        None, None, 10.0, None, 0.0, None, 2.0, "no GIL", "failed", "boom",
    )  # fmt: skip
    text = format_table(CompareResult("cpu", {"tasks": 2}, 2, [interp], [failed]))
    assert "no-GIL" in text and "free-threaded" in text and "boom" in text


# -- which should I use? ----------------------------------------------------------------------
def test_advise_answers_per_the_guide() -> None:
    io = advise("waiting", 5)
    assert io.recommendation == "threads or asyncio"
    assert io.command == "concur-tui compare --workload io --set tasks=5"
    many = advise("waiting", 5000)
    assert many.recommendation == "asyncio"
    assert many.command == "concur-tui watch many-tasks --set tasks=5000"
    cpu = advise("computing", 4)
    assert cpu.recommendation == "processes" and "GIL" in cpu.why
    assert cpu.command == "concur-tui compare --workload cpu --set tasks=4"
    assert advise("computing", 100).open_params == {"tasks": 8}
    both = advise("both", 3)
    assert both.recommendation == "processes" and both.open_target == "mixed"
    assert advise("waiting", 1).recommendation == "sequential"
    assert advise("computing", 1).recommendation == "sequential"
    with pytest.raises(UsageError):
        advise("sleeping", 3)
    with pytest.raises(UsageError):
        advise("waiting", 0)


def test_advise_command(capsys) -> None:
    assert main(["advise", "--computing", "--tasks", "4"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Use: processes"
    assert out[-1] == "See it: concur-tui compare --workload cpu --set tasks=4"
    assert main(["advise", "--waiting", "--tasks", "10", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["recommendation"] == "threads or asyncio"
    assert data["open"] == {"kind": "compare", "target": "io", "params": {"tasks": 8}}


def test_a_row_is_warned_of_other_programs_load_not_of_its_own_start() -> None:
    """Other programs' load is what the CPU pane calls it: the machine's busy time less the
    run's processes' and concur-tui's own. The runner's start, before the clock, is neither."""
    from tui import events
    from tui.compare import add_row
    from tui.compare.run import Measured

    def measured(others: float) -> Measured:
        model = RunModel()
        t = 1_000_000_000

        def ev(kind: str, at: int, **fields) -> dict:
            return {"e": kind, "t": at, "pid": 7, **fields}

        model.feed_many(
            [
                ev("hello", 0, v=events.VERSION, scenario="workload", params={}, python="3.11"),
                ev("run_start", 0, self_cpu_s=0.1),
                ev("procs", t // 2, rows=[[7, "python", 0.55]]),
                *(
                    ev(
                        "cpu",
                        i * t // 10,
                        t0=(i - 1) * t // 10,
                        per_core=[100.0, 10.0 + others],
                        scenario=[90.0, 0.0],
                        tool=[5.0, 5.0],
                    )
                    for i in range(1, 11)
                ),
                ev("run_end", t, outcome="completed", error=None, self_cpu_s=1.0),
            ]
        )
        return Measured(model, 1.2)

    python = Interpreter("/usr/bin/python3", "3.11.7", "CPython", True, False, "3.11.7")
    result = CompareResult("cpu", {"tasks": 2, "io_s": 0.5, "cpu_work": 0.2}, 2, [python])
    quiet = add_row(result, python, "sequential", measured(others=0.0))
    assert quiet.cores_used == 0.9  # (1.0 - 0.1) CPU-s in the run's 1 s
    assert quiet.other_load == 0.1 and "busy" not in (quiet.note or "")
    busy = add_row(result, python, "threads", measured(others=70.0))
    assert busy.other_load == 0.8 and "busy with other work (~0.8 cores" in (busy.note or "")
