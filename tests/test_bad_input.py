"""The bad-input corpus: scripts, recordings, command lines and events a careless or hostile
person gives concur-tui. Each gets its documented exit code and, for a usage error, one line
naming the problem; never a traceback, never more memory than the cap. The cases run as real
``concur-tui`` processes, four at a time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from conftest import PROGRAMS

MEMORY_CAP_MB = 300
ESC = "\x1b"


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    code: int
    message: str  # in the one line on stderr (usage errors), or on stdout
    absent: str = ""  # must not appear anywhere in the output


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    peak_mb: float


def header(count: int, **meta: object) -> dict:
    return {"format": "concur-tui-recording", "version": 1, "events": count, **meta}


def good_events(name: str = "worker") -> list[dict]:
    t = 10**12
    return [
        {"e": "hello", "t": t, "pid": 1, "v": 1, "scenario": "s", "params": {}, "python": "3"},
        {"e": "run_start", "t": t + 1, "pid": 1},
        {"e": "task_start", "t": t + 2, "pid": 1, "id": "th1.1", "kind": "thread", "name": name},
        {"e": "task_end", "t": t + 3, "pid": 1, "id": "th1.1", "outcome": "done"},
        {"e": "run_end", "t": t + 4, "pid": 1, "outcome": "completed", "error": None},
    ]


def write(path: Path, lines: list[object]) -> str:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return str(path)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Case], dict[str, Result]]:
    d = tmp_path_factory.mktemp("corpus")
    secret = d / ".env"
    secret.write_text("PASSWORD=hunter2\n")
    nan = good_events()
    nan.insert(2, '{"e":"gil","t":1000000000001,"pid":1,"t0":0,"busy":NaN,"lags_us":[]}')
    far = good_events()
    far[-1]["t"] = 10**12 + 48 * 3600 * 10**9
    os.mkfifo(d / "fifo.jsonl")
    (d / "target").write_text("keep")
    (d / "link.json").symlink_to(d / "target")
    broken = d / "scenarios"
    broken.mkdir()
    (broken / "broken.py").write_text("def (:\n")
    ev = good_events()
    cases = [
        # scripts
        Case("folder", ("run", str(PROGRAMS)), 2, "is a folder, not a Python file"),
        Case("missing", ("run", str(d / "nope.py")), 2, "no such file"),
        Case("nul", ("run", str(PROGRAMS / "nul_byte.py")), 2, "contains a NUL byte"),
        Case("syntax", ("run", str(PROGRAMS / "not_python.py")), 2, "syntax error"),
        Case("latin1", ("run", str(PROGRAMS / "latin1_coding.py")), 0, "café"),
        # recordings
        Case("empty", ("replay", write(d / "e.jsonl", []), "--text"), 2, "not a recording"),
        Case("not-json", ("replay", write(d / "j.jsonl", ["hello"]), "--json"), 2, "not JSON"),
        Case("nan", ("replay", write(d / "n.jsonl", [header(6), *nan]), "--json"), 2, "NaN"),
        Case("span", ("export", write(d / "s.jsonl", [header(5), *far])), 2, "24 h away"),
        Case("fifo", ("replay", str(d / "fifo.jsonl"), "--text"), 2, "not a regular file"),
        Case("folder-recording", ("replay", str(d), "--text"), 2, "not a regular file"),
        Case(
            "reads-no-file",
            ("replay", write(d / "p.jsonl", [header(5, scenario=str(secret)), *ev]), "--text"),
            0,
            "completed",
            absent="hunter2",
        ),
        Case(
            "escapes",
            (
                "replay",
                write(d / "x.jsonl", [header(5), *good_events(f"{ESC}]52;c;aGk={ESC}\\")]),
                "--text",
            ),
            0,
            "\\x1b]52;c;aGk=",
            absent=ESC,
        ),
        Case(
            "export-over-symlink",
            ("export", "--demo", "thread-sleep", "-o", str(d / "link.json")),
            2,
            "not a regular file",
        ),
        # command lines
        Case("arabic-digit", ("run", "thread-sleep", "--set", "tasks=٣"), 2, "takes int values"),
        Case("nan-param", ("run", "thread-sleep", "--set", "delay=nan"), 2, "takes float"),
        Case("no-param", ("run", "thread-sleep", "--set", "x=1"), 2, "has no parameter"),
        Case("unknown", ("run", "no-such-scenario"), 2, "unknown scenario"),
        Case("no-folder", ("--scenarios", str(d / "nope"), "list"), 2, "no such folder"),
        Case("speed", ("replay", "--demo", "gil-convoy", "--speed", "100"), 2, "--speed"),
        Case("skipped", ("list", "--scenarios", str(broken)), 0, "skipped broken.py"),
        Case(
            "names",
            ("run", str(PROGRAMS / "strange_names.py")),
            0,
            "title\\x1b]0;pwned\\x07",  # a thread's name, escaped; its output too
            absent=ESC,
        ),
        # floods
        Case("burst", ("run", str(PROGRAMS / "burst_50mb.py"), "--json"), 0, "after the burst"),
        # events from the program
        Case(
            "datagrams",
            ("run", str(PROGRAMS / "injects_bad_events.py"), "--json"),
            0,
            '"invalid_event": 8',
        ),
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip([c.id for c in cases], pool.map(run, cases), strict=True))
    return cases, results


def run(case: Case) -> Result:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", *case.args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    peak = 0

    def watch() -> None:
        nonlocal peak
        while proc.poll() is None:
            try:
                peak = max(peak, psutil.Process(proc.pid).memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, err = proc.communicate(timeout=60)
    watcher.join()
    return Result(proc.returncode, out, err, peak / 2**20)


CASE_IDS = [
    "folder", "missing", "nul", "syntax", "latin1", "empty", "not-json", "nan", "span", "fifo",
    "folder-recording", "reads-no-file", "escapes", "export-over-symlink", "arabic-digit",
    "nan-param", "no-param", "unknown", "no-folder", "speed", "skipped", "names", "burst", "datagrams",
]  # fmt: skip


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_bad_input_gets_its_exit_code_and_one_line(
    case_id: str, corpus: tuple[list[Case], dict[str, Result]]
) -> None:
    cases, results = corpus
    case = next(c for c in cases if c.id == case_id)
    result = results[case_id]
    everything = result.stdout + result.stderr
    assert result.code == case.code, everything[-2000:]
    assert "Traceback" not in everything
    if case.code == 2:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("concur-tui: "), result.stderr
    assert case.message in everything
    if case.absent:
        assert case.absent not in everything
    assert result.peak_mb < MEMORY_CAP_MB


def test_every_case_is_checked(corpus: tuple[list[Case], dict[str, Result]]) -> None:
    assert sorted(c.id for c in corpus[0]) == sorted(CASE_IDS)
