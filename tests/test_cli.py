"""The command line: listing, headless runs, exit codes, and clear errors for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROGRAMS = Path(__file__).parent / "programs"


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args], capture_output=True, text=True, timeout=timeout
    )


def test_list_names_every_builtin_scenario():
    done = cli("list", "--json")
    assert done.returncode == 0
    rows = json.loads(done.stdout)
    names = {row["name"] for row in rows}
    assert {"thread-sleep", "process-pool-squares", "async-gather", "wait-for-timeout"} <= names
    assert {"cpu-threads", "cpu-processes", "compare-io", "blocking-in-async"} <= names
    assert {"gil-convoy", "cancel-taskgroup", "gather-errors", "many-tasks"} <= names
    sleep = next(row for row in rows if row["name"] == "thread-sleep")
    assert sleep["kind"] == "threads" and sleep["title"]
    assert sleep["params"]["tasks"] == {
        "default": 3,
        "min": 1,
        "max": 64,
        "help": "number of threads",
    }
    text = cli("list").stdout
    assert "thread-sleep" in text and "Threads that sleep" in text


def test_run_json_has_the_documented_keys():
    done = cli("run", "thread-sleep", "--set", "delay=0.2", "--set", "tasks=2", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)  # exactly one JSON object
    for key in (
        "scenario",
        "params",
        "outcome",
        "elapsed_s",
        "stdout",
        "tasks",
        "cpu",
        "gil",
        "loop_lag_ms",
    ):
        assert key in summary
    assert summary["params"] == {"tasks": 2, "delay": 0.2}
    assert summary["loop_lag_ms"] is None  # no event loop ran
    for key in ("cores", "mean_percent_per_core", "scenario_cpu_s"):
        assert key in summary["cpu"]
    for key in ("busy_mean", "busy_max", "wait_p50_ms", "wait_p99_ms"):
        assert key in summary["gil"]
    task_keys = {"name", "kind", "outcome", "start_s", "end_s", "running_s", "sleeping_s"}
    task_keys |= {"gil_wait_s", "error", "cancelled_by"}
    assert all(task_keys <= set(t) for t in summary["tasks"])


def test_text_summary_has_a_timeline_row_per_task():
    done = cli("run", "wait-for-timeout", "--set", "work=2", "--set", "timeout=0.3")
    assert done.returncode == 0
    assert "outcome: completed" in done.stdout
    slow = next(line for line in done.stdout.splitlines() if line.startswith("slow"))
    assert "timeout" in slow
    assert "Task timed out" in done.stdout


def test_a_failing_script_exits_1():
    done = cli("run", str(PROGRAMS / "raises_in_main.py"))
    assert done.returncode == 1
    assert "the script itself failed" in done.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "no-such-scenario"], "unknown scenario 'no-such-scenario'; known scenarios: "),
        (["run", "thread-sleep", "--set", "colour=red"], "has no parameter 'colour'"),
        (["run", "thread-sleep", "--set", "tasks=many"], "takes int values, not 'many'"),
        (["run", "thread-sleep", "--set", "tasks=0"], "must be between 1 and 64, not 0"),
        (["run", "thread-sleep", "--set", "tasks"], "--set takes key=value"),
        (["run", "/no/such/file.py"], "no such file: /no/such/file.py"),
        (["run", str(PROGRAMS / "not_python.py")], "syntax error"),
        (["bogus"], "invalid choice"),
        (["run"], "concur-tui"),
        (["--scenarios", "/no/such/dir", "list"], "no such folder"),
    ],
)
def test_bad_input_gets_one_clear_line_and_exit_2(args, message):
    done = cli(*args, timeout=20)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert 1 <= len(done.stderr.strip().splitlines()) <= 2
    assert done.stdout == ""


def test_a_command_that_fails_to_import_says_so_when_used(monkeypatch, capsys):
    from tui.cli import main

    monkeypatch.setitem(sys.modules, "tui.commands.serve", None)  # its import now fails
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = " ".join(capsys.readouterr().out.split())
    assert "serve unavailable (ModuleNotFoundError" in listed  # still listed, saying why
    assert main(["serve", "--port", "9", "replay", "--demo", "gil-convoy"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("concur-tui: the serve command is unavailable (")
    assert "Traceback" not in err[0]
    with pytest.raises(SystemExit) as caught:
        main(["list", "--bogus"])  # a command that did import still refuses unknown options
    assert caught.value.code == 2 and "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_a_served_command_line_naming_an_unavailable_command_is_refused(monkeypatch):
    from tui.cli import check_served_command
    from tui.errors import UnavailableError

    monkeypatch.setitem(sys.modules, "tui.commands.replay", None)
    with pytest.raises(UnavailableError, match=r"served command replay .*: the replay command"):
        check_served_command(["replay", "--demo", "gil-convoy"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["replay"], "give a recording FILE or --demo NAME"),
        (["replay", "x.jsonl", "--demo", "gil-convoy"], "not both"),
        (["replay", "--demo", "gil-convoy", "--speed", "9"], "--speed must be between"),
        (["replay", "--demo", "no-such-demo", "--json"], "no demo recording 'no-such-demo'"),
        (["export", "--demo", "gil-convoy", "-o", "/no/such/folder/t.json"], "cannot write"),
    ],
)
def test_commands_raise_usage_errors_and_main_reports_them(args, message, capsys):
    """The commands raise; only ``main`` prints, one line, and exits 2."""
    from tui.cli import main, parse_command_line
    from tui.errors import UsageError

    parsed = parse_command_line(args)
    with pytest.raises(UsageError, match=message):
        parsed.func(parsed)
    assert capsys.readouterr() == ("", "")  # nothing printed by the command itself
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("concur-tui: ") and message in err[0]
