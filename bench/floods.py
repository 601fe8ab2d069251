"""How big does concur-tui get, and how fast does it let go, when the watched program floods it?

Each case runs the real ``concur-tui`` (the dashboard on a pty, as a person would) and
samples its resident memory every 50 ms: the peak is the figure to hold against the cap in
the README. Where the case ends with a key or a signal, it also times how long the runner
took to be gone and concur-tui to exit. Figures, not pass/fail: the tests assert the cap.

    python bench/floods.py [case ...]

Cases: print (a program printing forever), burst (50 MB in one write), tasks (20 000 asyncio
tasks), print-run (the same under ``run``, ended by SIGINT), and two 182 MB recordings, one
of output and one of tasks, summarized (``replay --json``) and played in the dashboard.
"""

from __future__ import annotations

import json
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from terminal import Terminal  # noqa: E402

PROGRAMS = ROOT / "tests" / "programs"
TARGET_BYTES = 182 * 2**20


def flood_recording(path: Path) -> Path:
    """182 MB of recorded output: 64 kB output events, as `run --record` saves a flood."""
    t = 10**12
    text = ("y" * 99 + "\n") * 650
    count = TARGET_BYTES // (len(text) + 80)
    events = [
        {"e": "hello", "t": t, "pid": 1, "v": 1, "scenario": "flood", "params": {}, "python": "3"},
        {"e": "run_start", "t": t + 1, "pid": 1},
        *(
            {"e": "output", "t": t + 2 + i * 10**6, "pid": 1, "stream": "stdout", "text": text}
            for i in range(count)
        ),
        {
            "e": "run_end",
            "t": t + 3 + count * 10**6,
            "pid": 1,
            "outcome": "completed",
            "error": None,
        },
    ]
    header = {"format": "concur-tui-recording", "version": 1, "events": len(events)}
    with path.open("w") as out:
        for item in (header, *events):
            out.write(json.dumps(item, separators=(",", ":")) + "\n")
    return path


def tasks_recording(path: Path) -> Path:
    """About 182 MB of task events: 1.6 million, 180 000 tasks (past the model's limit)."""
    t = 10**12
    lines = [
        {"e": "hello", "t": t, "pid": 1, "v": 1, "scenario": "tasks", "params": {}, "python": "3"},
        {"e": "run_start", "t": t + 1, "pid": 1},
    ]
    size, n, body = 0, 0, []
    while size < TARGET_BYTES:
        n += 1
        at = t + 10 + n * 1000
        for event in (
            {"e": "task_start", "t": at, "pid": 1, "id": f"a1.{n}", "kind": "async",
             "name": f"Task-{n}", "coro": "tick"},
            {"e": "wait_start", "t": at + 1, "pid": 1, "id": f"a1.{n}", "state": "sleeping",
             "what": "asyncio.sleep(0.01)"},
            {"e": "step", "t": at + 2, "pid": 1, "id": f"a1.{n}", "t0": at},
            {"e": "wait", "t": at + 3, "pid": 1, "id": f"a1.{n}", "state": "sleeping",
             "t0": at + 1, "what": "asyncio.sleep(0.01)"},
            {"e": "ready", "t": at + 4, "pid": 1, "id": f"a1.{n}", "t0": at + 3},
            {"e": "step", "t": at + 5, "pid": 1, "id": f"a1.{n}", "t0": at + 4},
            {"e": "task_end", "t": at + 6, "pid": 1, "id": f"a1.{n}", "outcome": "done"},
        ):  # fmt: skip
            line = json.dumps(event, separators=(",", ":"))
            body.append(line)
            size += len(line) + 1
    end = {"e": "run_end", "t": t + 20 + n * 1000, "pid": 1, "outcome": "completed", "error": None}
    header = {"format": "concur-tui-recording", "version": 1, "events": len(body) + 3}
    with path.open("w") as out:
        out.write("\n".join(json.dumps(x) for x in (header, *lines)) + "\n")
        out.write("\n".join(body) + "\n" + json.dumps(end) + "\n")
    return path


def watch(args: list[str], seconds: float, end: str, pty: bool = True) -> dict[str, float]:
    term = Terminal(*args, pty_=pty)
    try:
        began = time.monotonic()
        if args[0] in ("watch", "run"):
            term.wait_for_run(timeout=60)
        else:  # a replay: until the dashboard is up (loading checks the whole file first)
            term.wait_for(lambda: b"\x1b[?1049h" in term.screen, timeout=900, what="the app")
        loaded = time.monotonic() - began
        time.sleep(seconds)
        runner = term.runner()
        began = time.monotonic()
        if end == "q":
            term.keys("q")
        else:
            term.signal(getattr(signal, end))
        gone = None
        if runner is not None:
            term.wait_for(lambda: term.runner() is None, timeout=30, what="the runner to end")
            gone = time.monotonic() - began
        term.wait(timeout=60)
        return {
            "start_s": loaded,
            "peak_mb": term.peak_rss / 2**20,
            "runner_gone_s": gone if gone is not None else float("nan"),
            "exit_s": time.monotonic() - began,
            "left": len(term.leftovers(within=3)),
        }
    finally:
        term.close()


def summarize(path: Path) -> dict[str, float]:
    term = Terminal("replay", str(path), "--json", pty_=False)
    began = time.monotonic()
    term.wait(timeout=900)
    return {"peak_mb": term.peak_rss / 2**20, "seconds": time.monotonic() - began}


def main(cases: list[str]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="concur-bench-"))
    recordings: dict[str, Path] = {}

    def recording(kind: str) -> Path:
        if kind not in recordings:
            maker = flood_recording if kind == "flood" else tasks_recording
            recordings[kind] = maker(folder / f"{kind}.jsonl")
        return recordings[kind]

    table = {
        "print": lambda: watch(["watch", str(PROGRAMS / "prints_forever.py")], 10, "q"),
        "print-sigint": lambda: watch(["watch", str(PROGRAMS / "prints_forever.py")], 5, "SIGINT"),
        "burst": lambda: watch(["watch", str(PROGRAMS / "prints_50mb.py")], 8, "q"),
        "tasks": lambda: watch(["watch", str(PROGRAMS / "many_tasks.py")], 8, "q"),
        "print-run": lambda: watch(
            ["run", str(PROGRAMS / "prints_forever.py")], 5, "SIGINT", pty=False
        ),
        "rec-output-json": lambda: summarize(recording("flood")),
        "rec-tasks-json": lambda: summarize(recording("tasks")),
        "rec-output-replay": lambda: watch(["replay", str(recording("flood"))], 8, "q"),
        "rec-tasks-replay": lambda: watch(["replay", str(recording("tasks"))], 8, "q"),
    }
    try:
        for name in cases or list(table):
            figures = table[name]()
            shown = "  ".join(f"{k} {v:.2f}" for k, v in figures.items())
            print(f"{name:<18} {shown}", flush=True)
    finally:
        for path in recordings.values():
            path.unlink(missing_ok=True)
        folder.rmdir()


if __name__ == "__main__":
    main(sys.argv[1:])
