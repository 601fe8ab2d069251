"""Key to screen: how long a key takes to show its effect in a real terminal (tmux send-keys,
then capture-pane until the screen changed), while ``cpu-processes`` keeps every core busy.

    python bench/key_latency.py [--presses 40] [--cli PATH --cli PATH ...]

The key is ``?`` (the help screen opens, and closes) and, every other close, Escape; each
press is timed from send-keys to the first capture that shows the new screen. Capture
polling adds up to ~5 ms (plus tmux's own cost), so the figures are an upper bound.
Given several ``--cli`` (two builds, say), each is measured in turn in the same run, so
their figures compare on one machine's load. Goal: p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time

from terminal import CLI, pane

HELP_MARK = "Help and definitions"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--scenario", default="cpu-processes")
    parser.add_argument("--set", action="append", help="scenario parameters (default work=10)")
    parser.add_argument("--cli", action="append", help=f"the concur-tui to run (default {CLI})")
    args = parser.parse_args()
    sets = [x for s in (args.set or ["work=10"]) for x in ("--set", s)]
    for cli in args.cli or [CLI]:
        measure(cli, args.scenario, sets, args.presses)


def measure(cli: str, scenario: str, sets: list[str], presses: int) -> None:
    """Open the help with ``?``; close it with ``?`` and, every other time, with Escape,
    which a terminal cannot tell from the start of a key's escape sequence until Textual's
    ``ESCDELAY`` (100 ms) has passed: its figures are reported apart."""
    latencies: dict[str, list[float]] = {"?": [], "Escape": []}
    with pane([cli, "watch", scenario, *sets]) as p:
        p.wait_for("Timeline")
        time.sleep(2.0)  # the workers are up and every core is busy
        for i in range(presses):
            opening = i % 2 == 0
            key = "?" if opening or i % 4 == 1 else "Escape"
            started = time.monotonic()
            p.keys(key)
            while (HELP_MARK in p.screen()) != opening:
                if time.monotonic() - started > 10:
                    raise SystemExit("the screen did not change within 10 s")
                time.sleep(0.002)
            latencies[key].append(time.monotonic() - started)
            time.sleep(0.15)
    for key, values in latencies.items():
        ms = sorted(x * 1000 for x in values)
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        print(
            f"{cli}: {key} -> screen while {scenario} runs: p50 {statistics.median(ms):.0f} ms,"
            f" p95 {p95:.0f} ms, max {ms[-1]:.0f} ms ({len(ms)} presses)",
            flush=True,
        )


if __name__ == "__main__":
    main()
